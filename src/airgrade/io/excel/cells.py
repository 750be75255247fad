"""One neutraliser for every cell the platform writes to a spreadsheet (xlsx) or CSV file (formula injection).

A text cell whose first character is ``=``, ``+``, ``-``, ``@``, a tab or a carriage return is taken by Excel,
LibreOffice and WPS as a formula (or as the start of one after the program strips the control character), so an
enterprise named ``=HYPERLINK("http://…","点此")`` would become a live link or a DDE command in every downloaded
list. Such text is written with a leading apostrophe — the spreadsheet convention for "this is text" — following the
OWASP CSV-injection advice. Numbers, dates, booleans and None are left as they are, and so is text that is just a
plain decimal number ("-3.5"), which a spreadsheet reads as that number and nothing more.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping
from typing import Any

DANGEROUS_STARTS = ("=", "+", "-", "@", "\t", "\r")
_PLAIN_NUMBER = re.compile(r"[+-]?\d+(?:\.\d+)?")


def neutralise_cell(value: Any) -> Any:
    """The value to write into a cell: text that a spreadsheet would run as a formula gets a leading apostrophe."""
    if not isinstance(value, str):
        return value
    if value.startswith(DANGEROUS_STARTS) and not _PLAIN_NUMBER.fullmatch(value):
        return "'" + value
    return value


def neutralise_row(row: Mapping[str, Any]) -> dict[str, Any]:
    """A CSV DictWriter row with every cell neutralised."""
    return {key: neutralise_cell(value) for key, value in row.items()}


def neutralise_rows(rows: Iterable[Mapping[str, Any]]) -> list[dict[str, Any]]:
    return [neutralise_row(row) for row in rows]
