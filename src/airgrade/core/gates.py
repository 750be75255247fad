"""Gate ledger logic without Django (issue 11; REQ SJZ-5, SJZ-6, H23-6): passage parsing and flags, the hashed
content of a ledger record, sequence gaps, clean-share figures and the alert-day vehicle rule."""

from __future__ import annotations

import datetime as dt
import json
import math
import random
import re
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from enum import StrEnum
from typing import Any, NamedTuple

from airgrade.core.types import EmissionStage

STAGES = tuple(EmissionStage)


class VehicleKind(StrEnum):
    ROAD = "road"  # 进出厂运输车辆
    INPLANT = "inplant"  # 厂内运输车辆
    NONROAD = "nonroad"  # 非道路移动机械

    @property
    def label_zh(self) -> str:
        return {"road": "进出厂运输车辆", "inplant": "厂内运输车辆", "nonroad": "非道路移动机械"}[self.value]


class Fuel(StrEnum):
    DIESEL = "diesel"
    PETROL = "petrol"
    GAS = "gas"
    ELECTRIC = "electric"
    HYDROGEN = "hydrogen"
    HYBRID = "hybrid"

    @property
    def label_zh(self) -> str:
        return FUEL_LABELS[self]


FUEL_LABELS = {
    Fuel.DIESEL: "柴油",
    Fuel.PETROL: "汽油",
    Fuel.GAS: "天然气",
    Fuel.ELECTRIC: "纯电动",
    Fuel.HYDROGEN: "氢燃料",
    Fuel.HYBRID: "混合动力",
}


class Flag(StrEnum):
    """Why a kept record deserves a look: never a reason to drop it."""

    UNKNOWN_PLATE = "unknown_plate"
    IMPOSSIBLE_PLATE = "impossible_plate"
    FUTURE_TIME = "future_time"
    STAGE_MISMATCH = "stage_mismatch"

    @property
    def label_zh(self) -> str:
        return {
            "unknown_plate": "未登记车辆",
            "impossible_plate": "车牌号不合规",
            "future_time": "通行时间超前",
            "stage_mismatch": "识别排放阶段与登记不符",
        }[self.value]


# GA 36-2018 plates: province character, issuing-office letter (no I/O), then 5 characters (6 for new energy);
# trailer, coach and police suffixes. Anything else is "impossible" and flagged.
PROVINCES = "京津沪渝冀豫云辽黑湘皖鲁新苏浙赣鄂桂甘晋蒙陕吉闽贵粤青藏川宁琼"
PLATE = re.compile(rf"^[{PROVINCES}][A-HJ-NP-Z](?:[A-HJ-NP-Z0-9]{{5,6}}|[A-HJ-NP-Z0-9]{{4}}[挂学警])$")
PLATE_COLOURS = {"blue": "蓝", "yellow": "黄", "green": "绿", "yellow_green": "黄绿", "white": "白", "black": "黑"}

# Stage spellings gate vendors use: Chinese, Roman numerals, and the vendor API's 0…6 / D codes (guide-facts §4).
_STAGE_ALIASES: dict[str, EmissionStage] = {}
for _index, _stage in enumerate(STAGES[:6], start=1):
    for _alias in (_stage.value, f"国{['I', 'II', 'III', 'IV', 'V', 'VI'][_index - 1]}", str(_index)):
        _STAGE_ALIASES[_alias.upper()] = _stage
for _alias in ("新能源", "D", "EV", "电动"):
    _STAGE_ALIASES[_alias] = EmissionStage.NEW_ENERGY


def parse_stage(value: Any) -> EmissionStage | None:
    """A stage from its common spellings; None when it is none of them."""
    if value is None:
        return None
    return _STAGE_ALIASES.get(str(value).strip().upper())


def plate_ok(plate: str) -> bool:
    return bool(PLATE.match(plate))


