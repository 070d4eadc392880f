"""Text templates whose ``{placeholders}`` are checked when the file is loaded."""

import string
from typing import ClassVar

from pydantic import BaseModel, ConfigDict, model_validator


class Templates(BaseModel):
    """A group of templates; each field may use only the placeholders listed for it."""

    model_config = ConfigDict(frozen=True, extra="forbid")
    placeholders: ClassVar[dict[str, frozenset[str]]] = {}

    @model_validator(mode="after")
    def _known_placeholders(self) -> "Templates":
        for name, allowed in self.placeholders.items():
            unknown = placeholders(getattr(self, name)) - allowed
            if unknown:
                raise ValueError(f"{name}: unknown placeholder {{{sorted(unknown)[0]}}}")
        return self


def placeholders(template: str) -> set[str]:
    """The names a format string fills in."""
    try:
        return {name for _, name, _, _ in string.Formatter().parse(template) if name}
    except ValueError as error:
        raise ValueError(f"bad template {template!r}: {error}") from error
