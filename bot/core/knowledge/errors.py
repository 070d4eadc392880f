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
