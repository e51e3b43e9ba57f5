"""Timing and table helpers shared by every benchmark script.

Rules (BENCHMARKS.md): skedu and its peers run in the same process, alternately, with the same
number of threads; each figure is the median of ``repeats`` runs; only ratios within one run are
compared.
"""

import argparse
import platform
import statistics
import time
from importlib.metadata import PackageNotFoundError, version

from threadpoolctl import threadpool_limits


def package_version(name):
    """Installed version of a distribution, or ``"-"``."""
    try:
        return version(name)
    except PackageNotFoundError:
        return "-"


def time_call(function, repeats=3):
    """Run ``function()`` ``repeats`` times; return (median seconds, last result)."""
    timings, result = [], None
    for _ in range(repeats):
        start = time.perf_counter()
        result = function()
        timings.append(time.perf_counter() - start)
    return statistics.median(timings), result


def time_alternately(functions, repeats=3):
    """Time several callables in turn, round by round, so machine noise hits all of them alike.

    Parameters
    ----------
    functions : dict of str -> callable
    repeats : int

    Returns
    -------
    medians : dict of str -> float
    results : dict of str -> object
        What each callable returned on its last run.
    """
    timings = {name: [] for name in functions}
    results = {}
    for _ in range(repeats):
        for name, function in functions.items():
            start = time.perf_counter()
            results[name] = function()
            timings[name].append(time.perf_counter() - start)
    return {name: statistics.median(values) for name, values in timings.items()}, results


def markdown_table(rows, columns):
    """Rows (dicts) as a Markdown table; floats with 4 significant digits."""

    def cell(value):
        if isinstance(value, float):
            return f"{value:.4g}"
        return str(value)

    lines = ["| " + " | ".join(columns) + " |", "|" + "---|" * len(columns)]
    lines += ["| " + " | ".join(cell(row.get(column, "")) for column in columns) + " |" for row in rows]
    return "\n".join(lines)


def benchmark_main(run, description):
    """Command line for a benchmark module: ``--quick``, ``--threads``; prints what ``run`` returns.

    ``run(quick: bool, n_threads: int) -> str`` returns the Markdown text to print.
    """
    parser = argparse.ArgumentParser(description=description)
    parser.add_argument("--quick", action="store_true", help="smaller data, fewer repeats")
    parser.add_argument("--threads", type=int, default=2, help="threads for skedu and every peer")
    args = parser.parse_args()
    print(f"<!-- {platform.processor() or platform.machine()}, threads={args.threads} -->")
    with threadpool_limits(limits=args.threads):
        print(run(quick=args.quick, n_threads=args.threads))


def _resident_and_peak_kib():
    fields = {}
    with open("/proc/self/status") as handle:
        for line in handle:
            key, _, value = line.partition(":")
            fields[key] = value
    return int(fields["VmRSS"].split()[0]), int(fields["VmHWM"].split()[0])


def peak_rise_mib(function):
    """Run ``function()`` once; return (its result, the peak resident memory it added in MiB).

    Freed heap pages go back to the system and the kernel's high-water mark is reset to the
    current resident set first (Linux), so the figure is what this one call added at its peak.
    """
    import ctypes
    import gc

    gc.collect()
    ctypes.CDLL("libc.so.6").malloc_trim(0)
    with open("/proc/self/clear_refs", "w") as handle:
        handle.write("5")
    before, _ = _resident_and_peak_kib()
    result = function()
    _, peak = _resident_and_peak_kib()
    return result, (peak - before) / 1024
