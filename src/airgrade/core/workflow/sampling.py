"""The reproducible sample of B (B-) applicants that the city checks on site (REQ LC-2: "B级企业抽查").

The draw must be repeatable by anyone who holds the record: the same seed and the same candidates give the
same sample, whatever order the candidates arrive in and on any Python version. So candidates are sorted by a
stable key and ranked by SHA-256 of "seed:key" (algorithm `sha256-rank-v1`); the first `size` of the ranking
are drawn. The sample size is the ratio of the candidate count rounded up, and at least one when there are
candidates.
"""

from __future__ import annotations

import hashlib
import math
from collections.abc import Iterable
from dataclasses import dataclass
from fractions import Fraction

ALGORITHM = "sha256-rank-v1"


@dataclass(frozen=True)
class SampleDraw:
    """Everything needed to reproduce and audit a draw."""

    algorithm: str
    seed: int
    ratio: Fraction
    candidates: tuple[str, ...]
    drawn: tuple[str, ...]

    @property
    def size(self) -> int:
        return len(self.drawn)


def sample_size(candidate_count: int, ratio: Fraction) -> int:
    if candidate_count <= 0 or ratio <= 0:
        return 0
    return min(candidate_count, max(1, math.ceil(ratio * candidate_count)))


def _rank(seed: int, key: str) -> str:
    return hashlib.sha256(f"{seed}:{key}".encode()).hexdigest()


def draw_sample(candidates: Iterable[str], ratio: Fraction | str | float, seed: int) -> SampleDraw:
    """Draw the B sample. `candidates` are stable keys (e.g. declaration numbers); duplicates are an error."""
    ratio = Fraction(ratio) if not isinstance(ratio, float) else Fraction(str(ratio))
    if not 0 <= ratio <= 1:
        raise ValueError(f"抽查比例须在0到1之间: {ratio}")
    if seed < 0:
        raise ValueError("随机种子须为非负整数")
    keys = sorted(candidates)
    if len(set(keys)) != len(keys):
        raise ValueError("抽查候选名单中有重复的编号")
    size = sample_size(len(keys), ratio)
    ranked = sorted(keys, key=lambda key: (_rank(seed, key), key))
    drawn = tuple(sorted(ranked[:size]))
    return SampleDraw(ALGORITHM, seed, ratio, tuple(keys), drawn)


def verify_draw(draw: SampleDraw) -> bool:
    """Recompute a recorded draw and say whether it matches."""
    again = draw_sample(draw.candidates, draw.ratio, draw.seed)
    return draw.algorithm == ALGORITHM and again.drawn == draw.drawn
