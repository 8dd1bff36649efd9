"""One exception type per failure kind; each names the file (and column) and says what was expected."""

from __future__ import annotations

from pathlib import Path


class IngestError(Exception):
    """A whole file could not be loaded. Nothing of it was written."""

    def __init__(self, path: Path | str, message: str) -> None:
        self.path = str(path)
        super().__init__(f"{self.path}: {message}")


class MissingColumnError(IngestError):
    """Every required column the header lacks, at once: naming only the first, a fix met the next refusal."""

    def __init__(self, path: Path | str, columns: list[str], expected: str) -> None:
        self.columns = columns
        missing = (f"required column {columns[0]!r} is missing" if len(columns) == 1
                   else f"required columns {', '.join(map(repr, columns))} are missing")
        super().__init__(path, f"{missing} (expected header: {expected})")


class UnreadableFileError(IngestError):
    """The file is not in the format the source expects (not CSV, not JSON lines, empty...)."""


class WarehouseSchemaError(Exception):
    """A raw table holds a column with another type than its source now declares: loading on would mix types."""


class WarehouseMissing(Exception):
    """A command that reads the warehouse found no warehouse file (a new data folder, or a wrong path)."""


class RejectShareExceeded(Exception):
    """Files loaded (their good rows committed), but too large a share of a file's rows was quarantined."""


class WarehouseLocked(Exception):
    """Another process holds the warehouse file (DuckDB allows one process per file while it writes)."""


class PiiKeyMismatch(Exception):
    """The warehouse's pseudonyms were made with another PII key: loading on would mix two keys."""
