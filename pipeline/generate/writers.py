"""Streaming writers: CSV and JSON-lines files that rotate into numbered parts past a line budget."""

from __future__ import annotations

import csv
import json
from pathlib import Path
from typing import Any


class RotatingCsv:
    """Writes rows to ``<stem>-0001.csv``, ``-0002`` ... so no file exceeds ``max_lines`` data rows."""

    def __init__(self, folder: Path, stem: str, header: list[str], max_lines: int,
                 bom: bool = False, header_for_part=None) -> None:
        self.folder, self.stem, self.header, self.max_lines, self.bom = folder, stem, header, max_lines, bom
        self.header_for_part = header_for_part
        folder.mkdir(parents=True, exist_ok=True)
        self.part = 0
        self.lines = 0
        self._fh = None
        self._writer: Any = None
        self._columns = header
        self.paths: list[Path] = []

    def _open(self) -> None:
        self.close()
        self.part += 1
        path = self.folder / f"{self.stem}-{self.part:04d}.csv"
        self.paths.append(path)
        self._fh = path.open("w", newline="", encoding="utf-8-sig" if self.bom else "utf-8")
        self._columns = self.header_for_part(self.part) if self.header_for_part else self.header
        self._writer = csv.writer(self._fh, lineterminator="\n")
        self._writer.writerow(self._columns)
        self.lines = 0

    def write_group(self, rows: list[dict[str, Any]]) -> None:
        """Write rows that must stay in one file (an order's line items)."""
        if self._fh is None or self.lines + len(rows) > self.max_lines:
            self._open()
        for row in rows:
            self._writer.writerow([row.get(col, "") for col in self._columns])
        self.lines += len(rows)

    def close(self) -> None:
        if self._fh is not None:
            self._fh.close()
            self._fh = None


class RotatingJsonl:
    """One JSON document per line (an API page with its request), rotating into numbered parts."""

    def __init__(self, folder: Path, stem: str, max_lines: int) -> None:
        self.folder, self.stem, self.max_lines = folder, stem, max_lines
        folder.mkdir(parents=True, exist_ok=True)
        self.part = 0
        self.lines = 0
        self._fh = None

    def write(self, doc: dict[str, Any]) -> None:
        if self._fh is None or self.lines >= self.max_lines:
            self.close()
            self.part += 1
            self._fh = (self.folder / f"{self.stem}-{self.part:04d}.jsonl").open("w", encoding="utf-8")
            self.lines = 0
        self._fh.write(json.dumps(doc, ensure_ascii=False, separators=(",", ":")))
        self._fh.write("\n")
        self.lines += 1

    def close(self) -> None:
        if self._fh is not None:
            self._fh.close()
            self._fh = None


def api_page(endpoint: str, params: dict[str, Any], fetched_at: str, response: dict[str, Any],
             account: str | None = None) -> dict[str, Any]:
    """The landing envelope every connector writes: the request that was made and the body verbatim."""
    request: dict[str, Any] = {"endpoint": endpoint, "params": params, "fetched_at": fetched_at}
    if account is not None:
        request["account"] = account
    return {"request": request, "response": response}
