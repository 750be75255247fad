"""API types of the regions app: one region of the tree."""

from __future__ import annotations

from ninja import Schema


class RegionOut(Schema):
    code: str
    name: str
    level: str
    parent: str | None
