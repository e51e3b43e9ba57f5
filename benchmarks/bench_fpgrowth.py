"""W-fpgrowth: skedu's FPGrowth against every pyfim miner (C) and mlxtend's fpgrowth on FIMI files.

pyfim's miners are its fpgrowth ("pyfim"), eclat, eclat with ``algo="o"`` (LCM-style
occurrence deliver), relim and sam; "skedu / fastest" is skedu's time over the fastest of them.
After the mining table (full run only): rule generation time on about half a million sets
(mushroom 10%, chess 60%), and ``FPGrowth.transform``'s peak memory against its output on
groceries at min_support 0.05% and 0.02%. ``SKEDU_BENCH_SKIP_MLXTEND=1`` leaves mlxtend out.

Every tool starts from the same list of transactions and ends with the frequent item sets as
Python objects (skedu: ``itemsets_`` tuples; pyfim: its list of tuples; mlxtend: its DataFrame).
mlxtend needs a one-hot DataFrame: building it (``TransactionEncoder``, sparse) is timed apart,
in the "one-hot s" column, and not counted in mlxtend's time. skedu runs with the benchmark's
threads and with one; pyfim and mlxtend are single-threaded.

Peak memory is the rise of the resident set size during one run, in a fresh process per file
(the kernel's high-water mark, reset through ``/proc/self/clear_refs`` before each run);
mlxtend's is measured only where one run takes under 2 s, and not with ``--quick``.

"tree nodes" is skedu's top-level FP-tree, 0 where the data is sparse enough that it is not
built (the top-level items' conditional trees then come from the transactions). With the
thread-count thresholds of ``skedu._core._fptree``, every case of the table mines on one thread
whatever the threads asked for: "skedu s" and "skedu 1 thread s" run the same code.

"identical" compares skedu's sets and supports with pyfim's ``relim`` (correct; pyfim's
``fpgrowth`` leaves out the sets made only of items present in every transaction) and with
mlxtend's result, which is given a fraction halfway between two counts (see ``_runners``).
"""

import ctypes
import functools
import gc
import os
import json
import math
import statistics
import subprocess
import sys
import time

from benchmarks._common import benchmark_main, markdown_table, package_version, time_alternately
from tests.datasets import available, load_transactions

# (file, supports in percent) of W-fpgrowth in BENCHMARKS.md
FULL_CASES = [
    ("retail.dat.xz", None, (1.0, 0.1, 0.05)),
    ("T10I4D100K.dat.xz", None, (1.0, 0.5, 0.1)),
    ("mushroom.dat.xz", None, (20.0, 10.0)),
    ("chess.dat.xz", None, (80.0, 60.0)),
]
# --quick: the first transactions of the large files, supports with few sets.
QUICK_CASES = [
    ("retail.dat.xz", 20_000, (1.0,)),
    ("T10I4D100K.dat.xz", 20_000, (1.0,)),
    ("mushroom.dat.xz", None, (20.0,)),
    ("chess.dat.xz", None, (80.0,)),
]
MLXTEND_MEMORY_LIMIT_S = 2.0
# Every pyfim miner: (column, function, options). "pyfim" is its fpgrowth.
PYFIM_MINERS = [
    ("pyfim", "fpgrowth", {}),
    ("eclat", "eclat", {}),
    ("eclat o", "eclat", {"algo": "o"}),
    ("relim", "relim", {}),
    ("sam", "sam", {}),
]
# Rule generation: (file, min support in percent), about half a million sets each.
RULE_CASES = [("mushroom.dat.xz", 10.0), ("chess.dat.xz", 60.0)]
# transform's peak memory against its output: groceries at these min supports.
TRANSFORM_SUPPORTS = (0.0005, 0.0002)
SINGLE_RUN_ABOVE_S = 20.0


def _load(name, n_rows):
    transactions = load_transactions(name)
    return transactions if n_rows is None else transactions[:n_rows]


def _one_hot_frame(transactions):
    import pandas as pd
    from mlxtend.preprocessing import TransactionEncoder

    encoder = TransactionEncoder().fit(transactions)
    matrix = encoder.transform(transactions, sparse=True)
    # mlxtend rejects sparse frames with integer column names that do not start at 0.
    return pd.DataFrame.sparse.from_spmatrix(matrix, columns=[str(c) for c in encoder.columns_])