@dataclass(frozen=True)
class Passage:
    """One gate record as received: what the device says about one vehicle passing."""

    sequence: int
    plate: str
    direction: str  # "in" | "out"
    passed_at: dt.datetime  # aware
    lane: str = ""
    plate_colour: str = ""
    photo_hash: str = ""
    stage: EmissionStage | None = None  # recognised by the gate
    cargo: str = ""
    tonnage: float | None = None
    allowed: bool = True  # barrier opened (放行) or refused
    corrects: int | None = None  # sequence of the record this one corrects (补录/更正)


@dataclass
class RowErrors:
    """Refusals of one input row: (field, reason) pairs in Chinese."""

    row: int
    problems: list[tuple[str, str]] = field(default_factory=list)

    def add(self, name: str, reason: str) -> None:
        self.problems.append((name, reason))

    def __bool__(self) -> bool:
        return bool(self.problems)

    def text(self) -> str:
        return "；".join(f"第 {self.row} 条 {name}：{reason}" for name, reason in self.problems)


def _parse_time(value: Any) -> dt.datetime | None:
    if isinstance(value, dt.datetime):
        moment = value
    else:
        try:
            moment = dt.datetime.fromisoformat(str(value).strip().replace(" ", "T", 1))
        except ValueError:
            return None
    if moment.tzinfo is None:
        # Gate clocks run on Beijing time; a naive time is read as such (UTC+8, no DST).
        moment = moment.replace(tzinfo=dt.timezone(dt.timedelta(hours=8)))
    return moment


MAX_SEQUENCE = 2**62  # device sequence numbers and `corrects` fit PostgreSQL's bigint with room to spare
_HEX64 = re.compile(r"[0-9a-f]{64}")
_DIRECTIONS = {"in": "in", "out": "out", "1": "in", "2": "out", "进": "in", "出": "out"}
_RESULTS = {"pass": True, "放行": True, "refused": False, "拒绝": False}
BEIJING = dt.timezone(dt.timedelta(hours=8))


def _unstorable(text: str) -> bool:
    """A NUL or a lone surrogate (from a JSON \\ud800 escape): neither can be stored, hashed as UTF-8 or exported."""
    if text.isascii():
        return "\x00" in text
    try:
        text.encode("utf-8")
    except UnicodeEncodeError:
        return True
    return "\x00" in text


def _count(value: Any) -> int | None:
    """A non-negative integer from an int or its decimal digits (ASCII or other scripts' digits, as int() reads them)."""
    if isinstance(value, bool) or not isinstance(value, int | str):
        return None
    text = str(value).strip()
    return int(text) if text.isdecimal() else None


