"""W-cart: skedu's CART trees (exact and hist splitters) against scikit-learn's trees.

``python -m benchmarks.bench_tree [--quick] [--threads N]``: make_classification and
make_regression with 100,000 training and 20,000 test rows and 50 features (BENCHMARKS.md), fully
grown and at max_depth=10; then W-cart-sparse (``run_sparse``): a9a and a one-hot-encoded adult
as CSR matrices, fit and predicted by both libraries on the same sparse input. Fit times include binning for the hist splitter. Each fit is the
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
    return header + markdown_table(rows, columns) + "\n\n" + run_sparse(quick, n_threads)


def _sparse_data(name):
    """A sparse workload's (X, y, X_test, y_test), CSR float64: a9a as LIBSVM gives it, or
    adult's categorical columns one-hot encoded (sparse output) beside its numeric ones."""
    from scipy import sparse
    from sklearn.preprocessing import OneHotEncoder

    from tests import datasets

    if name == "a9a":
        X, y = datasets.load_libsvm("a9a.xz")
        X_test, y_test = datasets.load_libsvm("a9a.t.xz", n_features=X.shape[1])
        return X, y, X_test, y_test
    X, y, categorical = datasets.load_adult_columns("data")
    X_test, y_test, _ = datasets.load_adult_columns("test")
    numeric = [i for i in range(X.shape[1]) if i not in categorical]
    encoder = OneHotEncoder(handle_unknown="ignore").fit(X[:, categorical])

    def encode(X):
        return sparse.hstack([encoder.transform(X[:, categorical]),
                              sparse.csr_matrix(X[:, numeric].astype(np.float64))], format="csr")

    return encode(X), y, encode(X_test), y_test


def run_sparse(quick=False, n_threads=2):
    """W-cart-sparse: fit and predict on the same sparse (CSR) input as scikit-learn's tree."""
    from tests.datasets import available

    rows = []
    for name, files in (("a9a", ("a9a.xz", "a9a.t.xz")),
                        ("adult one-hot", ("adult.data.xz", "adult.test.xz"))):
        if not all(available(file) for file in files):
            continue
        X, y, X_test, y_test = _sparse_data(name)
        if quick:
            X, y = X[:10_000], y[:10_000]
        for max_depth in (None, 10):
            models = {
                "sklearn": lambda: sk_tree.DecisionTreeClassifier(max_depth=max_depth,
                                                                  random_state=0),
                "skedu best": lambda: skedu_tree.DecisionTreeClassifier(
                    max_depth=max_depth, random_state=0, n_jobs=n_threads),
                "skedu hist": lambda: skedu_tree.DecisionTreeClassifier(
                    splitter="hist", max_depth=max_depth, random_state=0, n_jobs=n_threads),
            }
            results = {name_: _measure(make, X, y, X_test, 3) for name_, make in models.items()}
            reference_fit, reference_predict, _ = results["sklearn"]
            for model, (fit_s, predict_s, prediction) in results.items():
                rows.append({
                    "data": f"{name} {X.shape[0]}x{X.shape[1]}, {X.nnz} stored",
                    "max_depth": max_depth or "full", "model": model, "fit s": fit_s,
                    "predict s": predict_s, "accuracy": accuracy_score(y_test, prediction),
                    "fit ratio": fit_s / reference_fit,
                    "predict ratio": predict_s / reference_predict,
                })
    header = (f"W-cart-sparse: CSR X for fit and predict (both libraries), test part of each "
              f"data set, {n_threads} threads; ratio = skedu / scikit-learn (same run)\n\n")
    columns = ["data", "max_depth", "model", "fit s", "predict s", "accuracy", "fit ratio",
               "predict ratio"]
    return header + markdown_table(rows, columns)


if __name__ == "__main__":
    benchmark_main(run, __doc__)
