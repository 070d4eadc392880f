"""What a CommonMark reader would make of text we send: the links it would find in it."""

from markdown_it import MarkdownIt

_READER = MarkdownIt("commonmark").enable(["table", "strikethrough"])


def link_targets(markdown: str) -> list[str]:
    """The target of every link, image or autolink a CommonMark reader finds in the text."""
    found = []
    for token in _READER.parse(markdown):
        for child in token.children or []:
            if child.type in ("link_open", "image"):
                found.append(str(child.attrs.get("href") or child.attrs.get("src")))
    return found
