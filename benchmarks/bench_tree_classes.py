"""Trees with many classes: fit time and peak memory against scikit-learn's tree.

``python -m benchmarks.bench_tree_classes [--quick] [--threads N]``: make_classification with
100,000 rows, 20 features (15 informative) and K = 10, 100, 1000 classes (one cluster per
class), trees grown to full depth with the exact splitter ("best"), and with the hist splitter.
"peak MiB" is the resident memory a fit added at its peak (``peak_rise_mib``: the training data
are made before); each fit runs once, the libraries alternately, so ratios are of one run.
"""

import time

from sklearn import tree as sk_tree
from sklearn.datasets import make_classification

from benchmarks._common import benchmark_main, markdown_table, package_version, peak_rise_mib
from skedu import tree as skedu_tree


def _data(n_samples, n_classes):
    return make_classification(n_samples, n_features=20, n_informative=15, n_redundant=0,
                               n_classes=n_classes, n_clusters_per_class=1, random_state=0)


def _fit(model, X, y):
    start = time.perf_counter()
    model.fit(X, y)
    return time.perf_counter() - start, model


def run(quick=False, n_threads=2):
    """One fit per library and class count; the Markdown table."""
    n_samples = 20_000 if quick else 100_000
    rows = []
    for n_classes in (10, 100, 1000):
        X, y = _data(n_samples, n_classes)
        models = {
            "sklearn": lambda: sk_tree.DecisionTreeClassifier(random_state=0),
            "skedu best": lambda: skedu_tree.DecisionTreeClassifier(random_state=0,
                                                                     n_jobs=n_threads),
            "skedu hist": lambda: skedu_tree.DecisionTreeClassifier(splitter="hist", random_state=0,
                                                                     n_jobs=n_threads),
        }
        reference = None
        for name, make in models.items():
            (seconds, model), peak = peak_rise_mib(lambda: _fit(make(), X, y))
            row = {"classes": n_classes, "model": name, "fit s": seconds, "peak MiB": peak,
                   "leaves": model.get_n_leaves()}
            if reference is None:
                reference = row
            else:
                row["fit ratio"] = seconds / reference["fit s"]
                row["memory ratio"] = peak / reference["peak MiB"]
            rows.append(row)
    table = markdown_table(rows, ["classes", "model", "fit s", "fit ratio", "peak MiB",
                                  "memory ratio", "leaves"])
    return (f"Trees with many classes, n_samples={n_samples}, 20 features, full depth "
            f"(scikit-learn {package_version('scikit-learn')}, {n_threads} threads)\n\n{table}")


if __name__ == "__main__":
    benchmark_main(run, __doc__)
