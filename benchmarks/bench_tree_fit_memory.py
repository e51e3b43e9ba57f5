"""Peak memory of one CART fit on W-cart (100,000 x 50), skedu's splitters against scikit-learn.

``python -m benchmarks.bench_tree_fit_memory [--quick]``: each fit runs in a fresh process, which
reports the peak resident memory the fit added over the data it was given (float64 X, as a user
has it). Linux only (reads /proc).
"""

import json
import subprocess
import sys

from benchmarks._common import benchmark_main, markdown_table, package_version

MODELS = {
    "sklearn best": "from sklearn.tree import DecisionTreeClassifier as M; kwargs = {}",
    "skedu best": "from skedu.tree import DecisionTreeClassifier as M; kwargs = {'n_jobs': 2}",
    "skedu hist": "from skedu.tree import DecisionTreeClassifier as M; "
                  "kwargs = {'splitter': 'hist', 'n_jobs': 2}",
}


def measure(model, n_train, max_depth):
    """Fit one model in this process and print its peak memory rise (MiB) as JSON."""
    from sklearn.datasets import make_classification

    from benchmarks._common import peak_rise_mib

    namespace = {}
    exec(MODELS[model], namespace)
    X, y = make_classification(n_train, n_features=50, n_informative=30, random_state=3)
    estimator = namespace["M"](max_depth=max_depth, random_state=0, **namespace["kwargs"])
    _, peak = peak_rise_mib(lambda: estimator.fit(X, y))
    print(json.dumps({"peak MiB": peak, "nodes": int(estimator.tree_.node_count)}))


def run(quick=False, n_threads=2):
    """Peak fit memory of each model, fully grown and at depth 10; return the Markdown table."""
    n_train = 20_000 if quick else 100_000
    rows = []
    for max_depth in (None, 10):
        for model in MODELS:
            code = ("from benchmarks.bench_tree_fit_memory import measure; "
                    f"measure({model!r}, {n_train}, {max_depth!r})")
            completed = subprocess.run([sys.executable, "-c", code], capture_output=True,
                                       text=True, check=True)
            result = json.loads(completed.stdout.strip().splitlines()[-1])
            rows.append({"max_depth": max_depth or "full", "model": model, **result})
    header = (f"W-cart classification, {n_train} rows x 50 features (float64 X: "
              f"{n_train * 50 * 8 / 2**20:.0f} MiB); peak resident memory added by fit; "
              f"scikit-learn {package_version('scikit-learn')}\n\n")
    return header + markdown_table(rows, ["max_depth", "model", "peak MiB", "nodes"])


if __name__ == "__main__":
    benchmark_main(run, __doc__)
