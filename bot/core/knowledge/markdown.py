"""Markdown prose: one citable section per ``## Title {#id}`` heading."""

import re

from bot.core.knowledge.errors import KnowledgeError, validated
from bot.core.knowledge.schemas import Section

_HEADING = re.compile(r"^##\s+(?P<title>.+?)\s*\{#(?P<id>[a-z0-9][a-z0-9-]*)\}\s*$")


def parse_sections(text: str, file: str) -> list[Section]:
    """Split one Markdown file into sections at ``## Title {#id}`` headings."""
    sections: list[Section] = []
    for title, section_id, lines in _raw_sections(text, file):
        keywords, body = _split_keywords(lines)
        sections.append(
            validated(
                Section,
                file,
                section_id,
                {
                    "id": section_id,
                    "title": title,
                    "body": body,
                    "keywords": keywords,
                    "file": file,
                },
            )
        )
    return sections


def _raw_sections(text: str, file: str) -> list[tuple[str, str, list[str]]]:
    """Headings with their lines; any other ``##`` heading is an error."""
    found: list[tuple[str, str, list[str]]] = []
    for number, line in enumerate(text.splitlines(), start=1):
        if line.startswith("## "):
            match = _HEADING.match(line)
            if match is None:
                raise KnowledgeError(file, f"line {number}", "id", "heading needs a {#id} suffix")
            found.append((match["title"], match["id"], []))
        elif found:
            found[-1][2].append(line)
    return found


def _split_keywords(lines: list[str]) -> tuple[list[str], str]:
    """Take an optional ``Keywords:`` line off the top of a section's lines."""
    keywords: list[str] = []
    if lines and lines[0].lower().startswith("keywords:"):
        keywords = [k.strip() for k in lines[0].split(":", 1)[1].split(",") if k.strip()]
        lines = lines[1:]
    return keywords, unwrap("\n".join(lines).strip())


_BLOCK_START = re.compile(r"^\s*(?:[-*+]\s|\d+[.)]\s|```|#|>|\|)")


def unwrap(text: str) -> str:
    """Join hard-wrapped lines into one line per paragraph or list item."""
    out: list[str] = []
    for line in text.splitlines():
        joinable = out and out[-1].strip() and line.strip() and not _BLOCK_START.match(line)
        if joinable and not out[-1].lstrip().startswith("```"):
            out[-1] = f"{out[-1].rstrip()} {line.strip()}"
        else:
            out.append(line.rstrip())
    return "\n".join(out)
