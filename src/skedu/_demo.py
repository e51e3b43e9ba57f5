"""``python -m skedu demo``: every skedu estimator against its peer on data bundled with scikit-learn.

Each case is a small function returning one table row, so an estimator family adds its demo by
adding a function to ``CASES``; families that are not built yet are skipped with a note.
"""

import importlib
import time

import numpy as np
from sklearn import datasets
from sklearn.model_selection import train_test_split


def _timed_fit(estimator, X, y=None):
    """Seconds of a fit after one warm-up fit (the first call pays one-off library set-up)."""
    fit = (lambda: estimator.fit(X, y)) if y is not None else (lambda: estimator.fit(X))
    fit()
    start = time.perf_counter()
    fit()
    return time.perf_counter() - start


def _supervised_case(label, skedu_path, peer_path, loader, skedu_params=None, peer_params=None):
    """Build a case that fits skedu's and the peer's estimator on one split and scores both."""

    def case(n_jobs):
        module_name, class_name = skedu_path.rsplit(".", 1)
        skedu_cls = getattr(importlib.import_module(module_name), class_name)
        peer_module, peer_class = peer_path.rsplit(".", 1)
        peer_cls = getattr(importlib.import_module(peer_module), peer_class)
        X, y = loader(return_X_y=True)
        X_train, X_test, y_train, y_test = train_test_split(X, y, test_size=0.25, random_state=0)
        params = dict(skedu_params or {})
        if n_jobs is not None and "n_jobs" in skedu_cls().get_params():
            params["n_jobs"] = n_jobs
        ours = skedu_cls(**params)
        theirs = peer_cls(**(peer_params or {}))
        our_time = _timed_fit(ours, X_train, y_train)
        their_time = _timed_fit(theirs, X_train, y_train)
        return {
            "estimator": label,
            "data": loader.__name__.lstrip("_").replace("load_", "").replace("_standardised", " (standardised)"),
            "skedu score": ours.score(X_test, y_test),
            "skedu fit s": our_time,
            "peer": peer_path.replace("sklearn.", ""),
            "peer score": theirs.score(X_test, y_test),
            "peer fit s": their_time,
        }

    case.__name__ = label
    return case


def _fpgrowth_case(n_jobs):
    """FP-growth on binarised digits images (a pixel is an item when it is dark)."""
    from skedu.frequent_patterns import FPGrowth

    X, _ = datasets.load_digits(return_X_y=True)
    transactions = X > 8
    ours = FPGrowth(min_support=0.3)
    our_time = _timed_fit(ours, transactions)
    row = {
        "estimator": "FPGrowth(min_support=0.3)",
        "data": "digits, pixel>8",
        "skedu score": f"{len(ours.itemsets_)} sets",
        "skedu fit s": our_time,
        "peer": "mlxtend.fpgrowth",
        "peer score": "not installed",
        "peer fit s": float("nan"),
    }
    try:
        import pandas as pd
        from mlxtend.frequent_patterns import fpgrowth
    except ImportError:
        return row
    frame = pd.DataFrame(transactions)
    start = time.perf_counter()
    theirs = fpgrowth(frame, min_support=0.3)
    row["peer fit s"] = time.perf_counter() - start
    row["peer score"] = f"{len(theirs)} sets"
    return row


def _load_breast_cancer_standardised(return_X_y=True):
    X, y = datasets.load_breast_cancer(return_X_y=True)
    return (X - X.mean(axis=0)) / X.std(axis=0), y


CASES = [
    _supervised_case("DecisionTreeClassifier", "skedu.tree.DecisionTreeClassifier",
                     "sklearn.tree.DecisionTreeClassifier", datasets.load_breast_cancer,
                     {"random_state": 0}, {"random_state": 0}),
    _supervised_case("DecisionTreeClassifier(hist)", "skedu.tree.DecisionTreeClassifier",
                     "sklearn.tree.DecisionTreeClassifier", datasets.load_digits,
                     {"splitter": "hist", "random_state": 0}, {"random_state": 0}),
    _supervised_case("DecisionTreeRegressor", "skedu.tree.DecisionTreeRegressor",
                     "sklearn.tree.DecisionTreeRegressor", datasets.load_diabetes,
                     {"max_depth": 4, "random_state": 0}, {"max_depth": 4, "random_state": 0}),
    _supervised_case("RandomForestClassifier", "skedu.ensemble.RandomForestClassifier",
                     "sklearn.ensemble.RandomForestClassifier", datasets.load_digits,
                     {"random_state": 0}, {"random_state": 0}),
    _supervised_case("GradientBoostingClassifier", "skedu.ensemble.GradientBoostingClassifier",
                     "sklearn.ensemble.HistGradientBoostingClassifier", datasets.load_breast_cancer,
                     {"random_state": 0}, {"random_state": 0}),
    _supervised_case("LinearDiscriminantAnalysis", "skedu.discriminant_analysis.LinearDiscriminantAnalysis",
                     "sklearn.discriminant_analysis.LinearDiscriminantAnalysis", datasets.load_wine),
    _supervised_case("LinearSVC(sgd)", "skedu.svm.LinearSVC", "sklearn.svm.LinearSVC",
                     _load_breast_cancer_standardised,
                     {"random_state": 0}, {"random_state": 0}),
    _fpgrowth_case,
]




def _format(value):
    if isinstance(value, float):
        return "—" if np.isnan(value) else f"{value:.4f}"
    return str(value)


def run_demo(n_jobs=None, print_fn=print):
    """Fit every available skedu estimator and its peer; print one Markdown table.

    Parameters
    ----------
    n_jobs : int or None
        Threads for skedu's kernels.
    print_fn : callable
        Where the lines go.

    Returns
    -------
    exit_code : int
        0 when every available case ran.
    """
    columns = ["estimator", "data", "skedu score", "skedu fit s", "peer", "peer score", "peer fit s"]
    rows, skipped = [], []
    for case in CASES:
        try:
            rows.append(case(n_jobs))
        except ModuleNotFoundError as exc:
            if not (exc.name or "").startswith("skedu"):
                raise
            skipped.append(f"{case.__name__}: {exc.name} is not part of this build yet")
        except ImportError as exc:
            skipped.append(f"{case.__name__}: {exc}")
    print_fn("| " + " | ".join(columns) + " |")
    print_fn("|" + "---|" * len(columns))
    for row in rows:
        print_fn("| " + " | ".join(_format(row[c]) for c in columns) + " |")
    for line in skipped:
        print_fn(f"skipped {line}")
    return 0
