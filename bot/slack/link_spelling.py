"""Markdown without hidden links: every link whose label is not its own URL is spelled out.

The text is parsed as CommonMark (with tables and strikethrough, as Slack's ``markdown`` block
reads it). Blocks without links keep their source lines as written; blocks with links are
written back with each link as ``label (url)``, each image as ``alt (src)`` and each autolink
as its bare URL. As a second line of defence, whatever could still begin a link destination,
reference or definition (``](``, ``][``, ``]:``, also with spaces or a line break between) gets
an invisible word joiner after the bracket, so no link can form later either: not across
streamed pieces, not where a long answer is split, not in a parser that differs from CommonMark.
"""

import re

from markdown_it import MarkdownIt
from markdown_it.tree import SyntaxTreeNode

_PARSER = MarkdownIt("commonmark", {"html": False}).enable(["table", "strikethrough"])
_LINK_TAIL = re.compile(r"\](?=[ \t]*\n?[ \t]*[(\[:])")
_WORD_JOINER = "\u2060"
_FENCE = re.compile(r"`+|~+")
# Blocks whose later lines can change what earlier ones mean: released only once finished.
_GROWING = frozenset({"fence", "code_block", "bullet_list", "ordered_list", "blockquote", "table"})
# Growing blocks made of items or child blocks that a later one cannot change.
_ITEMIZED = frozenset({"bullet_list", "ordered_list", "blockquote"})
# A line that may end a held block: a blank line or a code fence.
_MAY_END = re.compile(r"(?:^|\n)[ \t]*(?:\n|```|~~~)")


def spell_out_links(text: str) -> str:
    """The Markdown with every link's target visible and no way left to form a hidden link."""
    return _defuse(_spelled(_normalized(text)))


def _normalized(text: str) -> str:
    """Line ends and NULs as the parser sees them, so its line numbers index our lines."""
    return text.replace("\r\n", "\n").replace("\r", "\n").replace("\0", "\ufffd")


def _defuse(text: str) -> str:
    """A word joiner after any ``]`` that could still begin a link destination or reference."""
    return _LINK_TAIL.sub("]" + _WORD_JOINER, text)


def _spelled(text: str) -> str:
    """Normalized Markdown with its links spelled out, other blocks as written."""
    lines = text.split("\n")
    out: list[str] = []
    at = 0
    for block in SyntaxTreeNode(_PARSER.parse(text)).children:
        start, stop = block.map or (at, at)
        out += lines[at:start]
        out += "\n".join(_block(block)).split("\n") if _has_link(block) else lines[start:stop]
        at = max(at, stop)
    return "\n".join(out + lines[at:])


def _has_link(node: SyntaxTreeNode) -> bool:
    """Whether a link or image is anywhere inside the node."""
    return node.type in ("link", "image") or any(_has_link(child) for child in node.children)


class SpelledStream:
    """Spells out links in Markdown that arrives in pieces (a streamed answer).

    Whole lines are released as they arrive, except those of a list, quote, table or code block
    still in progress: those wait until the block is finished, so no piece boundary cuts one. A
    list or quote is released up to its last item or child block, since a later item cannot
    change an earlier one, so lists stream like paragraphs. ``finish`` releases the rest. The
    defusing makes the pieces safe together, too.

    Work stays linear in the answer's length: the held text is parsed again only when a line
    arrives that may end the held block (a blank or fence line) or when it has doubled since.
    """

    def __init__(self, parser: MarkdownIt = _PARSER) -> None:
        self._parser = parser
        self._pending = ""  # source not yet released; always starts at a line start
        self._after_cr = False
        self._held = 0  # length of pending when it was last parsed and all held back

    def feed(self, text: str) -> str:
        """Append source text; returns what became safe to show (possibly nothing)."""
        if self._after_cr and text.startswith("\n"):  # a CR LF split between two pieces
            text = text[1:]
        self._after_cr = text.endswith("\r")
        text = _normalized(text)
        self._pending += text
        if self._held and len(self._pending) < 2 * self._held and not _MAY_END.search(text):
            return ""  # still inside the held block: parsing again now would be quadratic
        ready = self._ready()
        if ready <= 0:
            self._held = len(self._pending)
            return ""
        self._held = 0
        lines = self._pending.split("\n")
        self._pending = "\n".join(lines[ready:])
        return _defuse(_spelled("\n".join(lines[:ready])) + "\n")

    def _ready(self) -> int:
        """How many whole lines of the pending text can be released now."""
        ready = self._pending.count("\n")  # the last line is not finished yet
        blocks = SyntaxTreeNode(self._parser.parse(self._pending)).children
        if blocks and blocks[-1].type in _GROWING and blocks[-1].map:
            last = blocks[-1]
            start = last.map[0] if last.map else 0
            if last.type in _ITEMIZED and last.children and last.children[-1].map:
                start = max(start, last.children[-1].map[0])  # earlier items are finished
            ready = min(ready, start)
        return ready

    def finish(self) -> str:
        """Everything not yet released."""
        pending, self._pending, self._held = self._pending, "", 0
        return _defuse(_spelled(pending))


