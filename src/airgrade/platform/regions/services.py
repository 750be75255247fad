"""Region services: load GB/T 2260 codes from CSV (idempotent), look regions up with clear errors."""

from __future__ import annotations

import csv
import io
from pathlib import Path

from django.db import transaction

from airgrade.core.regions import RegionLevel, level_of
from airgrade.core.rules.yamlio import InputFileError, read_text
from airgrade.platform.errors import NotFound, ServiceError
from airgrade.platform.regions.models import Region

BUNDLED_REGIONS = Path(__file__).parent / "data" / "regions_cn.csv"
# The whole national code table (~3,200 rows) is about 150 KB.
MAX_REGIONS_BYTES = 4 * 1024 * 1024
NAME_LENGTH = Region._meta.get_field("name").max_length or 64


@transaction.atomic
def load_regions(path: Path = BUNDLED_REGIONS) -> int:
    """Load or update regions from a CSV with columns code,name,level,parent. All rows or none."""
    try:
        text = read_text(path, MAX_REGIONS_BYTES)
        rows = list(csv.DictReader(io.StringIO(text, newline="")))
    except InputFileError as error:
        raise ServiceError(f"行政区划文件 {error}") from None
    except csv.Error as error:
        raise ServiceError(f"行政区划文件 {path.name}: CSV 格式错误 (bad CSV): {error}") from None
    missing = {"code", "name"} - set(rows[0] if rows else {})
    if not rows or missing:
        raise ServiceError(f"行政区划文件 {path.name}: 须有 code,name,level,parent 列且至少一行 (no rows)")
    problems = []
    for line_number, row in enumerate(rows, start=2):
        code = (row.get("code") or "").strip()
        try:
            level = level_of(code)
        except ValueError as exc:
            problems.append(f"{path.name} 第{line_number}行 code: {exc}")
            continue
        if row.get("level") and row["level"] != level.value:
            problems.append(f"{path.name} 第{line_number}行 level: 代码 {code} 应为 {level.value}")
        name = (row.get("name") or "").strip()
        if not name:
            problems.append(f"{path.name} 第{line_number}行 name: 名称不能为空")
        elif len(name) > NAME_LENGTH:
            problems.append(f"{path.name} 第{line_number}行 name: 名称超过 {NAME_LENGTH} 个字")
    known = {row["code"] for row in rows} | set(Region.objects.values_list("code", flat=True))
    for line_number, row in enumerate(rows, start=2):
        parent = (row.get("parent") or "").strip()
        if parent and parent not in known:
            problems.append(f"{path.name} 第{line_number}行 parent: 上级区划 {parent} 不存在")
    if problems:
        raise ServiceError("行政区划文件有误:\n" + "\n".join(problems))
    # Parents first, so foreign keys resolve inside the transaction.
    order = {RegionLevel.PROVINCE: 0, RegionLevel.CITY: 1, RegionLevel.COUNTY: 2}
    rows.sort(key=lambda r: order[level_of(r["code"].strip())])
    for row in rows:
        Region.objects.update_or_create(
            code=row["code"].strip(),
            defaults={
                "name": row["name"].strip(),
                "level": level_of(row["code"].strip()).value,
                "parent_id": (row.get("parent") or "").strip() or None,
            },
        )
    return len(rows)


def get_region(code: str) -> Region:
    try:
        return Region.objects.get(code=code)
    except Region.DoesNotExist:
        raise NotFound(f"行政区划 {code} 不存在", field="region") from None
