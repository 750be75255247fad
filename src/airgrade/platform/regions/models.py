"""Administrative regions (GB/T 2260): province → city → county, keyed by their six-digit code."""

from __future__ import annotations

from django.db import models

from airgrade.core.regions import RegionLevel


class Region(models.Model):
    code = models.CharField("行政区划代码", max_length=6, primary_key=True)
    name = models.CharField("名称", max_length=64)
    level = models.CharField("级别", max_length=16, choices=[(lv.value, lv.value) for lv in RegionLevel])
    parent = models.ForeignKey("self", null=True, blank=True, on_delete=models.PROTECT, related_name="children")

    class Meta:
        ordering = ["code"]
        verbose_name = "行政区划"
        verbose_name_plural = "行政区划"

    def __str__(self) -> str:
        return f"{self.name}（{self.code}）"

    def full_name(self) -> str:
        names = [self.name]
        node = self.parent
        while node is not None:
            names.append(node.name)
            node = node.parent
        return "".join(reversed(names))
