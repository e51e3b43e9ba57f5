"""W-ada: skedu's AdaBoost against scikit-learn's, in one run.

``python -m benchmarks.bench_adaboost [--quick] [--threads N] [--repeats R]``:
``make_classification(50_000 + 10_000, n_features=20, random_state=4)`` and its 10-class version
(``n_classes=10, n_informative=15``), 200 rounds of depth-1 and of depth-3 trees; skedu's
default histogram trees, skedu's exact trees for the binary stumps (scikit-learn's splitter),
and scikit-learn's ``AdaBoostClassifier`` with its trees. Then AdaBoost.R2 on
``make_regression(50_000 + 10_000, n_features=20, noise=10, random_state=4)``, 50 rounds of
depth-3 trees, loss "linear": skedu's histogram trees and its exact ones (its default).
skedu's fits are the median of ``--repeats`` runs (default 3), scikit-learn's fits over 20 s
run once; the libraries alternate.
Ratios are skedu's time over scikit-learn's in the same run; scikit-learn's AdaBoost is
single-threaded (it has no ``n_jobs``), skedu uses ``--threads``.
"""

import argparse
import platform
import statistics
import time

from sklearn import ensemble as sk_ensemble
from sklearn import tree as sk_tree
from sklearn.datasets import make_classification, make_regression
from sklearn.metrics import accuracy_score, r2_score
from threadpoolctl import threadpool_limits

from benchmarks._common import markdown_table, package_version
from skedu import ensemble, tree

SLOW_FIT_S = 20.0


def _w_ada(n_classes, quick):
    n_train, n_test = (10_000, 2_000) if quick else (50_000, 10_000)
    extra = {"n_classes": 10, "n_informative": 15} if n_classes == 10 else {}
    X, y = make_classification(n_train + n_test, n_features=20, random_state=4, **extra)
    return f"W-ada {n_classes}-class", X[:n_train], y[:n_train], X[n_train:], y[n_train:]


def _w_ada_regression(quick):
    n_train, n_test = (10_000, 2_000) if quick else (50_000, 10_000)
    X, y = make_regression(n_train + n_test, n_features=20, noise=10, random_state=4)
    return "W-ada regression", X[:n_train], y[:n_train], X[n_train:], y[n_train:]


def _classifiers(depth, n_rounds, n_threads, with_exact):
    models = {
        "skedu hist": lambda: ensemble.AdaBoostClassifier(
            tree.DecisionTreeClassifier(max_depth=depth, splitter="hist", n_jobs=n_threads),
            n_estimators=n_rounds, random_state=0),
        "sklearn": lambda: sk_ensemble.AdaBoostClassifier(
            sk_tree.DecisionTreeClassifier(max_depth=depth), n_estimators=n_rounds,
            random_state=0),
    }
    if with_exact:
        models["skedu best"] = lambda: ensemble.AdaBoostClassifier(
            tree.DecisionTreeClassifier(max_depth=depth, n_jobs=n_threads),
            n_estimators=n_rounds, random_state=0)
    return models


def _regressors(n_rounds, n_threads):
    return {
        "skedu hist": lambda: ensemble.AdaBoostRegressor(
            tree.DecisionTreeRegressor(max_depth=3, splitter="hist", n_jobs=n_threads),
            n_estimators=n_rounds, random_state=0),
        "sklearn": lambda: sk_ensemble.AdaBoostRegressor(
            sk_tree.DecisionTreeRegressor(max_depth=3), n_estimators=n_rounds, random_state=0),
        "skedu best": lambda: ensemble.AdaBoostRegressor(
            tree.DecisionTreeRegressor(max_depth=3, n_jobs=n_threads), n_estimators=n_rounds,
            random_state=0),
    }


def _measure(models, X, y, X_test, y_test, score, repeats):
    """Fit and predict every model in turn, ``repeats`` times (slow fits once)."""
    results = {name: {"fit": [], "predict": []} for name in models}
    for _ in range(repeats):
        for name, make in models.items():
            if results[name]["fit"] and min(results[name]["fit"]) > SLOW_FIT_S:
                continue
            model = make()
            start = time.perf_counter()
            model.fit(X, y)
            results[name]["fit"].append(time.perf_counter() - start)
            start = time.perf_counter()
            prediction = model.predict(X_test)
            results[name]["predict"].append(time.perf_counter() - start)
            results[name]["quality"] = score(y_test, prediction)
            results[name]["rounds"] = len(model.estimators_)
    return results


def run(quick=False, n_threads=2, repeats=3):
    """Every W-ada configuration; return the Markdown table."""
    n_rounds = 40 if quick else 200
    rows = []
    configurations = []
    for n_classes in (2, 10):
        problem = _w_ada(n_classes, quick)
        for depth in (1, 3):
            models = _classifiers(depth, n_rounds, n_threads,
                                  with_exact=(n_classes == 2 and depth == 1))
            configurations.append((problem, f"depth {depth}, {n_rounds} rounds", models,
                                   accuracy_score, "accuracy"))
    configurations.append((_w_ada_regression(quick), "R2 depth 3, 50 rounds",
                           _regressors(50, n_threads), r2_score, "R2"))
    for (name, X, y, X_test, y_test), setting, models, score, quality in configurations:
        results = _measure(models, X, y, X_test, y_test, score, repeats)
        reference = results["sklearn"]
        for model_name, result in results.items():
            fit_s = statistics.median(result["fit"])
            predict_s = statistics.median(result["predict"])
            rows.append({
                "data": name, "setting": setting, "model": model_name,
                "fit runs": len(result["fit"]), "fit s": fit_s, "predict s": predict_s,
                "quality": f"{quality} {result['quality']:.4f}", "rounds": result["rounds"],
                "fit ratio": fit_s / statistics.median(reference["fit"]),
                "predict ratio": predict_s / statistics.median(reference["predict"]),
            })
    header = (f"skedu {package_version('skedu')} ({n_threads} threads), scikit-learn "
              f"{package_version('scikit-learn')} (AdaBoost: 1 thread); median of the fit runs; "
              "ratios = skedu / scikit-learn, same run\n\n")
    columns = ["data", "setting", "model", "fit runs", "fit s", "predict s", "quality",
               "rounds", "fit ratio", "predict ratio"]
    return header + markdown_table(rows, columns)


def main():
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--quick", action="store_true", help="smaller data, fewer rounds")
    parser.add_argument("--threads", type=int, default=2, help="threads for skedu")
    parser.add_argument("--repeats", type=int, default=3, help="fits per model (fast ones)")
    args = parser.parse_args()
    print(f"<!-- {platform.processor() or platform.machine()}, threads={args.threads} -->")
    with threadpool_limits(limits=args.threads):
        print(run(quick=args.quick, n_threads=args.threads, repeats=args.repeats))


if __name__ == "__main__":
    main()