def _runners(transactions, min_count, n_threads, frame=None):
    """Callables running each tool once on the same data and threshold."""
    from skedu.frequent_patterns import FPGrowth

    runners = {
        "skedu": lambda: FPGrowth(min_support=min_count, n_jobs=n_threads).fit(transactions),
        "skedu 1 thread": lambda: FPGrowth(min_support=min_count, n_jobs=1).fit(transactions),
    }
    try:
        import fim

        for label, miner, options in PYFIM_MINERS:
            runners[label] = functools.partial(getattr(fim, miner), transactions, supp=-min_count,
                                               report="a", **options)
    except ImportError:
        pass
    if frame is not None:
        from mlxtend.frequent_patterns import fpgrowth as mlxtend_fpgrowth

        # mlxtend mines with ceil(min_support * n), which rounds c / n * n up to c + 1 for some
        # c (45 / 88162 * 88162 = 45.00000000000001 on retail) and loses every set at the
        # threshold; halfway between two counts it keeps exactly the counts >= min_count.
        fraction = (min_count - 0.5) / len(transactions)
        runners["mlxtend"] = lambda: mlxtend_fpgrowth(frame, min_support=fraction, use_colnames=True)
    return runners


def _current_and_peak_rss_kib():
    fields = {}
    with open("/proc/self/status") as handle:
        for line in handle:
            key, _, value = line.partition(":")
            fields[key] = value
    return int(fields["VmRSS"].split()[0]), int(fields["VmHWM"].split()[0])


def measure_peak_memory(name, n_rows, jobs):
    """Run each (min_count, tool) of ``jobs`` once in this process; print their peak rise in MiB.

    Before each run, freed heap pages go back to the system and the high-water mark is reset to
    the current resident set, so each figure is what that one run added at its peak.
    """
    transactions = _load(name, n_rows)
    frame = _one_hot_frame(transactions) if any(tool == "mlxtend" for _, tool in jobs) else None
    libc = ctypes.CDLL("libc.so.6")
    peaks = []
    for min_count, tool in jobs:
        run = _runners(transactions, min_count, n_threads=1, frame=frame)[tool]
        gc.collect()
        libc.malloc_trim(0)
        with open("/proc/self/clear_refs", "w") as handle:
            handle.write("5")
        before, _ = _current_and_peak_rss_kib()
        result = run()
        _, peak = _current_and_peak_rss_kib()
        del result
        peaks.append((peak - before) / 1024)
    print(json.dumps(peaks))


def _peak_memory_mib(name, n_rows, jobs):
    """Peak memory of each job, measured in a fresh process; "n/a" where that fails."""
    code = ("from benchmarks.bench_fpgrowth import measure_peak_memory; "
            f"measure_peak_memory({name!r}, {n_rows!r}, {jobs!r})")
    try:
        completed = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                                   check=True, timeout=600)
        return json.loads(completed.stdout.strip().splitlines()[-1])
    except (subprocess.SubprocessError, ValueError, IndexError, OSError):
        return ["n/a"] * len(jobs)


def measure_transform_memory(min_support):
    """Print, as JSON, transform's peak memory rise and output size (MiB) on groceries."""
    from skedu.frequent_patterns import FPGrowth

    transactions = load_transactions("groceries.csv.xz")
    model = FPGrowth(min_support=min_support).fit(transactions)
    libc = ctypes.CDLL("libc.so.6")
    gc.collect()
    libc.malloc_trim(0)
    with open("/proc/self/clear_refs", "w") as handle:
        handle.write("5")
    before, _ = _current_and_peak_rss_kib()
    start = time.perf_counter()
    indicators = model.transform(transactions)
    seconds = time.perf_counter() - start
    _, peak = _current_and_peak_rss_kib()
    output = indicators.data.nbytes + indicators.indices.nbytes + indicators.indptr.nbytes
    print(json.dumps([len(model.itemsets_), int(indicators.nnz), seconds, (peak - before) / 1024,
                      output / 2**20]))


