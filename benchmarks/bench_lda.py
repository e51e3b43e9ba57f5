"""Linear discriminant analysis: skedu against scikit-learn (W-lda of BENCHMARKS.md, Fashion-MNIST).

W-lda: ``make_classification(500_000 + 100_000, n_features=100, n_informative=60, n_redundant=0,
n_classes=10, random_state=5)`` float64, first 500,000 rows to fit, last 100,000 to predict and
transform. Each solver of skedu runs against the same solver of scikit-learn, alternately, with
the same threads; fit times are medians of 3 runs (1 when a fit takes over 20 s), predict and
transform times medians of 7 (3 with ``--quick``). The floor is one pass of the training rows
through BLAS, ``X.T @ X`` (syrk), timed in the same run with the same threads and with one
thread (on a shared machine BLAS's own threads can be far slower than one); the faster counts.
``--quick`` uses 50,000 + 10,000 rows and skips Fashion-MNIST.
"""

import time

import numpy as np
from sklearn.datasets import make_classification
from sklearn.discriminant_analysis import LinearDiscriminantAnalysis as SklearnLDA
from threadpoolctl import threadpool_limits

import skedu
from tests import datasets
from benchmarks._common import benchmark_main, markdown_table, package_version, time_alternately
from skedu.discriminant_analysis import LinearDiscriminantAnalysis

_SLOW_FIT_SECONDS = 20.0
_COLUMNS = [
    "data", "solver", "peer", "skedu fit s", "peer fit s", "fit ratio", "skedu predict s",
    "peer predict s", "predict ratio", "skedu transform s", "peer transform s",
    "transform ratio", "skedu acc", "peer acc",
]


def _w_lda(quick):
    n_train, n_test = (50_000, 10_000) if quick else (500_000, 100_000)
    X, y = make_classification(
        n_train + n_test, n_features=100, n_informative=60, n_redundant=0, n_classes=10,
        random_state=5,
    )
    return X[:n_train], y[:n_train], X[n_train:], y[n_train:]


def _fashion_mnist():
    X_train, y_train = datasets.load_idx("fashion-mnist", "train")
    X_test, y_test = datasets.load_idx("fashion-mnist", "test")
    return X_train.astype(np.float64), y_train, X_test.astype(np.float64), y_test


def _time_fits(fits):
    """Median fit times (3 alternating rounds, or 1 when a fit is slow) and the fitted models.

    A fit that raises is reported by its exception name instead of a time.
    """
    errors = {}

    def guarded(name, fit):
        def run():
            try:
                return fit()
            except Exception as error:  # a peer may fail (e.g. singular scatter)
                errors[name] = type(error).__name__
                return None
        return run

    guarded_fits = {name: guarded(name, fit) for name, fit in fits.items()}
    first, models = time_alternately(guarded_fits, repeats=1)
    if max(first.values()) > _SLOW_FIT_SECONDS:
        return first, models, errors
    rounds = [first]
    for _ in range(2):
        timings, models = time_alternately(guarded_fits, repeats=1)
        rounds.append(timings)
    medians = {name: float(np.median([r[name] for r in rounds])) for name in fits}
    return medians, models, errors


def _ratio(ours, theirs):
    if isinstance(ours, float) and isinstance(theirs, float) and theirs > 0:
        return ours / theirs
    return "-"


def _compare(label, X_train, y_train, X_test, y_test, solver, n_threads, repeats):
    fits = {
        "skedu": lambda: LinearDiscriminantAnalysis(solver=solver, n_jobs=n_threads).fit(
            X_train, y_train),
        "peer": lambda: SklearnLDA(solver=solver).fit(X_train, y_train),
    }
    fit_times, models, errors = _time_fits(fits)
    row = {"data": label, "solver": solver, "peer": f"sklearn {package_version('scikit-learn')}"}
    for name in ("skedu", "peer"):
        row[f"{name} fit s"] = errors.get(name, fit_times[name])
    row["fit ratio"] = _ratio(row["skedu fit s"], row["peer fit s"])
    fitted = {name: model for name, model in models.items() if model is not None}
    for method in ("predict", "transform"):
        if solver == "lsqr" and method == "transform":
            continue
        calls = {
            name: (lambda m=model: getattr(m, method)(X_test)) for name, model in fitted.items()
        }
        timings, _ = time_alternately(calls, repeats=repeats)
        for name, seconds in timings.items():
            row[f"{name} {method} s"] = seconds
        row[f"{method} ratio"] = _ratio(row.get(f"skedu {method} s"), row.get(f"peer {method} s"))
    for name, model in fitted.items():
        row[f"{name} acc"] = float(np.mean(model.predict(X_test) == y_test))
    return row


def _floor(X_train, n_threads):
    """Seconds of one syrk pass over the training rows: (with ``n_threads``, with one thread)."""
    def one_pass():
        return X_train.T @ X_train

    with threadpool_limits(limits=1, user_api="blas"):
        single, _ = time_alternately({"syrk": one_pass}, repeats=3)
    threaded, _ = time_alternately({"syrk": one_pass}, repeats=3)
    return threaded["syrk"], single["syrk"]


def run(quick, n_threads):
    """Markdown tables: skedu against scikit-learn on W-lda (and Fashion-MNIST unless quick)."""
    repeats = 3 if quick else 7
    rows, floors = [], []
    X_train, y_train, X_test, y_test = _w_lda(quick)
    label = f"W-lda {X_train.shape[0]:,}x{X_train.shape[1]}"
    for solver in ("svd", "eigen", "lsqr"):
        row = _compare(label, X_train, y_train, X_test, y_test, solver, n_threads, repeats)
        rows.append(row)
    threaded, single = _floor(X_train, n_threads)
    for row in rows:
        floors.append({
            "data": label, "solver": row["solver"], f"syrk {n_threads} threads s": threaded,
            "syrk 1 thread s": single, "skedu fit s": row["skedu fit s"],
            "fit / floor": _ratio(row["skedu fit s"], min(threaded, single)),
        })
    if not quick and datasets.available("fashion-mnist/train-images-idx3-ubyte.gz"):
        X_train, y_train, X_test, y_test = _fashion_mnist()
        label = f"Fashion-MNIST {X_train.shape[0]:,}x{X_train.shape[1]}"
        for solver in ("svd", "eigen", "lsqr"):
            rows.append(
                _compare(label, X_train, y_train, X_test, y_test, solver, n_threads, repeats)
            )
    finished = time.strftime("%Y-%m-%d %H:%M UTC", time.gmtime())
    return "\n\n".join([
        f"### LDA: skedu {skedu.__version__} against scikit-learn ({finished}, "
        f"{n_threads} threads; ratio = skedu / peer, below 1 is faster)",
        markdown_table(rows, _COLUMNS),
        "Floor: one pass of the W-lda training rows through BLAS (`X.T @ X`, syrk); "
        "fit / floor uses the faster of the two syrk times.",
        markdown_table(floors, [
            "data", "solver", f"syrk {n_threads} threads s", "syrk 1 thread s", "skedu fit s",
            "fit / floor",
        ]),
    ])


if __name__ == "__main__":
    benchmark_main(run, __doc__)
