"""Slack listeners: they register, filter and acknowledge; every other thing is an answer job.

An acknowledgement does no I/O: no Web API call, no database read or write, no thread created.
It puts a job on the answer pool (``bot.slack.answering`` does the work) and returns, so Slack
hears back at once however slow the model, the Web API or the database is.
"""

import re
from concurrent.futures import Executor
from typing import Any

from slack_bolt import Ack, App

from bot.advisor import Advisor
from bot.core.question import QuestionError
from bot.slack.answering import Answering
from bot.slack.rendering import FEEDBACK_ACTION, SHARE_ACTION, Renderer
from bot.slack.slack_text import plain_text

# Messages with these subtypes are people's words: a file attached, or a reply sent to the channel too.
_PERSON_SUBTYPES = {None, "file_share", "thread_broadcast"}


class Listeners:
    """The advisor's listeners on a Bolt app."""

    def __init__(self, advisor: Advisor, renderer: Renderer, answering: Answering, work: Executor) -> None:
        self.advisor, self.renderer, self.answering, self.work = advisor, renderer, answering, work
        self.text = renderer.text

    def register_requests(self, app: App) -> None:
        """Slash commands (any name set in the manifest) and our buttons: register these first.

        Bolt tries its listeners in order, and each failed match costs a build of the matcher's
        arguments; a burst of slash commands then pays for one match, not seven.
        """
        app.command(re.compile(r"^/"))(self.on_command)
        app.action(SHARE_ACTION)(self.on_share)
        app.action(FEEDBACK_ACTION)(self.on_feedback)

    def register_events(self, app: App) -> None:
        """Direct messages and mentions: register these last, after the narrower event listeners."""
        app.event("message")(self.on_message)
        app.event("app_mention")(self.on_mention)

    def on_command(self, ack: Ack, command: dict[str, Any]) -> None:
        """Usage for empty or help, the problem for a bad question, else "Thinking..." and a job."""
        text = plain_text(str(command.get("text") or ""))
        if not text or text.lower() == "help":
            ack(text=self.text.usage, blocks=self._usage_blocks(), response_type="ephemeral")
            return
        try:
            question = self.advisor.read(text, trim=True)
        except QuestionError as error:
            ack(text=str(error), response_type="ephemeral")
            return
        ack(text=self.text.thinking, response_type="ephemeral")
        self.work.submit(self.answering.command, question, command)

    def _usage_blocks(self) -> list[dict[str, Any]]:
        """Usage line and the example questions."""
        help_text = self.advisor.knowledge.responses.help.text
        return [*self.renderer.notice(self.text.usage).blocks, {"type": "markdown", "text": help_text}]

    def on_share(self, ack: Ack, body: dict[str, Any]) -> None:
        """The Share button: posting happens in a job."""
        ack()
        self.work.submit(self.answering.share, body)

    def on_feedback(self, ack: Ack, body: dict[str, Any]) -> None:
        """A feedback button: storing happens in a job."""
        ack()
        self.work.submit(self.answering.feedback, body)

    def on_message(self, event: dict[str, Any], body: dict[str, Any], context: dict[str, Any]) -> None:
        """A direct message: answered in a thread under the question."""
        if event.get("channel_type") == "im" and _from_a_person(event, body, context):
            text = plain_text(str(event.get("text") or ""))
            self.work.submit(self.answering.conversation, event, body, text, True)

    def on_mention(self, event: dict[str, Any], body: dict[str, Any], context: dict[str, Any]) -> None:
        """An @mention in a channel: answered in its thread (mentions in the thread continue it)."""
        if _from_a_person(event, body, context):
            text = plain_text(str(event.get("text") or ""))
            self.work.submit(self.answering.conversation, event, body, text, True)


def _from_a_person(event: dict[str, Any], body: dict[str, Any], context: dict[str, Any]) -> bool:
    """False for bots (this one included), edits, deletions and joins."""
    if event.get("bot_id") or event.get("subtype") not in _PERSON_SUBTYPES:
        return False
    user = event.get("user")
    if not user or user == context.get("bot_user_id") or user in _bot_users(body):
        return False
    return bool(event.get("channel") and event.get("ts"))


def _bot_users(body: dict[str, Any]) -> set[str]:
    """The bot users an event was delivered for: known from the request, before any auth.test."""
    found = body.get("authorizations")
    return {
        str(a.get("user_id"))
        for a in (found if isinstance(found, list) else [])
        if isinstance(a, dict) and a.get("is_bot")
    }
