"""The console: the ``framework-advisor`` command line, the chat loop and terminal rendering.

May import any ``bot`` package; Slack, Flask and anthropic only lazily, on the commands that need them,
so that ``ask --offline`` stays fast.
"""