def parse_passage(raw: Mapping[str, Any], row: int) -> tuple[Passage | None, RowErrors]:
    """Check one record of the vendor-neutral format (docs/gates.md); malformed → refused with every reason."""
    errors = RowErrors(row)
    sequence = _count(raw.get("seq", raw.get("sequence")))
    if sequence is None:
        errors.add("seq", "序号须为非负整数")
    elif sequence > MAX_SEQUENCE:
        errors.add("seq", "序号过大")
    plate = str(raw.get("plate") or "").strip().upper()
    if not plate:
        errors.add("plate", "缺少车牌号")
    elif len(plate) > 16:
        errors.add("plate", "车牌号过长")
    elif _unstorable(plate):
        errors.add("plate", "含有不可保存的字符")
    direction = str(raw.get("direction") or "").strip().lower()
    direction = {"1": "in", "2": "out", "进": "in", "出": "out"}.get(direction, direction)
    if direction not in ("in", "out"):
        errors.add("direction", "方向须为 in（进）或 out（出）")
    passed_at = _parse_time(raw.get("time", raw.get("passed_at")))
    if passed_at is None:
        errors.add("time", "时间缺失或格式不对（应为 ISO 8601，如 2026-05-01T08:30:00+08:00）")
    stage = None
    if raw.get("stage") not in (None, ""):
        stage = parse_stage(raw.get("stage"))
        if stage is None:
            errors.add("stage", f"排放阶段“{raw.get('stage')}”不可识别（国一…国六、新能源）")
    tonnage = raw.get("tonnage")
    if tonnage not in (None, ""):
        try:
            tonnage = float(tonnage)
            if not 0 <= tonnage <= 1000:
                raise ValueError
        except (TypeError, ValueError, OverflowError):
            errors.add("tonnage", "载重须为 0–1000 吨的数字")
            tonnage = None
    else:
        tonnage = None
    allowed_raw = str(raw.get("result", "pass")).strip().lower()
    if allowed_raw not in ("pass", "refused", "放行", "拒绝"):
        errors.add("result", "结果须为 pass（放行）或 refused（拒绝）")
    corrects_raw = raw.get("corrects")
    corrects = None
    if corrects_raw not in (None, ""):
        corrects = _count(corrects_raw)
        if corrects is None or corrects > MAX_SEQUENCE:
            errors.add("corrects", "被更正记录的序号须为非负整数")
    colour = str(raw.get("plate_colour") or "").strip()
    if colour and colour not in PLATE_COLOURS:
        errors.add("plate_colour", f"车牌颜色须为 {'、'.join(PLATE_COLOURS)} 之一")
    photo_hash = str(raw.get("photo_hash") or "").strip().lower()
    if photo_hash and not _HEX64.fullmatch(photo_hash):
        errors.add("photo_hash", "照片哈希须为 64 位十六进制 SHA-256")
    texts = {name: str(raw.get(name) or "").strip() for name in ("lane", "cargo")}
    for name, text in texts.items():
        if len(text) > 64:
            errors.add(name, "过长（最多 64 个字符）")
        elif _unstorable(text):
            errors.add(name, "含有不可保存的字符")
    if errors or passed_at is None or sequence is None:
        return None, errors
    return (
        Passage(
            sequence=sequence,
            plate=plate,
            direction=direction,
            passed_at=passed_at,
            lane=texts["lane"],
            plate_colour=colour,
            photo_hash=photo_hash,
            stage=stage,
            cargo=texts["cargo"],
            tonnage=tonnage,
            allowed=allowed_raw in ("pass", "放行"),
            corrects=corrects,
        ),
        errors,
    )


class Received(NamedTuple):
    """One checked record of a batch, as `parse_records` gives it (the fields of `Passage`, stage as its value)."""

    sequence: int
    plate: str
    direction: str
    passed_at: dt.datetime  # aware, as received (microseconds kept for the future-time flag)
    lane: str
    plate_colour: str
    photo_hash: str
    stage: str  # recognised stage value, "" when the gate gave none
    cargo: str
    tonnage: float | None
    allowed: bool
    corrects: int | None


def _received(passage: Passage) -> Received:
    return Received(
        passage.sequence,
        passage.plate,
        passage.direction,
        passage.passed_at,
        passage.lane,
        passage.plate_colour,
        passage.photo_hash,
        passage.stage.value if passage.stage else "",
        passage.cargo,
        passage.tonnage,
        passage.allowed,
        passage.corrects,
    )


def _text(value: Any) -> str | None:
    """An optional text field on the fast path: None/"" → "", a clean str → stripped; anything else → None."""
    if value is None:
        return ""
    if type(value) is not str:
        return None
    text = value.strip()
    if len(text) > 64 or (not text.isascii() and _unstorable(text)) or "\x00" in text:
        return None
    return text


# ---- one field at a time: what `_fast` reads a record with, and the bulk path (`gates.bulk`) a column's distinct
# values. Each returns the value `parse_passage` stores for it, or INVALID where the value is refused or read some
# rarer way (then `parse_passage` reads the whole record and names every problem).

INVALID: Any = object()
FAST_KEYS = frozenset(
    ("seq", "plate", "direction", "time", "stage", "tonnage", "result", "corrects", "plate_colour", "photo_hash",
     "lane", "cargo")
)  # fmt: skip  # the keys `_fast` reads (spellings such as "sequence" or "passed_at" go record by record)


