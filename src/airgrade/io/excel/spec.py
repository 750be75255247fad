"""Workbook layouts as data: each column declared once (header, aliases, type, unit, required, allowed values, field)
so that the reader, the writer, the template download and the documentation all come from the same declaration.

Pure Python: no Django and no spreadsheet library here (the reader and writer modules bring those).
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass, field
from typing import Any

TEXT = "text"
INTEGER = "integer"
NUMBER = "number"
BOOLEAN = "boolean"
DATE = "date"
CHOICE = "choice"

TYPE_LABELS = {
    TEXT: "文本",
    INTEGER: "整数",
    NUMBER: "数字",
    BOOLEAN: "是/否",
    DATE: "日期",
    CHOICE: "选项",
}

_SPACES = re.compile(r"\s+")
# Required-column markers and decoration that templates put around header text.
_DECORATION = str.maketrans("", "", "*※★☆:：")
_UNIT = re.compile(r"^(?P<base>.*?)[(\[](?P<unit>[^()\[\]]*)[)\]]$")


def fold(text: Any) -> str:
    """Header text as compared: full-width folded to half-width (NFKC), whitespace and decoration removed, lower case."""
    folded = unicodedata.normalize("NFKC", str(text if text is not None else ""))
    return _SPACES.sub("", folded).translate(_DECORATION).lower()


def split_unit(folded: str) -> tuple[str, str]:
    """'产能(万吨/年)' → ('产能', '万吨/年'); a header without a trailing bracket has no unit."""
    match = _UNIT.match(folded)
    if not match:
        return folded, ""
    return match["base"], match["unit"]


def unit_factor(found: str, declared: str) -> float | None:
    """The factor that turns a value in the header's unit into the declared unit; None when they cannot be converted.

    Only the ten-thousand prefix (万) is converted — the one variation lists really show (万元 vs 元, 万吨 vs 吨)."""
    found, declared = fold(found), fold(declared)
    if not found or not declared or found == declared:
        return 1.0
    if found == "万" + declared:
        return 10000.0
    if declared == "万" + found:
        return 0.0001
    return None


@dataclass(frozen=True)
class Column:
    """One column of a layout. `key` is the field the value lands in; `header` the text written in the template."""

    key: str
    header: str
    type: str = TEXT
    unit: str = ""
    required: bool = False
    aliases: tuple[str, ...] = ()
    choices: tuple[tuple[str, str], ...] = ()  # (stored value, Chinese label)
    group: str = ""  # upper header of a two-level header (merged across its columns)
    note: str = ""
    example: Any = None
    width: int = 14
    # Where a unit written in this column's header goes when the row leaves that unit column empty
    # (e.g. "产能（万吨/年）" fills 产能单位).
    unit_column: str = ""

    @property
    def title(self) -> str:
        return f"{self.header}（{self.unit}）" if self.unit else self.header

    def names(self) -> list[str]:
        """Every folded text that identifies this column, with and without its group."""
        bases = [self.header, *self.aliases]
        names = [fold(name) for name in bases]
        if self.group:
            names += [fold(self.group) + fold(name) for name in bases]
        return names

    def label_of(self, value: Any) -> Any:
        for stored, label in self.choices:
            if stored == value:
                return label
        return value


@dataclass(frozen=True)
class Layout:
    """A sheet layout: its columns in order, where it comes from and whether the official text publishes it."""

    key: str
    title: str
    sheet: str
    columns: tuple[Column, ...]
    source: str = ""
    # True only when the column list is published in a public official text; otherwise our own documented layout.
    official: bool = False
    note: str = ""
    header_aliases: dict[str, Column] = field(default_factory=dict, compare=False, repr=False)

    def __post_init__(self) -> None:
        keys = [column.key for column in self.columns]
        if len(set(keys)) != len(keys):
            raise ValueError(f"{self.key}: duplicate column keys")
        for column in self.columns:
            for name in column.names():
                holder = self.header_aliases.get(name)
                if holder is not None and holder.key != column.key:
                    raise ValueError(f"{self.key}: header {name!r} names both {holder.key} and {column.key}")
                self.header_aliases[name] = column

    @property
    def two_level(self) -> bool:
        return any(column.group for column in self.columns)

    def column(self, key: str) -> Column:
        for column in self.columns:
            if column.key == key:
                return column
        raise KeyError(key)

    def match(self, text: str) -> tuple[Column, str] | None:
        """The column a header cell names, and the unit written in it ('' if none)."""
        folded = fold(text)
        if not folded:
            return None
        column = self.header_aliases.get(folded)
        if column is not None:
            return column, ""
        base, unit = split_unit(folded)
        column = self.header_aliases.get(base)
        if column is not None:
            return column, unit
        return None
