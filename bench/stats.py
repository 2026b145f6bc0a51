"""Percentiles and medians for benchmark figures."""

import math
import statistics
from collections.abc import Sequence
from dataclasses import dataclass


def percentile(ordered: Sequence[float], q: float) -> float:
    """The nearest-rank q-th percentile (0 < q <= 100) of already sorted values."""
    if not ordered:
        return math.nan
    rank = max(1, math.ceil(q / 100 * len(ordered)))
    return ordered[rank - 1]


@dataclass(frozen=True)
class Summary:
    """Latency percentiles of one batch of requests, in milliseconds."""

    n: int
    p50: float
    p95: float
    p99: float
    max: float

    @classmethod
    def of(cls, values_ms: Sequence[float]) -> "Summary":
        """Summarise a batch of latencies given in milliseconds."""
        ordered = sorted(values_ms)
        return cls(
            n=len(ordered),
            p50=percentile(ordered, 50),
            p95=percentile(ordered, 95),
            p99=percentile(ordered, 99),
            max=ordered[-1] if ordered else math.nan,
        )

    @classmethod
    def median_of(cls, rounds: Sequence["Summary"]) -> "Summary":
        """Field by field, the median over several rounds (the figure to report on a noisy machine)."""
        return cls(
            n=sum(r.n for r in rounds),
            p50=statistics.median(r.p50 for r in rounds),
            p95=statistics.median(r.p95 for r in rounds),
            p99=statistics.median(r.p99 for r in rounds),
            max=statistics.median(r.max for r in rounds),
        )

    def row(self) -> str:
        """The percentiles as one aligned line."""
        figures = f"p50 {self.p50:7.2f}  p95 {self.p95:7.2f}  p99 {self.p99:7.2f}  max {self.max:7.2f}"
        return f"{figures} ms  (n={self.n})"
