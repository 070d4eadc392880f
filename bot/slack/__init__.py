"""Slack: the Bolt app hosted in Flask, its listeners, delivery and streaming, Block Kit rendering.

May import: ``bot.core``, ``bot.advisor``, ``bot.settings``, ``bot.storage`` and ``bot.slack``; never
``anthropic`` (answers come through the advisor) nor the console.
"""
