"""Run every ``benchmarks/bench_*.py`` and print their tables: ``python -m benchmarks.run_all [--quick]``."""

import argparse
import importlib
import pkgutil
from pathlib import Path

from threadpoolctl import threadpool_limits


def main():
    """Import each benchmark module and print the table its ``run`` returns."""
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--quick", action="store_true")
    parser.add_argument("--threads", type=int, default=2)
    args = parser.parse_args()
    folder = Path(__file__).parent
    for module_info in sorted(pkgutil.iter_modules([str(folder)]), key=lambda m: m.name):
        if not module_info.name.startswith("bench_"):
            continue
        module = importlib.import_module(f"benchmarks.{module_info.name}")
        print(f"\n## {module_info.name}\n")
        with threadpool_limits(limits=args.threads):
            print(module.run(quick=args.quick, n_threads=args.threads))


if __name__ == "__main__":
    main()
