"""Run every benchmark (or those whose name contains a filter) and print ratios.

python -m benchmarks.run [--quick] [FILTER ...]
"""

from __future__ import annotations

import argparse
import importlib
import pkgutil

import benchmarks


def discover():
    for info in pkgutil.iter_modules(benchmarks.__path__):
        if info.name.startswith("bench_"):
            module = importlib.import_module(f"benchmarks.{info.name}")
            yield from getattr(module, "BENCHMARKS", [])


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("filters", nargs="*", help="run only benchmarks whose name has this text")
    parser.add_argument("--quick", action="store_true", help="smaller data, for a smoke run")
    args = parser.parse_args()
    for bench in discover():
        if args.filters and not any(f in bench.__name__ for f in args.filters):
            continue
        print(f"== {bench.__name__}", flush=True)
        for result in bench(quick=args.quick):
            print(result.line(), flush=True)


if __name__ == "__main__":
    main()
