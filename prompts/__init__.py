"""Data, not code: the prompt text, shipped inside the wheel as ``bot._prompts``."""
