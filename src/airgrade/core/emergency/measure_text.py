"""Read the free-text measures that existing emergency lists carry into the quantified vocabulary (REQ G-5, H23-4).

Lists written before the platform say "停产", "限产30%", "停止使用国四及以下车辆" or "日投料量由960吨降低到768吨".
The text is always kept; where a phrase is recognised it becomes a proposed measure that a reviewer accepts or
rejects — nothing read here is applied on its own. Text with no recognised phrase proposes nothing.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass

from airgrade.core.measures import Curtail, Measure, StopLineShare, StopProduction, StopRoadTransport, StopVehicles
from airgrade.core.rules import render
from airgrade.core.types import EmissionStage

_NUMBER = r"(\d+(?:\.\d+)?)"
_STAGE_DIGITS = {
    "1": "一",
    "2": "二",
    "3": "三",
    "4": "四",
    "5": "五",
    "6": "六",
    "i": "一",
    "ii": "二",
    "iii": "三",
    "iv": "四",
    "v": "五",
    "vi": "六",
}
_STOP_VEHICLES = re.compile(
    r"(?:停止使用|禁止使用|停用|禁止|停止)[^，。；;,]*?国\s*([一二三四五六1-6]|i{1,3}|iv|vi?)\s*(?:及以下|以下)"
)
_CURTAIL = re.compile(r"(?:限产|减产|压减|降低|削减)[^0-9，。；;,]{0,8}" + _NUMBER + r"\s*%")
_CURTAIL_AFTER = re.compile(_NUMBER + r"\s*%[^，。；;,]{0,4}(?:限产|减产|压减)")
_FROM_TO = re.compile(
    r"由\s*" + _NUMBER + r"\s*([^\d\s，。；;,到至]{0,6})\s*(?:降低|降|减少|压减|调整)?(?:到|至)\s*" + _NUMBER
)
_LINE_SHARE = re.compile(r"停[止产]?\s*" + _NUMBER + r"\s*%\s*(?:的)?\s*生产线")
_STOP_ROAD = re.compile(r"停止(?:一切)?公路运输")
_STOP_ALL = re.compile(r"(?:全厂|全部|整体)?停产|停止生产")


@dataclass(frozen=True)
class ReadMeasures:
    text: str
    measures: tuple[Measure, ...]
    notes: tuple[str, ...]  # how each measure was read, in Chinese, for the reviewer

    @property
    def understood(self) -> bool:
        return bool(self.measures)


def _stage(token: str) -> EmissionStage | None:
    digit = _STAGE_DIGITS.get(token.lower(), token)
    try:
        return EmissionStage("国" + digit)
    except ValueError:
        return None


def read_measures(text: str) -> ReadMeasures:
    """The measures a free-text cell proposes, with how each was read; empty when nothing is recognised."""
    original = text or ""
    folded = unicodedata.normalize("NFKC", original).replace(" ", "").lower()
    measures: list[Measure] = []
    notes: list[str] = []
    production_read = False

    share = _LINE_SHARE.search(folded)
    if share:
        value = float(share[1])
        if 0 < value <= 100:
            measures.append(StopLineShare(share=value / 100, note_zh=original))
            notes.append(f"“{share[0]}” → {_said(measures[-1])}")
            production_read = True
    curtail = None if production_read else (_CURTAIL.search(folded) or _CURTAIL_AFTER.search(folded))
    if curtail:
        value = float(curtail[1])
        if 0 < value <= 100:
            measures.append(Curtail(percent=value, note_zh=original))
            notes.append(f"“{curtail[0]}” → {_said(measures[-1])}")
            production_read = True
    if not production_read:
        change = _FROM_TO.search(folded)
        if change:
            before, after = float(change[1]), float(change[3])
            if before > 0 and 0 <= after < before:
                percent = round((before - after) / before * 100, 2)
                measures.append(Curtail(percent=percent, note_zh=original))
                notes.append(f"“{change[0]}”（{before:g} → {after:g}） → {_said(measures[-1])}")
                production_read = True
    vehicles = _STOP_VEHICLES.search(folded)
    without_vehicle_phrase = _STOP_VEHICLES.sub("", folded)
    if not production_read and _STOP_ALL.search(without_vehicle_phrase):
        measures.append(StopProduction(note_zh=original))
        notes.append(f"“停产” → {_said(measures[-1])}")
    if vehicles:
        stage = _stage(vehicles[1])
        if stage is not None:
            measures.append(StopVehicles(at_or_below=stage, note_zh=original))
            notes.append(f"“{vehicles[0]}” → {_said(measures[-1])}")
    road = _STOP_ROAD.search(folded)
    if road:
        measures.append(StopRoadTransport(note_zh=original))
        notes.append(f"“{road[0]}” → {_said(measures[-1])}")
    return ReadMeasures(original, tuple(measures), tuple(notes))


def _said(measure: Measure) -> str:
    """How a recognised phrase was read: the measure in the renderer's words, without the original text."""
    return render.measure_zh(measure.model_copy(update={"note_zh": ""}))