def transform_memory_table():
    """transform's time and peak memory against its output, each support in a fresh process."""
    rows = []
    for min_support in TRANSFORM_SUPPORTS:
        code = ("from benchmarks.bench_fpgrowth import measure_transform_memory; "
                f"measure_transform_memory({min_support!r})")
        completed = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                                   check=True, timeout=600)
        n_sets, nnz, seconds, peak, output = json.loads(completed.stdout.strip().splitlines()[-1])
        rows.append({"data": "groceries", "min support": f"{min_support * 100:g}%",
                     "itemsets": n_sets, "non-zeros": nnz, "transform s": seconds,
                     "output MiB": output, "peak MiB": peak, "peak / output": peak / output})
    columns = ["data", "min support", "itemsets", "non-zeros", "transform s", "output MiB",
               "peak MiB", "peak / output"]
    return ("FPGrowth.transform on the training transactions: peak rise of the resident set "
            "against the CSR output (fresh process per row).\n\n" + markdown_table(rows, columns))


def rule_generation_table(n_threads, repeats=3):
    """Time of the compiled rule generation on about half a million sets."""
    from skedu._core._fp_sets import candidate_rules
    from skedu.frequent_patterns import FPGrowth

    rows = []
    for name, percent in RULE_CASES:
        if not available(name):
            continue
        transactions = load_transactions(name)
        model = FPGrowth(min_support=percent / 100).fit(transactions)
        sizes = [len(itemset) for itemset in model.itemsets_]
        candidates = sum(2**size - 2 for size in sizes)
        # A threshold that keeps few rules: this times the enumeration, not the output (a
        # confidence of 1 keeps hundreds of millions of rules on mushroom, past the memory).
        for metric, threshold in (("lift", 10.0),):
            def generate(threads):
                return candidate_rules(
                    model._itemset_ranks, model._itemset_offsets, model.supports_,
                    ("confidence", "lift").index(metric) + 3, threshold,
                    float(len(transactions)), False, threads)
            medians, results = time_alternately(
                {"1": functools.partial(generate, 1), "n": functools.partial(generate, n_threads)},
                repeats=repeats)
            rows.append({"data": name.split(".")[0], "min support": f"{percent:g}%",
                         "itemsets": len(sizes), "candidate rules": float(candidates),
                         "metric": f"{metric} >= {threshold:g}", "rules": len(results["1"][0]),
                         "1 thread s": medians["1"], f"{n_threads} threads s": medians["n"],
                         "ns per candidate": medians["1"] / candidates * 1e9})
    columns = ["data", "min support", "itemsets", "candidate rules", "metric", "rules",
               "1 thread s", f"{n_threads} threads s", "ns per candidate"]
    return ("Rule generation in compiled code (every split of every set enumerated and "
            "filtered; kept rules as arrays, before building frozensets), median of "
            f"{repeats}.\n\n" + markdown_table(rows, columns))


def _as_sets(result, tool):
    if tool == "mlxtend":
        return dict(zip((frozenset(int(i) for i in s) for s in result["itemsets"]),
                        (round(v) for v in result["support"] * result.attrs["n"])))
    if tool == "relim":
        return {frozenset(items): count for items, count in result}
    return dict(zip(map(frozenset, result.itemsets_), result.support_counts_.tolist()))


def _mlxtend_times(run, repeats):
    """Median of ``repeats`` runs, or one run when the first takes over 20 s."""
    timings, result = [], None
    for _ in range(repeats):
        start = time.perf_counter()
        result = run()
        timings.append(time.perf_counter() - start)
        if timings[0] > SINGLE_RUN_ABOVE_S:
            break
    return statistics.median(timings), result


