"""Errors users see as one line: where, and what."""
from __future__ import annotations


class BindergraphError(Exception):
    """Base class: its str() is the one-line message the CLI prints."""
    exit_code = 1


class RecordError(BindergraphError):
    """A curated record is malformed or inconsistent."""

    def __init__(self, file: str, record: str | None, field: str | None, message: str, line: int | None = None):
        self.file, self.record, self.field, self.message, self.line = file, record, field, message, line
        where = file + (f":{line}" if line else "")
        parts = [where]
        if record:
            parts.append(f"record {record}")
        if field:
            parts.append(f"field {field}")
        super().__init__(", ".join(parts) + ": " + message)


class RecordErrors(BindergraphError):
    """Several record errors, one per line."""

    def __init__(self, errors: list[RecordError]):
        self.errors = errors
        super().__init__("\n".join(str(e) for e in errors))


class JavaMissingError(BindergraphError):
    exit_code = 3


class InconsistentOntologyError(BindergraphError):
    exit_code = 4


class ShapeViolationError(BindergraphError):
    exit_code = 5


class EvidenceError(BindergraphError):
    exit_code = 6


class QueryError(BindergraphError):
    exit_code = 2


class NotBuiltError(BindergraphError):
    exit_code = 2