def fast_sequence(value: Any) -> Any:
    number = value if type(value) is int else _count(value)
    return number if number is not None and 0 <= number <= MAX_SEQUENCE else INVALID


def fast_plate(value: Any) -> Any:
    if type(value) is not str:
        return INVALID
    plate = value.strip().upper()
    return plate if plate and len(plate) <= 16 and not _unstorable(plate) else INVALID


def fast_direction(value: Any) -> Any:
    return _DIRECTIONS.get(value.strip().lower(), INVALID) if type(value) is str else INVALID


def fast_time(value: Any) -> Any:
    if type(value) is not str:
        return INVALID
    try:
        moment = dt.datetime.fromisoformat(value.strip().replace(" ", "T", 1))
    except ValueError:
        return INVALID
    return moment if moment.tzinfo is not None else moment.replace(tzinfo=BEIJING)


def fast_stage(value: Any) -> Any:
    if value is None or value == "":
        return ""
    known = _STAGE_ALIASES.get(value.strip().upper()) if type(value) is str else None
    return INVALID if known is None else known.value


def fast_tonnage(value: Any) -> Any:
    if value is None or value == "":
        return None
    if type(value) is str:  # a file's cell: parse_passage reads it with float()
        try:
            number = float(value)
        except ValueError:
            return INVALID
        return number if 0 <= number <= 1000 else INVALID
    if (type(value) is not float and type(value) is not int) or not 0 <= value <= 1000:
        return INVALID
    return float(value)


def fast_result(value: Any) -> Any:
    return _RESULTS.get(value.strip().lower(), INVALID) if type(value) is str else INVALID


def fast_corrects(value: Any) -> Any:
    if value is None or value == "":
        return None
    number = _count(value) if type(value) is str else value  # a file's cell: parse_passage reads its digits
    return number if type(number) is int and 0 <= number <= MAX_SEQUENCE else INVALID


def fast_colour(value: Any) -> Any:
    colour = _text(value)
    return INVALID if colour is None or (colour and colour not in PLATE_COLOURS) else colour


def fast_photo(value: Any) -> Any:
    photo = _text(value)
    if photo is None:
        return INVALID
    photo = photo.lower()
    return INVALID if photo and not _HEX64.fullmatch(photo) else photo


def fast_text(value: Any) -> Any:
    text = _text(value)
    return INVALID if text is None else text


def json_string(text: str) -> str:
    """A string as `record_json` writes it."""
    return _string(text)


def json_tonnage(tonnage: float | None) -> str:
    """A tonnage as `record_json` writes it."""
    return "null" if tonnage is None else _number(round(float(tonnage), 3))


def _fast(raw: dict[str, Any]) -> Received | None:
    """The common, well-formed record read field by field with the `fast_*` readers; None sends the record to
    `parse_passage`, which names every problem (or accepts a rarer spelling). Same result as `parse_passage`."""
    sequence = fast_sequence(raw["seq"] if "seq" in raw else raw.get("sequence"))
    plate = fast_plate(raw.get("plate"))
    direction = fast_direction(raw.get("direction"))
    passed_at = fast_time(raw["time"] if "time" in raw else raw.get("passed_at"))
    stage = fast_stage(raw.get("stage"))
    tonnage = fast_tonnage(raw.get("tonnage"))
    allowed = fast_result(raw.get("result", "pass"))
    corrects = fast_corrects(raw.get("corrects"))
    colour = fast_colour(raw.get("plate_colour"))
    photo = fast_photo(raw.get("photo_hash"))
    lane = fast_text(raw.get("lane"))
    cargo = fast_text(raw.get("cargo"))
    fields = (sequence, plate, direction, passed_at, lane, colour, photo, stage, cargo, tonnage, allowed, corrects)
    if INVALID in fields:
        return None
    return Received(*fields)


