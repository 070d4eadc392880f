"""The App Home tab: what the advisor does, example questions to ask, how answers are made, feedback.

Every word comes from ``responses.toml`` (``[slack.home]`` and the suggested prompts) and the
knowledge base; this module only lays it out in Block Kit and asks a chosen example in the user's
Messages tab.
"""

import logging
from collections.abc import Callable
from dataclasses import dataclass
from functools import partial
from typing import Any

from slack_bolt import Ack, App
from slack_sdk import WebClient

from bot.core.knowledge import Knowledge
from bot.core.knowledge.wording import SuggestedPrompt
from bot.slack.delivery import Conversation
from bot.slack.jobs import Submit, first_click
from bot.slack.rendering import escape_mrkdwn
from bot.storage.store import FeedbackSummary, Store

log = logging.getLogger("bot.slack.home")

HOME_ASK_ACTION = "home_ask_example"
_SECTION_CHARS = 3000  # Slack's limit for a section's text


class HomeTab:
    """Publishes the Home tab and answers its example buttons in the user's Messages tab."""

    def __init__(
        self,
        knowledge: Knowledge,
        store: Store,
        client: WebClient,
        submit: Submit,
        model_configured: bool,
        converse: Callable[[Conversation, str], None],
    ) -> None:
        self.knowledge, self.store, self.client, self.submit = knowledge, store, client, submit
        self.model_configured, self.converse = model_configured, converse
        self.text = knowledge.responses.slack.home
        self.prompts = knowledge.responses.slack.suggested_prompts

    def register(self, app: App) -> None:
        """Listen for the Home tab and its buttons (before any other app_home_opened listener)."""
        app.event("app_home_opened", matchers=[_home_tab])(self.on_home_opened)
        app.action(HOME_ASK_ACTION)(self.on_ask)

    def on_home_opened(self, event: dict[str, Any]) -> None:
        """Publish the tab for this user, off Bolt's acknowledgement threads."""
        user = event.get("user")
        if isinstance(user, str) and user:
            self.submit(partial(self._publish, user))

    def _publish(self, user: str) -> None:
        try:
            self.client.views_publish(user_id=user, view=self.view(self.store.feedback_summary()))
        except Exception as error:  # a stale tab is better than a crash; Slack keeps the last one
            log.error("home tab not published user=%s error=%s", user, type(error).__name__)

    def view(self, feedback: FeedbackSummary) -> dict[str, Any]:
        """The Home tab's view: about, examples, how answers are made, feedback by answer mode."""
        blocks = [
            {"type": "header", "text": {"type": "plain_text", "text": self.text.title}},
            _section(self.text.about),
            {"type": "divider"},
            _section(self.text.examples_heading),
            *[self._example(index, prompt) for index, prompt in enumerate(self.prompts)],
            {"type": "divider"},
            _section(self.text.how_heading + "\n" + self._how()),
            {"type": "divider"},
            _section(self.text.feedback_heading),
            _context(self._feedback_lines(feedback)),
        ]
        return {"type": "home", "blocks": blocks}

    def _example(self, index: int, prompt: SuggestedPrompt) -> dict[str, Any]:
        """One example question with the button that asks it."""
        button = {
            "type": "button",
            "action_id": HOME_ASK_ACTION,
            "text": {"type": "plain_text", "text": self.text.ask_button},
            "value": str(index),
        }
        return _section(f"*{escape_mrkdwn(prompt.title)}*\n{escape_mrkdwn(prompt.message)}") | {
            "accessory": button
        }

    def _how(self) -> str:
        """How answers are made here: Claude grounded on the knowledge, or the built-in rules."""
        names = [framework.name for framework in self.knowledge.frameworks.values()]
        frameworks = self._listed(names)
        template = self.text.how_llm if self.model_configured else self.text.how_rules
        return template.format(sections=len(self.knowledge.sections), frameworks=frameworks)

    def _listed(self, names: list[str]) -> str:
        """Names as a sentence lists them, in responses.toml's wording."""
        if len(names) < 2:
            return "".join(names)
        return self.text.list_pair.format(first=self.text.list_comma.join(names[:-1]), last=names[-1])

    def _feedback_lines(self, feedback: FeedbackSummary) -> str:
        """Helpful and not helpful counts for each answer mode that has any."""
        lines = [
            self.text.feedback_line.format(mode=label, helpful=up, not_helpful=down)
            for mode, label in self.text.modes.items()
            for up, down in [feedback.by_mode.get(mode, (0, 0))]
            if up or down
        ]
        return "\n".join(lines) or self.text.feedback_none

    def on_ask(self, ack: Ack, body: dict[str, Any]) -> None:
        """Ask the chosen example in the user's Messages tab and answer it there, in a thread."""
        ack()
        actions = body.get("actions") or [{}]
        prompt = example_for(str(actions[0].get("value", "")), self.prompts)
        user = body.get("user", {})
        if prompt is not None and isinstance(user.get("id"), str):
            click = _Click(
                f"home:{user['id']}:{actions[0].get('value')}", str(actions[0].get("action_ts", ""))
            )
            self.submit(
                partial(self._ask, prompt, user["id"], user.get("team_id"), body.get("trigger_id"), click)
            )

    def _ask(
        self, prompt: SuggestedPrompt, user: str, team: str | None, trigger: object, click: "_Click"
    ) -> None:
        """Post the question in the user's DM as a thread root, then answer it in that thread."""
        if not first_click(self.store, click.key, click.at):  # a double click asks once
            log.info("home question repeated by a double click; asked once request_id=%s", trigger)
            return
        text = self.text.asked.format(question=escape_mrkdwn(prompt.message))
        try:
            posted = self.client.chat_postMessage(channel=user, text=text)
        except Exception as error:
            log.error(
                "home question not posted request_id=%s user=%s error=%s", trigger, user, type(error).__name__
            )
            return
        channel, ts = str(posted["channel"]), str(posted["ts"])
        where = Conversation(channel, ts, user, team, ts, str(trigger or ""))
        self.converse(where, prompt.message)


@dataclass(frozen=True)
class _Click:
    """Which button a user clicked (the same for a double click) and when (Slack's action_ts)."""

    key: str
    at: str


def example_for(value: str, prompts: tuple[SuggestedPrompt, ...]) -> SuggestedPrompt | None:
    """The example a button value names (its index), or None for anything else."""
    if not value.isascii() or not value.isdigit() or len(value) > 3:
        return None
    index = int(value)
    return prompts[index] if index < len(prompts) else None


def _home_tab(event: dict[str, Any]) -> bool:
    """Only the Home tab; the Messages tab opening is a conversation opener, handled elsewhere."""
    return event.get("tab") == "home"


def _section(text: str) -> dict[str, Any]:
    return {"type": "section", "text": {"type": "mrkdwn", "text": text[:_SECTION_CHARS]}}


def _context(text: str) -> dict[str, Any]:
    return {"type": "context", "elements": [{"type": "mrkdwn", "text": text[:_SECTION_CHARS]}]}
