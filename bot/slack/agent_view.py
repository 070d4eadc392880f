"""Slack's agent messaging experience (``features.agent_view``): the Messages tab and thread titles.

Under agent_view the Messages tab is the conversation: ``app_home_opened`` with ``tab ==
"messages"`` says a person opened it (``assistant_thread_started`` no longer arrives), every
top-level message there starts its own thread, and suggested prompts sit at the top of the
conversation, so they are set without a ``thread_ts`` (a call with one silently fails).

``app_context_changed`` (what the person is viewing elsewhere in Slack) is ignored on purpose and
not subscribed in the manifest: answers depend only on the question and its thread, and the
advisor has no reason to follow people around their workspace.
"""

import logging
import re
from functools import partial
from typing import Any

from slack_bolt import App
from slack_sdk import WebClient
from slack_sdk.errors import SlackApiError

from bot.core.knowledge.wording import SlackText
from bot.slack.jobs import Submit

log = logging.getLogger("bot.slack.agent_view")

TITLE_CHARS = 60  # thread titles show in the DM history list: keep them to a glance
_SPACE = re.compile(r"\s+")


class MessagesTab:
    """Offers the example questions when someone opens the app's Messages tab."""

    def __init__(self, text: SlackText, client: WebClient, submit: Submit) -> None:
        self.text, self.client, self.submit = text, client, submit

    def register(self, app: App) -> None:
        """Listen for the Messages tab opening, then take every other tab's opening too.

        Register after the Home tab's listener: Bolt runs the first listener that matches, and
        answers 404 for an event none matches, which Slack then retries as if it had failed.
        """
        app.event("app_home_opened", matchers=[_messages_tab])(self.on_opened)
        app.event("app_home_opened")(_other_tab_opened)

    def on_opened(self, event: dict[str, Any]) -> None:
        """Set the suggested prompts from the answer pool; the acknowledgement does no I/O."""
        channel = event.get("channel")
        if isinstance(channel, str) and channel:
            self.submit(partial(self.suggest, channel))

    def suggest(self, channel: str) -> None:
        """The prompts at the top of the conversation: no thread_ts under agent_view."""
        prompts = [{"title": p.title, "message": p.message} for p in self.text.suggested_prompts]
        try:
            self.client.assistant_threads_setSuggestedPrompts(
                channel_id=channel, prompts=prompts, title=self.text.prompts_title
            )
        except SlackApiError as error:
            log.info("suggested prompts not set: %s", error.response.get("error"))


def thread_title(question: str, more: str) -> str:
    """A one-line title from a question: whitespace folded, cut at a word near TITLE_CHARS."""
    line = _SPACE.sub(" ", question).strip()
    if len(line) <= TITLE_CHARS:
        return line
    cut = line.rfind(" ", 0, TITLE_CHARS)
    return line[: cut if cut > TITLE_CHARS // 2 else TITLE_CHARS].rstrip() + more


def title_thread(client: WebClient, channel: str, thread_ts: str, question: str, more: str) -> None:
    """Name a new DM thread after its question (shown in the DM history); never fails an answer."""
    title = thread_title(question, more)
    if not title or not channel.startswith("D"):  # only the app's DM has a thread history to name
        return
    try:
        client.assistant_threads_setTitle(channel_id=channel, thread_ts=thread_ts, title=title)
    except SlackApiError as error:
        log.info("thread title not set: %s", error.response.get("error"))


def asked_question(template: str, text: str) -> str | None:
    """The question in a message the Home tab posted for someone (``asked``), else None."""
    prefix, _, suffix = template.partition("{question}")
    if len(text) > len(prefix) + len(suffix) and text.startswith(prefix) and text.endswith(suffix):
        return text[len(prefix) : len(text) - len(suffix)].strip() or None
    return None


def _other_tab_opened() -> None:
    """An App Home tab with nothing to do (the About tab, or a tab Slack adds later): acknowledged."""


def _messages_tab(event: dict[str, Any]) -> bool:
    return event.get("tab") == "messages"