def parse_records(records: Sequence[Any], row_offset: int = 1) -> tuple[list[Received], list[RowErrors]]:
    """Check a whole batch in one pass: the records in order, or every refusal by row and field (rows numbered from
    `row_offset`), including a sequence number used twice in the batch."""
    parsed: list[Received] = []
    problems: list[RowErrors] = []
    seen: set[int] = set()
    row = row_offset - 1
    for raw in records:
        row += 1
        if not isinstance(raw, dict):
            errors = RowErrors(row)
            errors.add("记录", "须为 JSON 对象")
            problems.append(errors)
            continue
        record = _fast(raw)
        if record is None:
            passage, errors = parse_passage(raw, row)
            if passage is None:
                problems.append(errors)
                continue
            record = _received(passage)
        if record.sequence in seen:
            errors = RowErrors(row)
            errors.add("seq", f"序号 {record.sequence} 在本批中重复")
            problems.append(errors)
            continue
        seen.add(record.sequence)
        parsed.append(record)
    return parsed, problems


def flags_for(
    passage: Passage,
    *,
    registered_stage: EmissionStage | None,
    registered: bool,
    now: dt.datetime,
    future_tolerance: dt.timedelta,
) -> list[Flag]:
    """What a kept record is flagged for (kept either way: nothing is silently dropped)."""
    flags = []
    if not plate_ok(passage.plate):
        flags.append(Flag.IMPOSSIBLE_PLATE)
    if not registered:
        flags.append(Flag.UNKNOWN_PLATE)
    if passage.passed_at > now + future_tolerance:
        flags.append(Flag.FUTURE_TIME)
    if registered_stage is not None and passage.stage is not None and passage.stage != registered_stage:
        flags.append(Flag.STAGE_MISMATCH)
    return flags


def record_content(
    *,
    device: str,
    sequence: int,
    plate: str,
    plate_colour: str,
    direction: str,
    passed_at: dt.datetime,
    lane: str,
    photo_hash: str,
    recognised_stage: str,
    stage: str,
    fuel: str,
    kind: str,
    cargo: str,
    tonnage: float | None,
    allowed: bool,
    flags: Sequence[str],
    corrects: int | None,
    position: int,
) -> dict[str, Any]:
    """The hashed content of one ledger record; chained with `airgrade.core.hashchain.link_hash`."""
    return {
        "device": device,
        "seq": sequence,
        "plate": plate,
        "colour": plate_colour,
        "dir": direction,
        "at": passed_at.astimezone(dt.UTC).isoformat(timespec="seconds"),
        "lane": lane,
        "photo": photo_hash,
        "seen": recognised_stage,
        "stage": stage,
        "fuel": fuel,
        "kind": kind,
        "cargo": cargo,
        "t": None if tonnage is None else round(float(tonnage), 3),
        "pass": allowed,
        "flags": sorted(flags),
        "corrects": corrects,
        "pos": position,
    }


_string = json.encoder.encode_basestring  # json.dumps(ensure_ascii=False)'s escape


def _number(value: float) -> str:
    if math.isfinite(value):
        return float.__repr__(value)
    return "NaN" if value != value else ("Infinity" if value > 0 else "-Infinity")


def record_json(
    *,
    device: str,
    sequence: int,
    plate: str,
    plate_colour: str,
    direction: str,
    at: str,
    lane: str,
    photo_hash: str,
    recognised_stage: str,
    stage: str,
    fuel: str,
    kind: str,
    cargo: str,
    tonnage: float | None,
    allowed: bool,
    flags: Sequence[str],
    corrects: int | None,
    position: int,
) -> str:
    """`canonical_json(record_content(...))` written out directly (the same characters, so every existing ledger
    verifies): the keys in sorted order, strings escaped by the json module's own function. `at` is the passage time
    in UTC as `isoformat(timespec="seconds")` gives it. About five times faster than building and sorting the dict."""
    s = _string
    return (
        f'{{"at":{s(at)},"cargo":{s(cargo)},"colour":{s(plate_colour)},'
        f'"corrects":{"null" if corrects is None else int.__repr__(corrects)},"device":{s(device)},'
        f'"dir":{s(direction)},"flags":[{",".join(s(f) for f in sorted(flags))}],"fuel":{s(fuel)},'
        f'"kind":{s(kind)},"lane":{s(lane)},"pass":{"true" if allowed else "false"},"photo":{s(photo_hash)},'
        f'"plate":{s(plate)},"pos":{int.__repr__(position)},"seen":{s(recognised_stage)},'
        f'"seq":{int.__repr__(sequence)},"stage":{s(stage)},"t":{json_tonnage(tonnage)}}}'
    )


