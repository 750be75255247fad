"""A column of a bulk file as its distinct values, each read once, and each row's index into them (the readings'
and the gate ledger's column-wise bulk paths, ADR 0011)."""

from __future__ import annotations

from collections.abc import Callable, Hashable, Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np


@dataclass
class Coded:
    """A column as distinct values read once (`values`) and each row's index into them (`codes`)."""

    codes: np.ndarray
    values: list[Any]

    def column(self) -> list[Any]:
        return [self.values[code] for code in self.codes.tolist()]


def recoded(codes: np.ndarray, raw: Sequence[Any], read: Callable[[Any], Hashable]) -> Coded:
    """`read` applied once per distinct raw value (`codes` index `raw`); raw values that read the same share a code."""
    index: dict[Hashable, int] = {}
    remap = np.array([index.setdefault(read(value), len(index)) for value in raw], dtype=np.int64)
    return Coded(remap[codes] if remap.size else codes.astype(np.int64), list(index))


def coded(column: Sequence[Any], read: Callable[[Any], Hashable]) -> Coded:
    """`read` once per distinct value of a column of Python values. A dict finds the distinct values, so values it
    takes as equal (1, 1.0, True) share one reading; TypeError when a value cannot be a dict key (a list, a dict)."""
    distinct = {value: number for number, value in enumerate(dict.fromkeys(column))}
    codes = np.fromiter(map(distinct.__getitem__, column), dtype=np.int64, count=len(column))
    return recoded(codes, list(distinct), read)