def _blocks(node: SyntaxTreeNode) -> list[str]:
    """The rendered child blocks of a container."""
    return [piece for child in node.children for piece in _block(child)]


def _block(node: SyntaxTreeNode) -> list[str]:
    """One block as Markdown (empty list for blocks that render to nothing)."""
    kind = node.type
    if kind == "paragraph":
        return [_inline(node.children)]
    if kind == "heading":
        return ["#" * int(node.tag[1:]) + " " + _inline(node.children)]
    if kind in ("fence", "code_block"):
        return [_code_block(node.content, node.info if kind == "fence" else "")]
    if kind == "hr":
        return ["---"]
    if kind == "blockquote":
        inner = "\n\n".join(_blocks(node))
        return ["\n".join("> " + line if line else ">" for line in inner.split("\n"))]
    if kind in ("bullet_list", "ordered_list"):
        return [_list(node)]
    if kind == "table":
        return [_table(node)]
    if kind == "inline":
        return [_inline(node.children)]
    return [_inline(node.children)] if node.children else []


def _list(node: SyntaxTreeNode) -> str:
    """A list, numbered from its start for ordered lists."""
    ordered = node.type == "ordered_list"
    start = int(str(node.attrs.get("start", 1))) if ordered else 1
    tight = any(child.children and child.children[0].hidden for child in node.children)
    items = []
    for number, item in enumerate(node.children, start=start):
        marker = f"{number}{node.markup}" if ordered else node.markup or "-"
        body = ("\n" if tight else "\n\n").join(_blocks(item))
        pad = " " * (len(marker) + 1)
        lines = body.split("\n")
        items.append("\n".join([f"{marker} {lines[0]}", *(pad + line if line else "" for line in lines[1:])]))
    return ("\n" if tight else "\n\n").join(items)


def _table(node: SyntaxTreeNode) -> str:
    """A table, one row per line, with the header rule after the first row."""
    rows = [row for part in node.children for row in part.children]
    lines = [
        "| " + " | ".join(_inline(cell.children).replace("|", "\\|") for cell in row.children) + " |"
        for row in rows
    ]
    if lines:
        lines.insert(1, "|" + " --- |" * len(rows[0].children))
    return "\n".join(lines)


def _code_block(content: str, info: str) -> str:
    """A fenced code block whose fence no line of the content can close."""
    longest = max((len(run) for run in _FENCE.findall(content)), default=0)
    fence = "`" * max(3, longest + 1)
    return f"{fence}{info.split()[0] if info.split() else ''}\n{content.rstrip(chr(10))}\n{fence}"


def _inline(nodes: list[SyntaxTreeNode]) -> str:
    """Inline content as Markdown, with links spelled out."""
    out = []
    for node in nodes:
        kind = node.type
        if kind == "inline":
            out.append(_inline(node.children))
        elif kind in ("text", "html_inline"):
            out.append(node.content)
        elif kind in ("softbreak", "hardbreak"):
            out.append("\n")
        elif kind == "code_inline":
            out.append(_code_span(node.content))
        elif kind in ("em", "strong", "s"):
            out.append(node.markup + _inline(node.children) + node.markup)
        elif kind == "link":
            out.append(_link_text(_inline(node.children), str(node.attrs.get("href", ""))))
        elif kind == "image":
            out.append(_link_text(_inline(node.children), str(node.attrs.get("src", ""))))
        else:
            out.append(_inline(node.children) if node.children else node.content)
    return "".join(out)


def _link_text(label: str, target: str) -> str:
    """``label (target)``, or the target alone when the label says nothing else."""
    shown = label.strip()
    if not shown or shown in (target, target.removeprefix("mailto:")):
        return target
    return f"{label} ({target})"


def _code_span(content: str) -> str:
    """A code span whose backticks no run inside the content can close."""
    longest = max((len(run) for run in re.findall(r"`+", content)), default=0)
    ticks = "`" * (longest + 1)
    pad = " " if content.startswith("`") or content.endswith("`") else ""
    return f"{ticks}{pad}{content}{pad}{ticks}"
