"""Values tests share: the checkout's folders, the eval sets and fake secrets that must never leak."""

from pathlib import Path

PROJECT_ROOT = Path(__file__).resolve().parents[2]
KNOWLEDGE_DIR = PROJECT_ROOT / "knowledge"
PROMPTS_DIR = PROJECT_ROOT / "prompts"
DEV_CASES = PROJECT_ROOT / "tests" / "eval" / "dev.jsonl"
HOLDOUT_CASES = PROJECT_ROOT / "tests" / "eval" / "holdout.jsonl"

TEST_KEY = "sk-ant-test-key-do-not-log-0123456789"
SLACK_TOKEN = "xoxb-test-bot-token-never-logged-42"
