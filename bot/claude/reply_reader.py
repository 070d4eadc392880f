"""Reads a model reply as it streams: the metadata line, the visible text and the citations."""

from collections.abc import Iterator

from bot.claude.model_interface import ModelError
from bot.core.answer import Answer, FrameworkId
from bot.core.failure import FailureReason
from bot.core.knowledge import Knowledge
from bot.core.reply_format import MAX_META_CHARS, META_PREFIX, Meta, ReplyFormat, parse_meta


class ReplyReader:
    """Separates the metadata line from the visible text and collects citations."""

    def __init__(self, knowledge: Knowledge, reply_format: ReplyFormat) -> None:
        self._knowledge, self._format = knowledge, reply_format
        self._pending = ""
        self._meta: Meta | None = None
        self._decided = False
        self._text: list[str] = []
        self._cited: dict[str, None] = {}

    def feed(self, text: str) -> Iterator[str]:
        """Visible chunks for a piece of reply text (nothing until the first line is known)."""
        if self._decided:
            yield from self._visible(text)
            return
        self._pending += text
        if self._settle_first_line():
            yield from self._visible(self._pending)
            self._pending = ""

    def _settle_first_line(self) -> bool:
        """Try to decide whether the reply opens with a metadata line; True once decided."""
        head = self._pending.lstrip()
        if not META_PREFIX.startswith(head[: len(META_PREFIX)]):
            self._decided = True  # no metadata line; everything is visible text
            return True
        if "\n" not in head:
            if len(head) > MAX_META_CHARS:
                raise ModelError(FailureReason.UNUSABLE, "metadata line too long")
            return False
        line, rest = head.split("\n", 1)
        self._meta = parse_meta(line)
        if self._meta is None:
            raise ModelError(FailureReason.UNUSABLE, "malformed metadata line")
        self._decided, self._pending = True, rest.lstrip("\n")
        return True

    def _visible(self, text: str) -> Iterator[str]:
        """Record and pass on visible text, skipping the blank start."""
        if not self._text:
            text = text.lstrip()
        if text:
            self._text.append(text)
            yield text

    def cite(self, source: str) -> None:
        """Remember a cited section, if it is one we sent."""
        if source in self._knowledge.sections:
            self._cited[source] = None

    def close(self) -> str:
        """Text still held back when the reply ended (a reply too short to have a first line)."""
        if self._decided or not self._pending.strip():
            return ""
        if self._pending.lstrip().startswith(META_PREFIX):
            raise ModelError(FailureReason.UNUSABLE, "reply has only a metadata line")
        self._decided = True
        return "".join(self._visible(self._pending))

    def answer(self, uncited_note: str) -> Answer:
        """The final Answer; an empty reply is unusable."""
        text = "".join(self._text).strip()
        if not text:
            raise ModelError(FailureReason.UNUSABLE, "empty reply")
        in_scope = self._meta.in_scope if self._meta else True
        sources = self._knowledge.sources(self._cited)
        note = uncited_note if in_scope and not sources else None
        return Answer(
            text=text,
            recommendation=self._recommendation(text),
            in_scope=in_scope,
            mode="llm",
            sources=sources,
            note=note,
        )

    def _recommendation(self, text: str) -> FrameworkId | None:
        """From the metadata line, else from a headline in the text."""
        if self._meta is not None:
            return self._meta.recommendation
        return self._format.recommendation(text)
