"""Scaling out: skedu's dask paths on 1 and 2 local worker processes against the local paths.

``python -m benchmarks.bench_scale [--quick]``: a random forest (W-rf's data, 20,000 rows x 50
features, 32 trees; 10,000 rows and 16 trees with ``--quick``) and FP-growth (retail at 0.1%,
T10I4D100K repeated ten times, 1,000,000 transactions, at 0.5%; retail only with ``--quick``), each timed four ways, alternately, median of 3:

- ``local 1t`` / ``local 2t``: the plain local fit with one and two threads;
- ``dask 1w`` / ``dask 2w``: the dask path on a ``LocalCluster`` of one and of two worker
  processes, one thread each (forests inside ``joblib.parallel_backend("dask")``, X sent by the
  fit; FP-growth on a ``dask.bag`` of 4 partitions persisted on the workers beforehand).

``overhead`` is dask 1w / local 1t (the same one core: what the cluster path costs), ``speed-up``
dask 1w / dask 2w, ``vs local 2t`` dask 2w / local 2t (two cores either way). Both local outputs
are those of the dask path (a forest equal tree for tree; a DataFrame of frozensets and supports).
On one one-thread worker joblib runs a forest's single task in the calling process (its rule for
one slot), so the forest's ``dask 1w`` and ``overhead`` measure the local path plus dispatch; its
``vs local 2t`` is the cost of the cluster path. The machine has 2 cores shared with other work:
read the ratios, not the seconds.
"""

import os
import time

import numpy as np

from benchmarks._common import markdown_table, package_version, time_alternately
from tests import datasets


def _forest_workload(quick):
    from sklearn.datasets import make_classification

    n_rows, n_trees = (10_000, 16) if quick else (20_000, 32)
    X, y = make_classification(n_rows, n_features=50, n_informative=30, random_state=3)
    return f"RF best, {n_rows // 1000}k x 50, {n_trees} trees", X, y, n_trees


def _fpgrowth_workloads(quick):
    """(label, transactions, min_support): retail, and T10I4D100K ten times over (1M rows)."""
    runs = [("retail.dat.xz", 1, 0.001)] + ([] if quick else [("T10I4D100K.dat.xz", 10, 0.005)])
    for name, copies, support in runs:
        if datasets.available(name):
            label = name.split(".")[0] + (f" x{copies}" if copies > 1 else "")
            yield label, datasets.load_transactions(name) * copies, support


def _local_itemsets(transactions, min_support, n_jobs):
    """The local miner, with the dask path's output (a DataFrame of frozensets and supports)."""
    import pandas

    from skedu.frequent_patterns import FPGrowth

    model = FPGrowth(min_support=min_support, n_jobs=n_jobs).fit(transactions)
    return pandas.DataFrame({"support": model.supports_,
                             "itemsets": [frozenset(s) for s in model.itemsets_]})


def run(quick):
    import dask.bag as db
    import joblib
    from distributed import Client, LocalCluster

    from skedu.ensemble import RandomForestClassifier
    from skedu.frequent_patterns.dask import fpgrowth

    repeats = 3
    rows = []
    clusters = {n: LocalCluster(n_workers=n, threads_per_worker=1, processes=True,
                                dashboard_address=None) for n in (1, 2)}
    clients = {n: Client(cluster, set_as_default=False) for n, cluster in clusters.items()}
    try:
        name, X, y, n_trees = _forest_workload(quick)

        def forest(n_jobs=None):
            return RandomForestClassifier(n_trees, n_jobs=n_jobs, random_state=0)

        def on_cluster(n):
            def fit():
                with joblib.parallel_backend("dask", client=clients[n]):
                    return forest().fit(X, y)
            return fit

        medians, fitted = time_alternately({
            "local 1t": lambda: forest(1).fit(X, y), "local 2t": lambda: forest(2).fit(X, y),
            "dask 1w": on_cluster(1), "dask 2w": on_cluster(2)}, repeats)
        assert np.array_equal(fitted["local 1t"].trees_.nodes, fitted["dask 2w"].trees_.nodes)
        rows.append({"workload": name, **medians})

        for data_name, transactions, min_support in _fpgrowth_workloads(quick):
            bags = {}
            for n, client in clients.items():
                with client.as_current():
                    bags[n] = db.from_sequence(transactions, npartitions=4).persist()

            def mined(n):
                def mine():
                    with clients[n].as_current():
                        return fpgrowth(bags[n], min_support)
                return mine

            medians, results = time_alternately({
                "local 1t": lambda: _local_itemsets(transactions, min_support, 1),
                "local 2t": lambda: _local_itemsets(transactions, min_support, 2),
                "dask 1w": mined(1), "dask 2w": mined(2)}, repeats)
            expected = dict(zip(results["local 1t"]["itemsets"], results["local 1t"]["support"]))
            assert dict(zip(results["dask 2w"]["itemsets"], results["dask 2w"]["support"])) \
                == expected
            rows.append({"workload": f"FP-growth {data_name} {min_support:.1%} "
                                     f"({len(expected)} sets)", **medians})
            del bags
    finally:
        for n in clients:
            clients[n].close()
            clusters[n].close()
    for row in rows:
        row["overhead"] = row["dask 1w"] / row["local 1t"]
        row["speed-up"] = row["dask 1w"] / row["dask 2w"]
        row["vs local 2t"] = row["dask 2w"] / row["local 2t"]
    header = (f"dask {package_version('dask')}, distributed {package_version('distributed')}, "
              f"skedu {package_version('skedu')}; load {os.getloadavg()[0]:.2f}; "
              f"seconds are medians of {repeats}\n\n")
    return header + markdown_table(rows, ["workload", "local 1t", "local 2t", "dask 1w",
                                          "dask 2w", "overhead", "speed-up", "vs local 2t"])


if __name__ == "__main__":
    import argparse

    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--quick", action="store_true", help="smaller data")
    started = time.perf_counter()
    print(run(parser.parse_args().quick))
    print(f"\n({time.perf_counter() - started:.0f} s)")
