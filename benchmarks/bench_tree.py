"""W-cart: skedu's CART trees (exact and hist splitters) against scikit-learn's trees.

``python -m benchmarks.bench_tree [--quick] [--threads N]``: make_classification and
make_regression with 100,000 training and 20,000 test rows and 50 features (BENCHMARKS.md), fully
grown and at max_depth=10. Fit times include binning for the hist splitter. Each fit is the
median of 3 runs (1 run when a fit takes over 20 s); the ratio column is skedu's time over
scikit-learn's, measured in the same run.
"""

import time

import numpy as np
from sklearn import tree as sk_tree
from sklearn.datasets import make_classification, make_regression
from sklearn.metrics import accuracy_score, r2_score

from benchmarks._common import benchmark_main, markdown_table, package_version
from skedu import tree as skedu_tree


def _data(task, n_train, n_test):
    if task == "classification":
        X, y = make_classification(n_train + n_test, n_features=50, n_informative=30, random_state=3)
    else:
        X, y = make_regression(n_train + n_test, n_features=50, random_state=3)
    return X[:n_train], y[:n_train], X[n_train:], y[n_train:]


def _measure(make_model, X, y, X_test, repeats):
    """Median fit and predict seconds over up to ``repeats`` runs (1 when a fit takes > 20 s)."""
    fit_times, predict_times = [], []
    for _ in range(repeats):
        model = make_model()
        start = time.perf_counter()
        model.fit(X, y)
        fit_times.append(time.perf_counter() - start)
        start = time.perf_counter()
        prediction = model.predict(X_test)
        predict_times.append(time.perf_counter() - start)
        if fit_times[-1] > 20:
            break
    return float(np.median(fit_times)), float(np.median(predict_times)), prediction


def run(quick=False, n_threads=2):
    """Fit every model on both tasks and depths; return the Markdown table."""
    n_train, n_test = (20_000, 5_000) if quick else (100_000, 20_000)
    repeats = 3
    rows = []
    for task in ("classification", "regression"):
        X, y, X_test, y_test = _data(task, n_train, n_test)
        score = accuracy_score if task == "classification" else r2_score
        sk_class = sk_tree.DecisionTreeClassifier if task == "classification" else sk_tree.DecisionTreeRegressor
        our_class = skedu_tree.DecisionTreeClassifier if task == "classification" else skedu_tree.DecisionTreeRegressor
        for max_depth in (None, 10):
            models = {
                "sklearn": lambda: sk_class(max_depth=max_depth, random_state=0),
                "skedu best": lambda: our_class(max_depth=max_depth, random_state=0, n_jobs=n_threads),
                "skedu hist": lambda: our_class(splitter="hist", max_depth=max_depth, random_state=0,
                                                n_jobs=n_threads),
            }
            results = {}
            # Alternate the libraries within each repeat so machine noise hits all alike.
            for name, make_model in models.items():
                results[name] = _measure(make_model, X, y, X_test, repeats)
            reference_fit, reference_predict, _ = results["sklearn"]
            for name, (fit_s, predict_s, prediction) in results.items():
                rows.append({
                    "task": task, "max_depth": max_depth or "full", "model": name,
                    "fit s": fit_s, "predict s": predict_s,
                    "score": score(y_test, prediction),
                    "fit ratio": fit_s / reference_fit, "predict ratio": predict_s / reference_predict,
                })
    header = (f"W-cart, {n_train} train / {n_test} test rows, 50 features, {n_threads} threads; "
              f"scikit-learn {package_version('scikit-learn')}; score = accuracy or R^2; "
              "ratio = skedu / scikit-learn (same run)\n\n")
    columns = ["task", "max_depth", "model", "fit s", "predict s", "score", "fit ratio", "predict ratio"]
    return header + markdown_table(rows, columns)


if __name__ == "__main__":
    benchmark_main(run, __doc__)
