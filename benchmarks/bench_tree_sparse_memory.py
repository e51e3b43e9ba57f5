"""Peak memory of one fully grown CART fit on sparse data: skedu and scikit-learn, sparse and dense.

``python -m benchmarks.bench_tree_sparse_memory``: a9a, w8a and a one-hot-encoded adult
(``benchmarks.bench_tree._sparse_data``). Each fit runs in a fresh process, which reports the
peak resident memory the fit added over the data it was given (a CSR float64 matrix, or its
dense float64 copy made before the measurement). Linux only (reads /proc).
"""

import json
import subprocess
import sys

from benchmarks._common import benchmark_main, markdown_table, package_version

MODELS = {
    "sklearn best": "from sklearn.tree import DecisionTreeClassifier as M; kwargs = {}",
    "skedu best": "from skedu.tree import DecisionTreeClassifier as M; kwargs = {'n_jobs': 1}",
    "skedu hist": "from skedu.tree import DecisionTreeClassifier as M; "
                  "kwargs = {'splitter': 'hist', 'n_jobs': 1}",
}
DATA = {"a9a": ("a9a.xz",), "w8a": ("w8a.xz",), "adult one-hot": ("adult.data.xz",)}


def measure(model, data, dense):
    """Fit one model in this process and print its peak memory rise (MiB) as JSON."""
    from benchmarks._common import peak_rise_mib
    from benchmarks.bench_tree import _sparse_data
    from tests import datasets

    namespace = {}
    exec(MODELS[model], namespace)
    if data == "w8a":
        X, y = datasets.load_libsvm("w8a.xz")
    else:
        X, y, _, _ = _sparse_data(data)
    if dense:
        X = X.toarray()
    estimator = namespace["M"](random_state=0, **namespace["kwargs"])
    _, peak = peak_rise_mib(lambda: estimator.fit(X, y))
    print(json.dumps({"peak MiB": peak, "nodes": int(estimator.tree_.node_count),
                      "shape": list(X.shape),
                      "stored": int(X.nnz) if hasattr(X, "nnz") else int(X.size)}))


def run(quick=False, n_threads=1):
    """Peak fit memory of each model on each data set, sparse and dense; the Markdown table."""
    from tests.datasets import available

    rows = []
    for data, files in DATA.items():
        if not all(available(file) for file in files):
            continue
        for dense in (False, True):
            for model in MODELS:
                code = ("from benchmarks.bench_tree_sparse_memory import measure; "
                        f"measure({model!r}, {data!r}, {dense!r})")
                completed = subprocess.run([sys.executable, "-c", code], capture_output=True,
                                           text=True, check=True)
                result = json.loads(completed.stdout.strip().splitlines()[-1])
                n, p = result.pop("shape")
                stored = result.pop("stored")
                rows.append({"data": f"{data} {n}x{p}", "X": "dense" if dense else "CSR",
                             "X MiB": (n * p * 8 if dense else stored * 12) / 2**20,
                             "model": model, **result})
    header = (f"Peak resident memory added by one fully grown fit (fresh process each); X MiB: "
              f"the input (dense float64, or CSR float64 + int32 indices); scikit-learn "
              f"{package_version('scikit-learn')}\n\n")
    return header + markdown_table(rows, ["data", "X", "X MiB", "model", "peak MiB", "nodes"])


if __name__ == "__main__":
    benchmark_main(run, __doc__)
