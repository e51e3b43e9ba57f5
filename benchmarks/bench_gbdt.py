"""W-gbdt: skedu's gradient boosting against LightGBM, XGBoost (hist) and HistGradientBoosting.

``python -m benchmarks.bench_gbdt [--quick] [--threads N] [--real] [--exact] [--profile]``

Workloads (BENCHMARKS.md): W-gbdt (binary, 500k + 100k rows x 28 float32 features), W-gbdt-reg
(500k + 100k x 28) and W-gbdt-multi (10 classes, 200k + 50k x 40); 100 rounds, depth 6 (63
leaves), learning rate 0.1, 255 bins, lambda 1, at least 20 rows and 1e-3 hessian per leaf
(XGBoost has no row minimum), no early stopping; small data (2,000 x 10 and 20,000 x 20, 100
rounds); ``--exact``: the exact greedy method on 50k rows of W-gbdt against scikit-learn's
GradientBoostingClassifier and XGBoost's ``tree_method="exact"``; ``--real``: adult,
cal_housing, Fashion-MNIST; ``--quantized``: skedu with ``quantize_gradients=True`` against the
peers and LightGBM with ``use_quantized_grad=True`` (its defaults: 4 gradient levels, stochastic
rounding). ``--quick`` divides the rows by 10. Fit times include binning.
Each figure is the median of 3 fits (1 when a fit takes over 20 s, or with ``--quick``), the
libraries alternating;
the ratio columns are skedu's time over the peer's in the same run. ``--profile`` prints where
the time of one skedu fit on W-gbdt goes. ``--cpu`` times fits and predictions in CPU seconds of
the process instead of wall seconds: with ``--threads 1`` the figures hardly move with the load
of a shared machine.
"""

import argparse
import sys
import platform
import statistics
import time

import numpy as np
from sklearn.datasets import make_classification, make_regression
from sklearn.metrics import accuracy_score, r2_score, roc_auc_score
from threadpoolctl import threadpool_limits

from benchmarks._common import markdown_table, package_version
from skedu.ensemble import GradientBoostingClassifier, GradientBoostingRegressor

ROUNDS, DEPTH, RATE, BINS, LAMBDA = 100, 6, 0.1, 255, 1.0


def _workload(name, quick):
    scale = 10 if quick else 1
    if name == "W-gbdt":
        n_train, n_test = 500_000 // scale, 100_000 // scale
        X, y = make_classification(n_train + n_test, n_features=28, n_informative=20,
                                   n_redundant=4, flip_y=0.05, class_sep=0.8, random_state=0)
        X = X.astype(np.float32)
    elif name == "W-gbdt-reg":
        n_train, n_test = 500_000 // scale, 100_000 // scale
        X, y = make_regression(n_train + n_test, n_features=28, n_informative=20, noise=10,
                               random_state=1)
    elif name == "W-gbdt-multi":
        n_train, n_test = 200_000 // scale, 50_000 // scale
        X, y = make_classification(n_train + n_test, n_features=40, n_informative=30,
                                   n_classes=10, n_clusters_per_class=1, random_state=2)
    elif name == "small 2,000x10":
        n_train, n_test = 2_000, 1_000
        X, y = make_classification(n_train + n_test, n_features=10, random_state=5)
    elif name == "small 20,000x20":
        n_train, n_test = 20_000, 5_000
        X, y = make_classification(n_train + n_test, n_features=20, random_state=6)
    elif name == "exact 50k":
        n_train, n_test = 50_000 // scale, 100_000 // scale
        X, y = make_classification(500_000 + 100_000, n_features=28, n_informative=20,
                                   n_redundant=4, flip_y=0.05, class_sep=0.8, random_state=0)
        X, y = X.astype(np.float32), y
        X = np.concatenate([X[:n_train], X[500_000:500_000 + n_test]])
        y = np.concatenate([y[:n_train], y[500_000:500_000 + n_test]])
    return X[:n_train], y[:n_train], X[n_train:], y[n_train:]


def _real(name):
    from tests import datasets as shared

    if name == "adult":
        X, y = shared.load_adult("data")
        X_test, y_test = shared.load_adult("test")
        return X, y, X_test, y_test
    if name == "cal_housing":
        from sklearn.model_selection import train_test_split

        X, y = shared.load_cal_housing()
        X, X_test, y, y_test = train_test_split(X, np.log(y), test_size=0.2, random_state=0)
        return X, y, X_test, y_test
    X, y = shared.load_idx("fashion-mnist", "train")
    X_test, y_test = shared.load_idx("fashion-mnist", "test")
    return X.astype(np.float32), y, X_test.astype(np.float32), y_test


