"""Run the command line with ``python -m bot``."""

from bot.console.cli import main

raise SystemExit(main())
