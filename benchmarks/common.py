"""Shared result type and timing helper for the benchmarks."""

from __future__ import annotations

import statistics
import time
from collections.abc import Callable
from dataclasses import dataclass


@dataclass
class Result:
    name: str
    measured: float
    baseline_name: str
    baseline: float
    unit: str
    target: str = ""
    extra: str = ""

    @property
    def ratio(self) -> float:
        return self.measured / self.baseline if self.baseline else float("inf")

    def line(self) -> str:
        text = (
            f"{self.name}: {self.measured:.3f} {self.unit} vs {self.baseline_name} "
            f"{self.baseline:.3f} {self.unit} -> ratio {self.ratio:.2f}x"
        )
        if self.target:
            text += f"  [target: {self.target}]"
        if self.extra:
            text += f"  ({self.extra})"
        return text


def median_time(fn: Callable[[], object], repeat: int) -> float:
    """Median wall time of fn in seconds over repeat runs."""
    times = []
    for _ in range(repeat):
        start = time.perf_counter()
        fn()
        times.append(time.perf_counter() - start)
    return statistics.median(times)