def _models(task, n_threads, exact=False, quantized=False):
    """name -> factory of an unfitted model with the shared settings (skedu first)."""
    import lightgbm
    import xgboost
    from sklearn import ensemble as sk_ensemble

    classification = task != "regression"
    ours = GradientBoostingClassifier if classification else GradientBoostingRegressor
    common = dict(n_estimators=ROUNDS, learning_rate=RATE)
    if exact:
        return {
            "skedu exact": lambda: ours(max_depth=DEPTH, reg_lambda=LAMBDA, min_child_weight=1e-3,
                                        min_samples_leaf=20, tree_method="exact",
                                        early_stopping=False, n_jobs=n_threads, random_state=0,
                                        **common),
            "XGBoost exact": lambda: xgboost.XGBClassifier(
                tree_method="exact", max_depth=DEPTH, reg_lambda=LAMBDA, min_child_weight=1e-3,
                n_jobs=n_threads, random_state=0, **common),
            "sklearn GradientBoosting": lambda: sk_ensemble.GradientBoostingClassifier(
                max_depth=DEPTH, min_samples_leaf=20, random_state=0, **common),
        }
    lgbm = lightgbm.LGBMClassifier if classification else lightgbm.LGBMRegressor
    xgb = xgboost.XGBClassifier if classification else xgboost.XGBRegressor
    hgb = (sk_ensemble.HistGradientBoostingClassifier if classification
           else sk_ensemble.HistGradientBoostingRegressor)
    lgbm_settings = dict(num_leaves=2 ** DEPTH - 1, max_depth=DEPTH, reg_lambda=LAMBDA,
                         min_child_samples=20, min_child_weight=1e-3, max_bin=BINS,
                         n_jobs=n_threads, verbose=-1, random_state=0, **common)
    skedu = {
        "skedu": lambda: ours(max_depth=DEPTH, reg_lambda=LAMBDA, min_child_weight=1e-3,
                              min_samples_leaf=20, max_bins=BINS, early_stopping=False,
                              n_jobs=n_threads, random_state=0, **common),
    }
    if quantized:
        skedu = {
            "skedu quantised": lambda: ours(
                max_depth=DEPTH, reg_lambda=LAMBDA, min_child_weight=1e-3, min_samples_leaf=20,
                max_bins=BINS, early_stopping=False, n_jobs=n_threads, random_state=0,
                quantize_gradients=True, **common),
            "LightGBM quantised": lambda: lgbm(use_quantized_grad=True, **lgbm_settings),
        }
    return {
        **skedu,
        "LightGBM": lambda: lgbm(**lgbm_settings),
        "XGBoost hist": lambda: xgb(tree_method="hist", max_depth=DEPTH, reg_lambda=LAMBDA,
                                    min_child_weight=1e-3, max_bin=BINS + 1, n_jobs=n_threads,
                                    random_state=0, **common),
        "sklearn HistGB": lambda: hgb(max_iter=ROUNDS, learning_rate=RATE, max_depth=DEPTH,
                                      max_leaf_nodes=2 ** DEPTH, min_samples_leaf=20,
                                      l2_regularization=LAMBDA, max_bins=BINS,
                                      early_stopping=False, random_state=0),
    }


def _quality(task, model, X_test, y_test):
    if task == "binary":
        return "AUC", roc_auc_score(y_test, model.predict_proba(X_test)[:, 1])
    if task == "multiclass":
        return "accuracy", accuracy_score(y_test, model.predict(X_test))
    return "R2", r2_score(y_test, model.predict(X_test))


def _compare(label, task, data, models, repeats, clock=time.perf_counter):
    """Fit and predict every model alternately; one table row per model."""
    X, y, X_test, y_test = data
    fit_times = {name: [] for name in models}
    predict_times = {name: [] for name in models}
    fitted = {}
    for _ in range(repeats):
        for name, make in models.items():
            if fit_times[name] and fit_times[name][-1] > 20:
                continue
            model = make()
            start = clock()
            model.fit(X, y)
            fit_times[name].append(clock() - start)
            start = clock()
            model.predict(X_test)
            predict_times[name].append(clock() - start)
            fitted[name] = model
            print(f"  {label} {name}: fit {fit_times[name][-1]:.3f}s", file=sys.stderr, flush=True)
    fit = {name: statistics.median(v) for name, v in fit_times.items()}
    predict = {name: statistics.median(v) for name, v in predict_times.items()}
    ours = next(iter(models))
    rows = []
    for name, model in fitted.items():
        metric, value = _quality(task, model, X_test, y_test)
        version = package_version({"skedu": "skedu", "skedu exact": "skedu",
                                   "skedu quantised": "skedu", "LightGBM": "lightgbm",
                                   "LightGBM quantised": "lightgbm", "XGBoost hist": "xgboost",
                                   "XGBoost exact": "xgboost"}.get(name, "scikit-learn"))
        rows.append({"workload": label, "library": name, "version": version,
                     "fit s": fit[name], "predict s": predict[name],
                     "quality": f"{metric} {value:.4f}",
                     "skedu/peer fit": fit[ours] / fit[name] if name != ours else "",
                     "skedu/peer predict": predict[ours] / predict[name] if name != ours else ""})
        print(f"  {rows[-1]}", file=sys.stderr, flush=True)
    return rows


