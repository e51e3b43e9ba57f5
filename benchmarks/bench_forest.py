"""W-rf: skedu's random forest and extra trees against scikit-learn's and LightGBM's rf mode.

``python -m benchmarks.bench_forest [--quick] [--threads N]``: W-cart's classification data
(100,000 training and 20,000 test rows, 50 features), 100 trees, max_features="sqrt"; then adult
and skin_nonskin from ../shared/data. Each fit is the median of 3 runs (1 when a fit takes over
20 s), libraries alternating; ratios are skedu's time (or pickle size) over the peer's in the
same run.
"""

import pickle
import time

import numpy as np
from sklearn import ensemble as sk_ensemble
from sklearn.datasets import make_classification
from sklearn.metrics import accuracy_score
from sklearn.model_selection import train_test_split

from benchmarks._common import benchmark_main, markdown_table, package_version
from skedu import ensemble
from tests import datasets


def _w_rf(quick):
    n_train, n_test = (20_000, 5_000) if quick else (100_000, 20_000)
    X, y = make_classification(n_train + n_test, n_features=50, n_informative=30, random_state=3)
    return f"W-rf {n_train // 1000}k", X[:n_train], y[:n_train], X[n_train:], y[n_train:]


def _real(name, quick):
    X, y = getattr(datasets, f"load_{name}")()
    if quick:
        rows = np.random.RandomState(0).choice(len(X), min(len(X), 20_000), replace=False)
        X, y = X[rows], y[rows]
    X_train, X_test, y_train, y_test = train_test_split(X, y, test_size=0.2, random_state=0)
    return name, X_train, y_train, X_test, y_test


def _models(n_trees, n_threads):
    models = {
        "skedu RF hist": lambda: ensemble.RandomForestClassifier(n_trees, splitter="hist",
                                                                 n_jobs=n_threads, random_state=0),
        "skedu RF best": lambda: ensemble.RandomForestClassifier(n_trees, splitter="best",
                                                                 n_jobs=n_threads, random_state=0),
        "sklearn RF": lambda: sk_ensemble.RandomForestClassifier(n_trees, n_jobs=n_threads,
                                                                 random_state=0),
        "skedu ET": lambda: ensemble.ExtraTreesClassifier(n_trees, n_jobs=n_threads,
                                                          random_state=0),
        "sklearn ET": lambda: sk_ensemble.ExtraTreesClassifier(n_trees, n_jobs=n_threads,
                                                               random_state=0),
    }
    try:
        import lightgbm

        models["LightGBM rf"] = lambda: lightgbm.LGBMClassifier(
            boosting_type="rf", n_estimators=n_trees, subsample=0.632, subsample_freq=1,
            colsample_bynode=0.15, num_leaves=4096, max_depth=-1, min_child_samples=1,
            n_jobs=n_threads, verbose=-1, random_state=0)
    except ImportError:
        pass
    return models


def _node_count(model):
    if hasattr(model, "trees_"):
        return len(model.trees_.nodes)
    if hasattr(model, "estimators_") and hasattr(model.estimators_[0], "tree_"):
        return sum(tree.tree_.node_count for tree in model.estimators_)
    return None


def run(quick=False, n_threads=2):
    """Fit and predict every forest on each data set; return the Markdown table."""
    n_trees = 20 if quick else 100
    problems = [_w_rf(quick)]
    for name, file in (("adult", "adult.data.xz"), ("skin_nonskin", "skin_nonskin.csv.xz")):
        if datasets.available(file):
            problems.append(_real(name, quick))
    rows = []
    for name, X, y, X_test, y_test in problems:
        models = _models(n_trees, n_threads)
        results = {model: {"fit": [], "predict": []} for model in models}
        for repeat in range(3):
            for model_name, make in models.items():
                model = make()
                start = time.perf_counter()
                model.fit(X, y)
                results[model_name]["fit"].append(time.perf_counter() - start)
                start = time.perf_counter()
                prediction = model.predict(X_test)
                results[model_name]["predict"].append(time.perf_counter() - start)
                results[model_name]["model"] = model
                results[model_name]["accuracy"] = accuracy_score(y_test, prediction)
            if max(min(r["fit"]) for r in results.values()) > 20:
                break
        for model_name, result in results.items():
            size = len(pickle.dumps(result["model"], protocol=5))
            nodes = _node_count(result["model"])
            result.update(fit_s=float(np.median(result["fit"])),
                          predict_s=float(np.median(result["predict"])), pickle_mb=size / 1e6,
                          bytes_per_node=size / nodes if nodes else None)
        for model_name, result in results.items():
            peer = "sklearn ET" if model_name.endswith("ET") else "sklearn RF"
            reference = results[peer]
            rows.append({
                "data": name, "model": model_name, "fit s": result["fit_s"],
                "predict s": result["predict_s"], "accuracy": result["accuracy"],
                "pickle MB": result["pickle_mb"], "B/node": result["bytes_per_node"],
                "fit ratio": result["fit_s"] / reference["fit_s"],
                "predict ratio": result["predict_s"] / reference["predict_s"],
                "pickle ratio": result["pickle_mb"] / reference["pickle_mb"],
            })
    header = (f"{n_trees} trees, max_features='sqrt', {n_threads} threads; scikit-learn "
              f"{package_version('scikit-learn')}, LightGBM {package_version('lightgbm')}; "
              "ratios = skedu / scikit-learn's RF (ET rows: / its ExtraTrees), same run\n\n")
    columns = ["data", "model", "fit s", "predict s", "accuracy", "pickle MB", "B/node",
               "fit ratio", "predict ratio", "pickle ratio"]
    return header + markdown_table(rows, columns)


if __name__ == "__main__":
    benchmark_main(run, __doc__)