def sequence_gaps(sequences: Iterable[int], first: int | None = None) -> list[tuple[int, int]]:
    """Missing sequence ranges (inclusive) in a device's numbers, sorted ascending; `first` is where it starts."""
    gaps = []
    previous = None if first is None else first - 1
    for number in sequences:
        if previous is not None and number > previous + 1:
            gaps.append((previous + 1, number - 1))
        previous = number if previous is None else max(previous, number)
    return gaps


def completeness(received: int, first: int, last: int) -> float | None:
    """Records received vs expected from the device's sequence numbers (first … last), in percent."""
    expected = last - first + 1
    return None if expected <= 0 else round(100 * received / expected, 2)


@dataclass(frozen=True)
class Figures:
    """Ledger figures of one site and period: road-truck entries by stage, clean share, worst stage."""

    trips: int
    by_stage: dict[str, int]
    clean_trips: int
    clean_share: float | None  # percent, None without trips
    worst_stage: EmissionStage | None


def figures(counts: Mapping[str, int], clean_stages: Iterable[EmissionStage]) -> Figures:
    """From entry counts per stage ('' = unknown stage: counted as not clean, the worst case)."""
    clean = {stage.value for stage in clean_stages}
    trips = sum(counts.values())
    clean_trips = sum(n for stage, n in counts.items() if stage in clean)
    known = [EmissionStage(stage) for stage, n in counts.items() if n and stage in EmissionStage._value2member_map_]
    return Figures(
        trips=trips,
        by_stage={stage.value: counts.get(stage.value, 0) for stage in STAGES} | {"": counts.get("", 0)},
        clean_trips=clean_trips,
        clean_share=round(100 * clean_trips / trips, 2) if trips else None,
        worst_stage=min(known, key=lambda stage: stage.rank) if known else None,
    )


@dataclass(frozen=True)
class VehicleRule:
    """The alert-day vehicle rule of a site's measures (guide: e.g. stop 国四-and-below heavy trucks, gas incl.)."""

    at_or_below: EmissionStage | None = None
    includes_gas: bool = True
    stop_road: bool = False

    @property
    def empty(self) -> bool:
        return self.at_or_below is None and not self.stop_road

    @classmethod
    def from_dict(cls, data: Mapping[str, Any] | None) -> VehicleRule:
        if not data:
            return cls()
        stage = data.get("at_or_below")
        return cls(
            at_or_below=EmissionStage(stage) if stage else None,
            includes_gas=bool(data.get("includes_gas", True)),
            stop_road=bool(data.get("stop_road", False)),
        )


def violates(rule: VehicleRule, *, kind: str, direction: str, allowed: bool, stage: str, fuel: str) -> bool:
    """Does an admitted road-truck entry break the rule? Unknown stages count as violations (worst case)."""
    if rule.empty or kind != VehicleKind.ROAD or direction != "in" or not allowed:
        return False
    if rule.stop_road:
        return True
    assert rule.at_or_below is not None
    if fuel == Fuel.GAS and not rule.includes_gas:
        return False
    known = EmissionStage._value2member_map_.get(stage)
    if known is None:
        return True
    return EmissionStage(stage).rank <= rule.at_or_below.rank and known != EmissionStage.NEW_ENERGY


