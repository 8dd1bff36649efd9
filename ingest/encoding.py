"""A landing file's text encoding, and a UTF-8 copy of a file that is not UTF-8 (DuckDB's reader takes UTF-8 here).

The rule: a byte-order mark decides (UTF-8 or UTF-16, as Excel's "Unicode Text" writes); else a file that is valid
UTF-8 is UTF-8; else it is in the declared legacy encoding, $PIPELINE_INGEST_ENCODING (default cp1252, i.e.
windows-1252, what Excel on Windows writes when it re-saves a CSV; it also reads Latin-1 text). Non-ASCII text in a
legacy encoding is practically never valid UTF-8, so a UTF-8 file is never mis-read as cp1252.
"""

from __future__ import annotations

import codecs
import os
import shutil
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from ingest.errors import UnreadableFileError

UTF8 = ("utf-8", "utf-8-sig")
BLOCK_BYTES = 1 << 20
_BOMS = ((codecs.BOM_UTF8, "utf-8-sig"), (codecs.BOM_UTF16_LE, "utf-16"), (codecs.BOM_UTF16_BE, "utf-16"))


# Binary formats a text landing file turns out to be: a workbook saved under the export's .csv name, a zip download.
_NOT_TEXT = ((b"PK\x03\x04", "a zip archive, e.g. an Excel workbook (.xlsx)"),
             (b"\xd0\xcf\x11\xe0", "an old Excel workbook (.xls)"), (b"%PDF", "a PDF"))


def detect_encoding(path: Path, legacy: str) -> str:
    """The file's encoding: from its byte-order mark, else utf-8 if every byte sequence is valid UTF-8, else
    ``legacy``. Reads the file once, in blocks (bounded memory at any size). A binary file (a workbook, an archive)
    is refused by what it is: read as text it would only get encoding advice."""
    with path.open("rb") as fh:
        head = fh.read(4)  # the longest magic number or byte-order mark
        if kind := next((kind for magic, kind in _NOT_TEXT if head.startswith(magic)), None):
            raise UnreadableFileError(path, f"is {kind}, not a text file: open it and save (or export) it again as "
                                      "CSV UTF-8 (Excel: File > Save As > CSV UTF-8), or unzip it, and deliver that")
        for bom, name in _BOMS:
            if head.startswith(bom):
                return name
        decoder = codecs.getincrementaldecoder("utf-8")()
        try:
            decoder.decode(head)
            for block in iter(lambda: fh.read(BLOCK_BYTES), b""):
                decoder.decode(block)
            decoder.decode(b"", final=True)
        except UnicodeDecodeError:
            return legacy
    return "utf-8"


@contextmanager
def utf8_text(path: Path, encoding: str, temp_dir: Path) -> Iterator[Path]:
    """``path`` itself when it is UTF-8; otherwise a UTF-8 copy in ``temp_dir``, transcoded in blocks, removed on
    exit. Line breaks are copied as they are, so line and record numbers match the original file."""
    if encoding in UTF8:
        yield path
        return
    temp_dir.mkdir(parents=True, exist_ok=True)
    fd, name = tempfile.mkstemp(prefix="ingest-utf8-", suffix=path.suffix, dir=temp_dir)
    copy = Path(name)
    try:
        try:
            with os.fdopen(fd, "w", encoding="utf-8", newline="") as dst, path.open(encoding=encoding,
                                                                                    newline="") as src:
                shutil.copyfileobj(src, dst, BLOCK_BYTES)
        except UnicodeDecodeError as exc:
            raise UnreadableFileError(path, f"is neither UTF-8 nor valid {encoding} (byte {exc.object[exc.start]:#04x} "
                                      f"cannot be read): set PIPELINE_INGEST_ENCODING to the file's encoding (e.g. "
                                      f"latin-1, cp1250, mac_roman) or save it again as UTF-8") from None
        yield copy
    finally:
        copy.unlink(missing_ok=True)