def profile_fit(quick=False, n_threads=2):
    """Seconds spent in each stage of one skedu fit on W-gbdt (Markdown table)."""
    X, y, _, _ = _workload("W-gbdt", quick)
    model = GradientBoostingClassifier(n_estimators=ROUNDS, max_depth=DEPTH, learning_rate=RATE,
                                       reg_lambda=LAMBDA, min_child_weight=1e-3,
                                       min_samples_leaf=20, early_stopping=False,
                                       n_jobs=n_threads, random_state=0)
    start = time.perf_counter()
    model.fit(X, y)
    total = time.perf_counter() - start
    stages = dict(model._fit_profile)
    stages["validation, other Python"] = total - sum(stages.values())
    rows = [{"stage": k, "s": v, "share": f"{100 * v / total:.1f}%"} for k, v in stages.items()]
    rows.append({"stage": "total fit", "s": total, "share": "100%"})
    return markdown_table(rows, ["stage", "s", "share"])


SYNTHETIC = (("W-gbdt", "binary"), ("W-gbdt-reg", "regression"), ("W-gbdt-multi", "multiclass"),
             ("small 2,000x10", "binary"), ("small 20,000x20", "binary"))


def run(quick=False, n_threads=2, real=False, exact=False, profile=False, only=None, cpu=False,
        repeats=None, quantized=False):
    """Every comparison (or the workloads whose names contain one of the comma-separated
    ``only``); returns the Markdown tables. ``cpu``: CPU seconds instead of wall seconds;
    ``quantized``: skedu's quantised fits (``_models``)."""
    if repeats is None:
        repeats = 1 if quick else 3
    clock = time.process_time if cpu else time.perf_counter
    rows = []

    def selected(label):
        return only is None or any(part in label for part in only.split(","))

    for label, task in SYNTHETIC:
        if selected(label):
            rows += _compare(label, task, _workload(label, quick),
                             _models(task, n_threads, quantized=quantized), repeats, clock)
    if real:
        for label, task in (("adult", "binary"), ("cal_housing", "regression"),
                            ("Fashion-MNIST", "multiclass")):
            if selected(label):
                rows += _compare(label, task, _real(label),
                                 _models(task, n_threads, quantized=quantized), repeats, clock)
    if exact:
        rows += _compare("W-gbdt 50k exact", "binary", _workload("exact 50k", quick),
                         _models("binary", n_threads, exact=True), repeats, clock)
    columns = ["workload", "library", "version", "fit s", "predict s", "quality",
               "skedu/peer fit", "skedu/peer predict"]
    text = markdown_table(rows, columns)
    if profile:
        text += "\n\nProfile of one skedu fit on W-gbdt:\n\n" + profile_fit(quick, n_threads)
    return text


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="rows divided by 10")
    parser.add_argument("--threads", type=int, default=2)
    parser.add_argument("--real", action="store_true", help="adult, cal_housing, Fashion-MNIST")
    parser.add_argument("--exact", action="store_true", help="exact greedy on 50k rows")
    parser.add_argument("--profile", action="store_true", help="stages of one skedu fit")
    parser.add_argument("--quantized", action="store_true",
                        help="skedu and LightGBM with quantised gradients, against the peers")
    parser.add_argument("--cpu", action="store_true",
                        help="CPU seconds of the process instead of wall seconds")
    parser.add_argument("--repeats", type=int,
                        help="fits per library (default 3, 1 with --quick)")
    parser.add_argument("--only", help="run the workloads whose name contains one of these "
                        "comma-separated strings (e.g. W-gbdt,adult)")
    args = parser.parse_args()
    print(f"<!-- {platform.processor() or platform.machine()}, threads={args.threads}, "
          f"{'CPU' if args.cpu else 'wall'} seconds -->")
    with threadpool_limits(limits=args.threads):
        print(run(quick=args.quick, n_threads=args.threads, real=args.real, exact=args.exact,
                  profile=args.profile, only=args.only, cpu=args.cpu, repeats=args.repeats,
                  quantized=args.quantized))


if __name__ == "__main__":
    main()
