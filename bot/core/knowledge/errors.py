"""How a malformed knowledge file is reported: its file, section and field."""

from typing import Any, TypeVar

from pydantic import BaseModel, ValidationError

ModelT = TypeVar("ModelT", bound=BaseModel)


class KnowledgeError(Exception):
    """A knowledge file is malformed; names the file, the section and the field."""

    def __init__(self, file: str, section: str, field: str, problem: str) -> None:
        self.file, self.section, self.field, self.problem = file, section, field, problem
        super().__init__(f"{file}: section '{section}', field '{field}': {problem}")


def validated(model: type[ModelT], file: str, section: str, data: Any) -> ModelT:
    """Validate data as a model, turning the first error into a KnowledgeError."""
    try:
        return model.model_validate(data)
    except ValidationError as error:
        first = error.errors()[0]
        field = ".".join(str(p) for p in first["loc"] if p != "[key]") or "(whole entry)"
        raise KnowledgeError(file, section, field, first["msg"]) from None


def validated_file(model: type[ModelT], file: str, data: dict[str, Any]) -> ModelT:
    """Validate a whole file as a model; an error names the table that holds the bad field."""
    try:
        return model.model_validate(data)
    except ValidationError as error:
        first = error.errors()[0]
        section, field = _table_and_field([p for p in first["loc"] if p != "[key]"], data)
        raise KnowledgeError(file, section, field, first["msg"]) from None


def _table_and_field(loc: list[str | int], data: dict[str, Any]) -> tuple[str, str]:
    """A pydantic error location split into the TOML table and the field within it."""
    last = len(loc) - 1
    while last > 0 and isinstance(loc[last], int):  # an item of a list belongs to the list's key
        last -= 1
    if last <= 0:
        name = str(loc[0]) if loc else "(whole file)"
        # a whole table failed its own check ([recommendation]), or a top-level key is wrong
        return (name, "(whole entry)") if isinstance(data.get(name), dict) else ("(top level)", name)
    field = str(loc[last]) + "".join(f"[{i}]" for i in loc[last + 1 :])
    return ".".join(str(p) for p in loc[:last]), field
