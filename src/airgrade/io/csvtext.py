"""CSV files as users upload them: UTF-8 (with or without a byte-order mark) or GB18030, any line ends (a lone CR from
old Mac exports ends a line too). The callers word their own refusals."""

from __future__ import annotations

import csv
import io

from airgrade.core.errors import AirgradeError

ENCODINGS = ("utf-8-sig", "gb18030")


class CsvLineError(AirgradeError, ValueError):
    """A line csv cannot read (a cell beyond its field size limit)."""

    def __init__(self, line: int, reason: str) -> None:
        super().__init__(f"line {line}: {reason}")
        self.line, self.reason = line, reason


def decode(content: bytes) -> str | None:
    """The file's text in the first encoding that reads it; None when neither does."""
    for encoding in ENCODINGS:
        try:
            return content.decode(encoding)
        except UnicodeDecodeError:
            continue
    return None


def rows(text: str) -> list[list[str]]:
    """The rows of a CSV text (universal newlines); CsvLineError names the line csv cannot read."""
    reader = csv.reader(io.StringIO(text, newline=None))
    try:
        return list(reader)
    except csv.Error as exc:
        raise CsvLineError(reader.line_num, str(exc)) from None
