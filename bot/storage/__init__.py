"""Storage: answered events, short-lived shares, feedback and per-user limits.

``store`` holds the contract; ``sqlite`` (the embedded default) and ``postgres`` (``DATABASE_URL``)
implement it; ``resilient`` keeps the app answering when the database fails.
May import: the standard library, pydantic, psycopg, psycopg_pool and ``bot.core``; never
settings, Slack, Flask, anthropic or ``bot.claude`` (``bot.advisor_factory`` picks the backend).
"""
