"""Run every benchmark (or those whose name contains a filter) and print ratios.

python -m benchmarks.run [--quick] [FILTER ...]

The benchmarks on the big register share one, generated on first use (see shared_register).
A benchmark that fails prints FAILED with the reason and the others still run.
"""

from __future__ import annotations

import argparse
import importlib
import pkgutil
import sys
import time
import traceback
from collections.abc import Callable, Iterator
from typing import Any

import benchmarks


def discover() -> Iterator[Callable[..., list[Any]]]:
    for info in pkgutil.iter_modules(benchmarks.__path__):
        if info.name.startswith("bench_"):
            module = importlib.import_module(f"benchmarks.{info.name}")
            yield from getattr(module, "BENCHMARKS", [])


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("filters", nargs="*", help="run only benchmarks whose name has this text")
    parser.add_argument("--quick", action="store_true", help="smaller data, for a smoke run")
    args = parser.parse_args()
    failed = 0
    for bench in discover():
        if args.filters and not any(f in bench.__name__ for f in args.filters):
            continue
        print(f"== {bench.__name__}", flush=True)
        started = time.perf_counter()
        try:
            results = bench(quick=args.quick)
        except Exception as exc:  # report it and go on with the others
            failed += 1
            traceback.print_exc(file=sys.stderr)
            print(f"{bench.__name__}: FAILED ({type(exc).__name__}: {exc})", flush=True)
            continue
        for result in results:
            print(result.line(), flush=True)
        print(f"   ({bench.__name__} took {time.perf_counter() - started:.1f} s)", flush=True)
    sys.exit(1 if failed else 0)


if __name__ == "__main__":
    main()
