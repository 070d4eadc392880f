"""Data, not code: the advisor's knowledge, shipped inside the wheel as ``bot._knowledge``."""
