"""The closed vocabulary of emergency measures (REQ G-5): quantified so reductions can be computed, not just shown."""

from __future__ import annotations

from typing import Annotated, Literal, get_args

from pydantic import BaseModel, ConfigDict, Field

from airgrade.core.types import EmissionStage


class _Measure(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)
    note_zh: str = ""


class SelfDetermined(_Measure):
    """A and 引领性: the enterprise decides its own reductions (自主采取减排措施)."""

    kind: Literal["self_determined"] = "self_determined"


class StopProduction(_Measure):
    """Stop every production line in scope (停产)."""

    kind: Literal["stop_production"] = "stop_production"


class StopLineShare(_Measure):
    """Stop at least this share of production lines, counted per line (以生产线计)."""

    kind: Literal["stop_line_share"] = "stop_line_share"
    share: float = Field(gt=0, le=1)


class Curtail(_Measure):
    """Curtail output by this percentage of the min-of-three base (环评, 排污许可, last year's actual; REQ G-5)."""

    kind: Literal["curtail"] = "curtail"
    percent: float = Field(gt=0, le=100)


class StopVehicles(_Measure):
    """Stop road transport by heavy vehicles at or below an emission stage (e.g. 国四 and below, gas included)."""

    kind: Literal["stop_vehicles"] = "stop_vehicles"
    at_or_below: EmissionStage
    includes_gas: bool = True


class StopRoadTransport(_Measure):
    """Stop all road transport of materials (停止公路运输)."""

    kind: Literal["stop_road_transport"] = "stop_road_transport"


Measure = Annotated[
    SelfDetermined | StopProduction | StopLineShare | Curtail | StopVehicles | StopRoadTransport,
    Field(discriminator="kind"),
]
# The `kind` tags in vocabulary order, for messages that list what is allowed.
MEASURE_KINDS: tuple[str, ...] = tuple(
    str(member.model_fields["kind"].default) for member in get_args(get_args(Measure)[0])
)


def production_cut_share(measures: list[Measure]) -> float:
    """The share of production a set of measures removes at least (0..1), ignoring transport-only measures.

    Used to compare measures: an enterprise may propose stricter measures than its grade's minimum, never weaker.
    """
    share = 0.0
    for measure in measures:
        if isinstance(measure, StopProduction):
            share = max(share, 1.0)
        elif isinstance(measure, StopLineShare):
            share = max(share, measure.share)
        elif isinstance(measure, Curtail):
            share = max(share, measure.percent / 100)
    return share
