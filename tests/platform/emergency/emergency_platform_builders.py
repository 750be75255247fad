"""Payloads for the emergency platform tests."""

from __future__ import annotations

from typing import Any


def payload(grade: str | None = "B", **overrides: Any) -> dict[str, Any]:
    data: dict[str, Any] = {
        "in_industrial_park": True,
        "transport_mode": "公路",
        "transport_volume_t": 1_200_000,
        "output_value_10k_yuan": 52_000,
        "energy_use_tce": 180_000,
        "annual_output": 1_500_000,
        "output_unit": "t",
        "industries": [{"industry_code": "cement", "grade": grade}],
        "lines": [
            {
                "key": "L1",
                "name": "1号熟料生产线",
                "capacity_unit": "t/d",
                "eia_capacity": 5000,
                "permit_capacity": 4000,
                "actual_output": 5000,
                "emissions": {"SO2": 0.5, "NOx": 2.0, "PM": 0.2},
                "key_parameters": "窑头喂料量 ≤ 300 t/h",
            },
            {
                "key": "L2",
                "name": "2号熟料生产线（备用）",
                "status": "backup",
                "capacity_unit": "t/d",
                "eia_capacity": 2500,
                "emissions": {"NOx": 1.0},
            },
        ],
    }
    data.update(overrides)
    return data


def site_of(enterprise: Any) -> Any:
    return enterprise.sites.get()
