"""Claude: the model interface, the Claude client, prompts, the reply format, breaker, deadline, limits.

May import: ``bot.core`` and ``bot.claude``. Only ``bot.claude.client`` imports ``anthropic``, and it
is loaded lazily so offline paths never pay for it. Never Slack, Flask or storage code.
"""
