"""The core: questions, knowledge, text analysis, retrieval, rules and the answer contract.

Pure: no network, no environment, no clock. It reads only the knowledge files it is handed.
May import: the standard library, pydantic and ``bot.core``; never Slack, Flask, anthropic or any
other ``bot`` package.
"""
