"""Writing fetched pages to the landing folder: a run's pages go to a hidden temporary file that is renamed into
place only when the run ends (successfully or not), so ingest never sees a half-written file; the cursor is saved
after the rename, so a crash between the two re-fetches pages rather than skipping them."""

from __future__ import annotations

import json
import os
import re
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

SECRET_PARAM = re.compile(r"((?:access_token|client_secret|appsecret_proof)=)[^&\s\"]+")


def redact(value: Any) -> Any:
    """APIs echo credentials in paging URLs (Graph's paging.next carries access_token): never land them."""
    if isinstance(value, str):
        return SECRET_PARAM.sub(r"\1REDACTED", value)
    if isinstance(value, list):
        return [redact(v) for v in value]
    if isinstance(value, dict):
        return {k: redact(v) for k, v in value.items()}
    return value


class PageWriter:
    def __init__(self, folder: Path, stem: str) -> None:
        folder.mkdir(parents=True, exist_ok=True)
        stamp = datetime.now(UTC).strftime("%Y%m%dT%H%M%S%fZ")
        self.final = folder / f"{stem}-{stamp}.jsonl"
        self.tmp = folder / f".{stem}-{stamp}.jsonl.part"
        self._fh = self.tmp.open("w", encoding="utf-8")
        self.pages = 0

    def write(self, request: dict[str, Any], response: dict[str, Any], headers: dict[str, str] | None = None) -> None:
        doc: dict[str, Any] = {"request": redact({**request, "fetched_at": datetime.now(UTC).isoformat()}),
                               "response": redact(response)}
        if headers:
            doc["headers"] = headers
        self._fh.write(json.dumps(doc, separators=(",", ":")) + "\n")
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
