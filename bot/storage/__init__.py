"""Storage: feedback, short-lived shares, answered events and per-user limits.

May import: the standard library, pydantic and ``bot.core``; never Slack, Flask or anthropic.
"""
