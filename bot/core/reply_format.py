"""The answer's reply format, owned in one place: the model's metadata line and the headline.

A model reply opens with ``ANSWER-META recommendation=<id|none> scope=<in|out>``; any answer (the
model's or the rules') may open with the headline from ``responses.toml`` (``**Recommendation:
{name}**``, or the combined ``{first} + {second}`` form), naming frameworks from ``frameworks.toml``.
"""

import re
from dataclasses import dataclass

from bot.core.answer import FRAMEWORK_IDS, FrameworkId
from bot.core.knowledge import Knowledge

META_PREFIX = "ANSWER-META"
# A metadata line longer than this is not one; the reply is malformed.
MAX_META_CHARS = 200
_META = re.compile(rf"^\s*{META_PREFIX}\s+recommendation=(\w+)\s+scope=(\w+)\s*$")


@dataclass(frozen=True)
class Meta:
    """The machine-readable first line of a model reply."""

    recommendation: FrameworkId | None
    in_scope: bool


@dataclass(frozen=True)
class Headline:
    """A headline found on an answer's first line: the name it shows and the framework it means."""

    name: str
    recommendation: FrameworkId | None


def parse_meta(line: str) -> Meta | None:
    """The metadata line's values, or None when the line is not a valid one."""
    match = _META.match(line)
    if match is None:
        return None
    recommendation, scope = match[1].lower(), match[2].lower()
    if scope not in ("in", "out"):
        return None
    if recommendation == "none":
        return Meta(recommendation=None, in_scope=scope == "in")
    chosen = next((f for f in FRAMEWORK_IDS if f == recommendation), None)
    return None if chosen is None else Meta(recommendation=chosen, in_scope=scope == "in")


class ReplyFormat:
    """Finds the headline of an answer, built from the configured wording and framework names."""

    def __init__(self, knowledge: Knowledge) -> None:
        self._ids = {f.name.lower(): f.id for f in knowledge.frameworks.values()}
        names = "|".join(re.escape(f.name) for f in knowledge.frameworks.values())
        wording = knowledge.responses
        single = _template_pattern(wording.recommendation.headline, {"name": rf"(?P<name>{names})"})
        pair = _template_pattern(
            wording.combination.headline, {"first": rf"(?P<first>{names})", "second": rf"(?P<second>{names})"}
        )
        self._single = re.compile(single, re.IGNORECASE)
        self._pair = re.compile(pair, re.IGNORECASE)

    def headline(self, text: str) -> tuple[Headline | None, str]:
        """The headline on the text's first line, if any, and the text after it."""
        first, _, rest = text.strip().partition("\n")
        if match := self._single.fullmatch(first.strip()):
            name = match["name"]
            return Headline(name=name, recommendation=self._ids[name.lower()]), rest.strip()
        if match := self._pair.fullmatch(first.strip()):
            # the combined setup counts as its first framework, as the model is told to mark it
            name, first_id = f"{match['first']} + {match['second']}", self._ids[match["first"].lower()]
            return Headline(name=name, recommendation=first_id), rest.strip()
        return None, text

    def recommendation(self, text: str) -> FrameworkId | None:
        """The framework a headline anywhere in the text recommends."""
        for line in text.splitlines():
            found, _ = self.headline(line)
            if found is not None:
                return found.recommendation
        return None


def _template_pattern(template: str, groups: dict[str, str]) -> str:
    """A regex for a wording template: literal text, flexible spaces, placeholders as groups."""
    pattern = re.escape(template)
    for name, group in groups.items():
        pattern = pattern.replace(re.escape("{" + name + "}"), group)
    return re.sub(r"(\\ )+", r"\\s*", pattern)
