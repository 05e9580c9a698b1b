"""Shared result types and timing helpers for the benchmarks."""

from __future__ import annotations

import os
import statistics
import subprocess
import sys
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any


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
        digits = 2 if self.ratio >= 0.1 else 4  # a tiny ratio still shows its size
        text = (
            f"{self.name}: {self.measured:.3f} {self.unit} vs {self.baseline_name} "
            f"{self.baseline:.3f} {self.unit} -> ratio {self.ratio:.{digits}f}x"
        )
        if self.target:
            text += f"  [target: {self.target}]"
        if self.extra:
            text += f"  ({self.extra})"
        return text


@dataclass
class Skipped:
    """A benchmark that could not run, and why (printed in place of a figure)."""

    name: str
    reason: str

    def line(self) -> str:
        return f"{self.name}: SKIPPED ({self.reason})"


def median_time(fn: Callable[[], object], repeat: int) -> float:
    """Median wall time of fn in seconds over repeat runs."""
    times = []
    for _ in range(repeat):
        start = time.perf_counter()
        fn()
        times.append(time.perf_counter() - start)
    return statistics.median(times)


def timed(fn: Callable[[], object]) -> float:
    start = time.perf_counter()
    fn()
    return time.perf_counter() - start


@dataclass(frozen=True)
class Pair:
    """Times of a measured and a baseline function run in alternation."""

    measured: list[float]
    baseline: list[float]

    @property
    def median(self) -> tuple[float, float]:
        return statistics.median(self.measured), statistics.median(self.baseline)

    @property
    def best(self) -> tuple[float, float]:
        return min(self.measured), min(self.baseline)

    def spread(self, scale: float = 1.0, unit: str = "s") -> str:
        """The times (or their range when many), for the reader to judge the noise."""
        ours, theirs = _times(self.measured, scale), _times(self.baseline, scale)
        return f"runs {ours} {unit} vs {theirs} {unit}"


def _times(times: list[float], scale: float) -> str:
    shown = [f"{t * scale:.4g}" for t in times]
    if len(shown) > 7:
        return f"{min(times) * scale:.4g}..{max(times) * scale:.4g}"
    return "/".join(shown)


def alternate(
    measured: Callable[[], object], baseline: Callable[[], object], repeat: int, warmup: int = 1
) -> Pair:
    """Run both repeat times, swapping which goes first each round, so a burst of background
    load or a cold cache hurts neither side alone; warmup rounds are not counted."""
    ours: list[float] = []
    theirs: list[float] = []
    for i in range(warmup + repeat):
        if i % 2:
            b = timed(baseline)
            m = timed(measured)
        else:
            m = timed(measured)
            b = timed(baseline)
        if i >= warmup:
            ours.append(m)
            theirs.append(b)
    return Pair(ours, theirs)


def peak_rss_mb() -> float:
    """This process's peak resident memory. VmHWM belongs to the process image, so it starts
    afresh at exec; ru_maxrss is kept across fork and exec and would report the (large)
    benchmark runner's size for every child it starts."""
    try:
        with open("/proc/self/status", encoding="ascii") as status:
            for line in status:
                if line.startswith("VmHWM:"):
                    return int(line.split()[1]) / 1024
    except OSError:
        pass
    import resource

    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def child_env() -> dict[str, str]:
    """The environment for commands under test: nothing of the user's register leaks in."""
    env = {k: v for k, v in os.environ.items() if not k.startswith("GPAITRACKER_")}
    # An installed app runs from byte-compiled modules, like the sqlmodel it is compared
    # with; a development shell that forbids writing them would charge us ~40 ms a start.
    env.pop("PYTHONDONTWRITEBYTECODE", None)
    env.setdefault("QT_QPA_PLATFORM", "offscreen")
    return env


def byte_compile_package() -> None:
    """Compile gpaitracker's modules as pip does when it installs the package."""
    import compileall

    import gpaitracker

    compileall.compile_dir(Path(gpaitracker.__file__).parent, quiet=1)


def gpaitracker_argv() -> list[str]:
    """How a user starts the command: the installed script next to this interpreter."""
    script = Path(sys.executable).parent / "gpaitracker"
    if script.is_file():
        return [str(script)]
    return [sys.executable, "-m", "gpaitracker"]


class CommandFailed(RuntimeError):
    pass


def run(
    argv: Sequence[str], *, stdout: Any = subprocess.DEVNULL, ok: Sequence[int] = (0,)
) -> subprocess.CompletedProcess[bytes]:
    """Run a command under test; an exit code not in ok is an error carrying its stderr."""
    proc = subprocess.run(
        list(argv), stdout=stdout, stderr=subprocess.PIPE, env=child_env(), check=False
    )
    if proc.returncode not in ok:
        err = proc.stderr.decode(errors="replace").strip().splitlines()
        tail = err[-1] if err else "no message"
        raise CommandFailed(f"{' '.join(argv[1:5])} ... exited {proc.returncode}: {tail}")
    return proc
