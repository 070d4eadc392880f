"""The answer contract every front end renders, and the conversation turns it builds on."""

from typing import Literal, get_args

from pydantic import BaseModel, ConfigDict, Field

FrameworkId = Literal["django", "flask", "fastapi"]
# The one list of framework ids; everything else (knowledge checks, prompts) derives from it.
FRAMEWORK_IDS: tuple[FrameworkId, ...] = get_args(FrameworkId)
Mode = Literal["rules", "llm"]
Role = Literal["user", "assistant"]


class Source(BaseModel):
    """A knowledge section an answer drew on."""

    model_config = ConfigDict(frozen=True)

    id: str
    title: str


class Answer(BaseModel):
    """One answer, the same shape for the console, JSON output and Slack."""

    model_config = ConfigDict(frozen=True)

    text: str = Field(description="The answer in Markdown.")
    recommendation: FrameworkId | None = None
    in_scope: bool = True
    mode: Mode = "rules"
    sources: list[Source] = Field(default_factory=list)
    note: str | None = Field(
        default=None,
        description="One line on how the answer was made, e.g. why the rules answered.",
    )


class Turn(BaseModel):
    """One earlier message of a conversation, oldest first in a history."""

    model_config = ConfigDict(frozen=True)

    role: Role
    text: str
