"""Writing fetched pages to the landing folder: a run's pages go to a hidden temporary file that is renamed into
place only when the run ends (successfully or not), so ingest never sees a half-written file; the cursor is saved
after the rename, so a crash between the two re-fetches pages rather than skipping them."""

from __future__ import annotations

import json
import os
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from ingest.connectors.redaction import redact


class PageWriter:
    def __init__(self, folder: Path, stem: str) -> None:
        folder.mkdir(parents=True, exist_ok=True)
        stamp = datetime.now(UTC).strftime("%Y%m%dT%H%M%S%fZ")
        self.final = folder / f"{stem}-{stamp}.jsonl"
        self.tmp = folder / f".{stem}-{stamp}.jsonl.part"
        self._fh = self.tmp.open("w", encoding="utf-8")
        self.pages = 0

    def write(self, request: dict[str, Any], response: dict[str, Any], headers: dict[str, str] | None = None) -> None:
        doc: dict[str, Any] = {"request": {**request, "fetched_at": datetime.now(UTC).isoformat()},
                               "response": response}
        if headers:
            doc["headers"] = headers
        # APIs echo credentials (Graph's paging.next carries access_token): the whole line is redacted, never landed
        # with a secret. Redacting the JSON text keeps it valid: a mask is plain letters, tokens hold no quotes.
        self._fh.write(redact(json.dumps(doc, separators=(",", ":"))) + "\n")
        self.pages += 1

    def close(self) -> Path | None:
        """Publish the file (None when no page was fetched)."""
        self._fh.flush()
        os.fsync(self._fh.fileno())
        self._fh.close()
        if not self.pages:
            self.tmp.unlink()
            return None
        os.replace(self.tmp, self.final)
        return self.final


def read_state(path: Path) -> dict[str, Any]:
    return json.loads(path.read_text()) if path.exists() else {}


def write_state(path: Path, state: dict[str, Any]) -> None:
    tmp = path.with_suffix(".tmp")
    tmp.write_text(json.dumps(state, indent=1))
    os.replace(tmp, path)
