"""Slack helpers: the Flask app on a given answer pool (the fixtures are in tests/conftest.py)."""

from tests.doubles.web_app import web_client as flask_client

__all__ = ["flask_client"]