def run(quick, n_threads):
    """Time every tool on every case; return the Markdown report."""
    try:
        from fim import relim
    except ImportError:
        relim = None
    try:
        import mlxtend  # noqa: F401
        import pandas  # noqa: F401
        has_mlxtend = not os.environ.get("SKEDU_BENCH_SKIP_MLXTEND")
    except ImportError:
        has_mlxtend = False
    repeats = 3
    rows, notes = [], []
    for name, n_rows, supports in QUICK_CASES if quick else FULL_CASES:
        if not available(name):
            notes.append(f"{name}: not found, skipped")
            continue
        transactions = _load(name, n_rows)
        frame, one_hot_s = None, float("nan")
        if has_mlxtend:
            start = time.perf_counter()
            frame = _one_hot_frame(transactions)
            one_hot_s = time.perf_counter() - start
        memory_jobs = []
        for percent in supports:
            min_count = math.ceil(percent / 100 * len(transactions))
            runners = _runners(transactions, min_count, n_threads, frame)
            mlxtend_run = runners.pop("mlxtend", None)
            medians, results = time_alternately(runners, repeats=repeats)
            ours = _as_sets(results["skedu"], "skedu")
            miners = {label: medians[label] for label, _, _ in PYFIM_MINERS if label in medians}
            fastest = min(miners, key=miners.get) if miners else None
            row = {
                "data": name.split(".")[0] + ("" if n_rows is None else f"[:{n_rows}]"),
                "min support": f"{percent:g}%",
                "itemsets": len(ours),
                "skedu s": medians["skedu"],
                "skedu 1 thread s": medians["skedu 1 thread"],
                "pyfim s": medians.get("pyfim", float("nan")),
                "skedu / pyfim": medians["skedu"] / medians["pyfim"] if "pyfim" in medians else "-",
                "tree nodes": results["skedu"].n_tree_nodes_,
                "fastest miner": fastest or "-",
                "skedu / fastest": medians["skedu"] / miners[fastest] if fastest else "-",
                **{f"{label} s": value for label, value in miners.items() if label != "pyfim"},
            }
            checks = []
            if relim is not None:
                checks.append("relim " + ("yes" if ours == _as_sets(
                    relim(transactions, supp=-min_count, report="a"), "relim") else "NO"))
            if mlxtend_run is not None:
                mlxtend_s, mlxtend_result = _mlxtend_times(mlxtend_run, repeats=3)
                mlxtend_result.attrs["n"] = len(transactions)
                row.update({"mlxtend s": mlxtend_s, "one-hot s": one_hot_s,
                            "skedu / mlxtend": medians["skedu"] / mlxtend_s})
                checks.append("mlxtend " + ("yes" if ours == _as_sets(mlxtend_result, "mlxtend") else "NO"))
            row["identical"] = ", ".join(checks) or "-"
            for tool in ("skedu", "pyfim", "mlxtend"):
                if tool in medians or (tool == "mlxtend" and mlxtend_run is not None and not quick
                                       and row["mlxtend s"] < MLXTEND_MEMORY_LIMIT_S):
                    memory_jobs.append((min_count, tool, len(rows)))
                row[f"{tool} peak MiB"] = "-"
            rows.append(row)
        peaks = _peak_memory_mib(name, n_rows, [(count, tool) for count, tool, _ in memory_jobs])
        for (_, tool, row_index), peak in zip(memory_jobs, peaks):
            rows[row_index][f"{tool} peak MiB"] = peak
    columns = ["data", "min support", "itemsets", "skedu s", "skedu 1 thread s", "pyfim s",
               "eclat s", "eclat o s", "relim s", "sam s", "fastest miner", "skedu / fastest",
               "mlxtend s", "one-hot s", "skedu / pyfim", "skedu / mlxtend", "skedu peak MiB",
               "pyfim peak MiB", "mlxtend peak MiB", "tree nodes", "identical"]
    header = (f"W-fpgrowth, {n_threads} threads for skedu; median of {repeats} runs (mlxtend: 3, "
              f"or 1 over {SINGLE_RUN_ABOVE_S:g} s). pyfim {package_version('pyfim')}, "
              f"mlxtend {package_version('mlxtend')}, skedu {package_version('skedu')}.")
    sections = [header, "", markdown_table(rows, columns)] + [f"- {n}" for n in notes]
    if not quick:
        sections += ["", rule_generation_table(n_threads)]
        if available("groceries.csv.xz"):
            sections += ["", transform_memory_table()]
    return "\n".join(sections)


if __name__ == "__main__":
    benchmark_main(run, __doc__)