def draw_sample(ids: Sequence[int], seed: int, size: int) -> list[int]:
    """A reproducible sample of ledger records: the same ids and seed always give the same records."""
    ordered = sorted(ids)
    return sorted(random.Random(seed).sample(ordered, min(size, len(ordered))))


# ------------------------------------------------------------------------------------------------ video references

VIDEO_FIELDS = ("place", "started_at", "ended_at", "uri", "sha256")


@dataclass(frozen=True)
class VideoClip:
    """A video clip a site's video system reports (REQ SJZ-5): where, when, where the file is kept, its SHA-256."""

    place: str
    started_at: dt.datetime
    ended_at: dt.datetime
    uri: str
    sha256: str = ""


def parse_video(raw: Any, row: int) -> tuple[VideoClip | None, RowErrors]:
    """Check one video reference (docs/gates.md); malformed → refused with every reason by field."""
    errors = RowErrors(row)
    if not isinstance(raw, Mapping):
        errors.add("record", "应为包含 place、started_at、ended_at、uri 的对象")
        return None, errors
    texts: dict[str, str] = {}
    for name, limit, label in (("place", 64, "位置"), ("uri", 500, "存储位置")):
        value = raw.get(name)
        text = value.strip() if isinstance(value, str) else ""
        if value is not None and not isinstance(value, str):
            errors.add(name, f"{label}须为文本")
        elif not text:
            errors.add(name, f"缺少{label}")
        elif len(text) > limit:
            errors.add(name, f"{label}过长（最多 {limit} 个字符）")
        elif _unstorable(text):
            errors.add(name, "含有不可保存的字符")
        texts[name] = text
    started = _parse_time(raw["started_at"]) if raw.get("started_at") not in (None, "") else None
    ended = _parse_time(raw["ended_at"]) if raw.get("ended_at") not in (None, "") else None
    for name, moment in (("started_at", started), ("ended_at", ended)):
        if moment is None:
            errors.add(name, "时间缺失或格式不对（应为 ISO 8601，如 2026-05-01T08:30:00+08:00）")
    if started is not None and ended is not None and ended < started:
        errors.add("ended_at", "结束时间早于开始时间")
    sha = raw.get("sha256")
    sha_text = sha.strip().lower() if isinstance(sha, str) else ""
    if sha not in (None, "") and not _HEX64.fullmatch(sha_text):
        errors.add("sha256", "SHA-256 须为 64 位十六进制")
    if errors or started is None or ended is None:
        return None, errors
    return VideoClip(texts["place"], started, ended, texts["uri"], sha_text), errors


def months_after(day: dt.date, months: int) -> dt.date:
    """The same day `months` calendar months later (the month's last day when it is shorter)."""
    year, month = divmod(day.year * 12 + day.month - 1 + months, 12)
    month += 1
    last = (dt.date(year + (month == 12), month % 12 + 1, 1) - dt.timedelta(days=1)).day
    return dt.date(year, month, min(day.day, last))


def uncovered_days(spans: Iterable[tuple[dt.date, dt.date]], first: dt.date, last: dt.date) -> list[dt.date]:
    """The days first … last that no span (first day, last day, inclusive) touches."""
    covered: set[dt.date] = set()
    for start, end in spans:
        day = max(start, first)
        while day <= min(end, last):
            covered.add(day)
            day += dt.timedelta(days=1)
    days = (last - first).days + 1
    return [d for d in (first + dt.timedelta(days=n) for n in range(max(days, 0))) if d not in covered]


def day_ranges(days: Iterable[dt.date]) -> list[tuple[dt.date, dt.date]]:
    """Consecutive days folded into (first, last) ranges, in order."""
    ranges: list[tuple[dt.date, dt.date]] = []
    for day in sorted(days):
        if ranges and (day - ranges[-1][1]).days == 1:
            ranges[-1] = (ranges[-1][0], day)
        else:
            ranges.append((day, day))
    return ranges
