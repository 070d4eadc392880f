"""Framework Advisor: helps teams choose between Django, Flask and FastAPI."""
