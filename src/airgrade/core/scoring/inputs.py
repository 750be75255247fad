"""A scoring round or an investment project read from a YAML/JSON file (`airgrade zz score`, `airgrade zz assess`):
strict keys, every bad value named by its place in the file (REQ ZZ-1, ZZ-2, ZZ-6)."""

from __future__ import annotations

import datetime as dt
from typing import Any

from pydantic import BaseModel, ConfigDict, Field, StrictBool, StrictFloat, StrictInt, StrictStr, ValidationError

from airgrade.core.rules import schema as s
from airgrade.core.scoring.engine import DataSource, EnterpriseValues, ScoreInputError, SourcedValue, check_value

RawValue = StrictBool | StrictInt | StrictFloat | StrictStr


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class EnterpriseEntry(_Strict):
    key: StrictStr = Field(min_length=1, max_length=80)
    name: StrictStr = Field(min_length=1, max_length=200)
    industry: StrictStr = ""
    region: StrictStr = ""
    reported: StrictBool = True
    red_lines: list[StrictStr] = []
    false_data: StrictBool = False
    onsite_checked: StrictBool = False
    declared: dict[str, RawValue] = {}
    department: dict[str, RawValue] = {}
    onsite: dict[str, RawValue] = {}


class RoundFile(_Strict):
    region: StrictStr = Field(pattern=r"^[0-9]{6}$")
    as_of: dt.date
    enterprises: list[EnterpriseEntry] = Field(min_length=1, max_length=100_000)


class ProjectFile(_Strict):
    region: StrictStr = Field(pattern=r"^[0-9]{6}$")
    as_of: dt.date
    industry: StrictStr = ""
    stated: dict[str, RawValue] = Field(min_length=1)


def _where(loc: tuple[Any, ...]) -> str:
    return ".".join(str(part) for part in loc)


def parse_round(data: Any, card_of: Any) -> tuple[RoundFile | None, list[EnterpriseValues], list[str]]:
    """The round's enterprises as scoring inputs, or every problem found (`card_of(region, as_of)` gives the card)."""
    try:
        parsed = RoundFile.model_validate(data)
    except ValidationError as error:
        return None, [], [f"{_where(e['loc'])}: {e['msg']}" for e in error.errors()]
    try:
        card: s.ScorecardEntry = card_of(parsed.region, parsed.as_of)
    except LookupError as error:
        return parsed, [], [str(error)]
    moment = dt.datetime.combine(parsed.as_of, dt.time())
    problems: list[str] = []
    subjects = []
    keys: set[str] = set()
    for index, entry in enumerate(parsed.enterprises):
        if entry.key in keys:
            problems.append(f"enterprises.{index}.key: 重复的企业标识 {entry.key!r}")
        keys.add(entry.key)
        values = []
        for source in DataSource:
            for indicator, raw in getattr(entry, source.value).items():
                # an integer in a file is a number like any other (a bool is not: StrictBool keeps it apart)
                number = float(raw) if isinstance(raw, int) and not isinstance(raw, bool) else raw
                try:
                    value = check_value(card, indicator, number)
                except ScoreInputError as error:
                    problems.append(f"enterprises.{index}.{source.value}.{indicator}: {error.message}")
                    continue
                values.append(SourcedValue(indicator, source, value, source.label_zh, moment))
        subjects.append(
            EnterpriseValues(
                key=entry.key,
                name=entry.name,
                industry=entry.industry,
                region=entry.region or parsed.region,
                values=tuple(values),
                reported=entry.reported,
                red_lines=tuple(entry.red_lines),
                false_data=entry.false_data,
                onsite_checked=entry.onsite_checked,
            )
        )
    return parsed, subjects, problems


def parse_project(data: Any) -> tuple[ProjectFile | None, list[str]]:
    try:
        return ProjectFile.model_validate(data), []
    except ValidationError as error:
        return None, [f"{_where(e['loc'])}: {e['msg']}" for e in error.errors()]
