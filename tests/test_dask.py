"""skedu on a dask.distributed cluster: forests, searches, FP-growth and LDA on a local cluster
of two worker processes give what the single-machine paths give.

One ``LocalCluster(n_workers=2, threads_per_worker=1, processes=True)`` serves the module and is
closed at its end (starting one costs a few seconds).
"""

import numpy as np
import pytest

pytest.importorskip("dask", reason="the dask extra (skedu[dask]) is not installed")
distributed = pytest.importorskip("distributed",
                                  reason="the dask extra (skedu[dask]) is not installed")

import dask.array as da  # noqa: E402
import dask.bag as db  # noqa: E402
import joblib  # noqa: E402
from sklearn.datasets import load_breast_cancer, load_diabetes, load_wine  # noqa: E402
from sklearn.model_selection import GridSearchCV, RandomizedSearchCV  # noqa: E402
from sklearn.preprocessing import StandardScaler  # noqa: E402

from skedu.discriminant_analysis import LinearDiscriminantAnalysis  # noqa: E402
from skedu.discriminant_analysis.dask import fit as fit_lda  # noqa: E402
from skedu.ensemble import (ExtraTreesRegressor, GradientBoostingClassifier,  # noqa: E402
                            RandomForestClassifier)
from skedu.frequent_patterns import FPGrowth  # noqa: E402
from skedu.frequent_patterns import fpgrowth as local_fpgrowth  # noqa: E402
from skedu.frequent_patterns.dask import fpgrowth  # noqa: E402
from skedu.svm import LinearSVC  # noqa: E402
from skedu.utils import effective_n_threads  # noqa: E402
from skedu.utils._cluster import distributed_backend, task_threads  # noqa: E402
from tests.datasets import load_transactions, require_data  # noqa: E402


@pytest.fixture(scope="module")
def client():
    with distributed.LocalCluster(n_workers=2, threads_per_worker=1, processes=True,
                                  dashboard_address=None) as cluster:
        with distributed.Client(cluster) as client:
            yield client


def _same_forest(a, b):
    np.testing.assert_array_equal(a.trees_.nodes, b.trees_.nodes)
    np.testing.assert_array_equal(a.trees_.values, b.trees_.values)
    np.testing.assert_array_equal(a.tree_seeds_, b.tree_seeds_)


# -- forests --------------------------------------------------------------------------------


@pytest.mark.filterwarnings("ignore:Some inputs do not have OOB scores")
@pytest.mark.parametrize("backend", ["parallel_backend", "parallel_config"])
def test_forest_on_workers_equals_local(client, backend):
    X, y = load_breast_cancer(return_X_y=True)
    params = dict(n_estimators=9, max_features=5, oob_score=True, random_state=0)
    local = RandomForestClassifier(**params).fit(X, y)
    context = (joblib.parallel_backend("dask") if backend == "parallel_backend"
               else joblib.parallel_config(backend="dask"))
    with context, distributed.get_task_stream(client) as stream:
        assert distributed_backend() is not None
        remote = RandomForestClassifier(**params).fit(X, y)
    # Two joblib tasks, one per worker slot, grew the trees on the workers.
    assert sum("_grow_task" in task["key"] for task in stream.data) == 2
    _same_forest(local, remote)
    np.testing.assert_array_equal(local.predict_proba(X), remote.predict_proba(X))
    assert remote.oob_score_ == local.oob_score_


def test_hist_extra_trees_and_warm_start_on_workers(client):
    X, y = load_diabetes(return_X_y=True)
    local = ExtraTreesRegressor(n_estimators=8, bootstrap=True, max_samples=0.7,
                                random_state=1).fit(X, y)
    warm = ExtraTreesRegressor(n_estimators=3, bootstrap=True, max_samples=0.7, random_state=1,
                               warm_start=True).fit(X, y)
    with joblib.parallel_backend("dask"):
        warm.set_params(n_estimators=8).fit(X, y)
    _same_forest(local, warm)
    np.testing.assert_array_equal(local.predict(X), warm.predict(X))

    X_hist = X[:, :6]
    params = dict(n_estimators=6, splitter="hist", max_bins=31, random_state=2)
    from skedu.ensemble import RandomForestRegressor

    local = RandomForestRegressor(**params).fit(X_hist, y)
    with joblib.parallel_backend("dask"):
        remote = RandomForestRegressor(**params).fit(X_hist, y)
    _same_forest(local, remote)


def test_local_backends_stay_local(client):
    assert distributed_backend() is None
    for name in ("loky", "threading", "sequential", "multiprocessing"):
        with joblib.parallel_backend(name):
            assert distributed_backend() is None
    with joblib.parallel_backend("dask"):
        # A fit that is itself a task on a worker (nested dask backend) stays on its worker.
        inside = joblib.Parallel()(joblib.delayed(distributed_backend)() for _ in range(2))
    assert inside == [None, None]


# -- searches -------------------------------------------------------------------------------


def _assert_same_search(local, remote):
    assert remote.best_params_ == local.best_params_
    for key in local.cv_results_:
        if key.startswith(("split", "mean_test", "std_test", "rank_test")):
            np.testing.assert_array_equal(remote.cv_results_[key], local.cv_results_[key],
                                          err_msg=key)


def test_grid_search_on_workers_equals_local(client):
    X, y = load_breast_cancer(return_X_y=True)
    search = GridSearchCV(GradientBoostingClassifier(n_estimators=8, random_state=0),
                          {"max_depth": [2, 3], "learning_rate": [0.1, 0.5]}, cv=3)
    local = search.fit(X, y)
    local = {"best_params_": local.best_params_, "cv_results_": dict(local.cv_results_)}
    with joblib.parallel_backend("dask"):
        remote = GridSearchCV(GradientBoostingClassifier(n_estimators=8, random_state=0),
                              {"max_depth": [2, 3], "learning_rate": [0.1, 0.5]}, cv=3).fit(X, y)
    _assert_same_search(type("Local", (), local), remote)


@pytest.mark.filterwarnings("ignore::sklearn.exceptions.ConvergenceWarning")
def test_random_search_on_workers_equals_local(client):
    X, y = load_breast_cancer(return_X_y=True)
    X = StandardScaler().fit_transform(X)

    def search():
        return RandomizedSearchCV(LinearSVC(random_state=0),
                                  {"C": [0.01, 0.1, 1.0, 10.0], "loss": ["hinge", "squared_hinge"]},
                                  n_iter=4, cv=3, random_state=0)

    local = search().fit(X, y)
    with joblib.parallel_backend("dask"):
        remote = search().fit(X, y)
    _assert_same_search(local, remote)


def test_worker_threads_are_capped(client):
    # The nanny keeps OpenMP to one thread in each worker process, and a task's kernels get at
    # most the worker's threads: two single-threaded workers never run more than two threads.
    assert set(client.run(effective_n_threads).values()) == {1}
    with joblib.parallel_backend("dask"):
        assert joblib.Parallel()(joblib.delayed(task_threads)() for _ in range(2)) == [1, 1]


# -- FP-growth ------------------------------------------------------------------------------


def _as_dict(frame):
    return dict(zip(frame["itemsets"], frame["support"]))


@pytest.mark.parametrize("name, min_support, max_len, n_groups", [
    ("mushroom.dat.xz", 0.3, None, None),
    ("mushroom.dat.xz", 0.1, 3, 5),
    ("retail.dat.xz", 0.003, None, 3),
])
def test_fpgrowth_on_workers_equals_local(client, name, min_support, max_len, n_groups):
    pytest.importorskip("pandas", reason="fpgrowth returns a pandas DataFrame")
    require_data(name)
    transactions = load_transactions(name)
    local = FPGrowth(min_support=min_support, max_len=max_len).fit(transactions)
    result = fpgrowth(db.from_sequence(transactions, npartitions=3), min_support,
                      max_len=max_len, n_groups=n_groups)
    assert list(result.columns) == ["support", "itemsets"]
    assert len(result) == len(local.itemsets_) > 100
    assert _as_dict(result) == dict(zip(map(frozenset, local.itemsets_), local.supports_))


def test_fpgrowth_output_as_local_function(client):
    # The DataFrame of the mlxtend-style local fpgrowth on the one-hot table, row for row
    # once both are put in the same order.
    pandas = pytest.importorskip("pandas", reason="fpgrowth returns a pandas DataFrame")
    require_data("mushroom.dat.xz")
    transactions = load_transactions("mushroom.dat.xz")
    items = sorted({item for transaction in transactions for item in transaction})
    column = {item: j for j, item in enumerate(items)}
    one_hot = np.zeros((len(transactions), len(items)), dtype=bool)
    for row, transaction in enumerate(transactions):
        one_hot[row, [column[item] for item in transaction]] = True
    expected = local_fpgrowth(pandas.DataFrame(one_hot, columns=items), 0.25, use_colnames=True)
    result = fpgrowth(db.from_sequence(transactions, npartitions=2), 0.25)

    def ordered(frame):
        key = frame["itemsets"].map(lambda itemset: tuple(sorted(itemset)))
        return frame.assign(key=key).sort_values("key").reset_index(drop=True)

    pandas.testing.assert_frame_equal(ordered(result), ordered(expected))


def test_fpgrowth_dask_dataframe(client):
    pandas = pytest.importorskip("pandas", reason="fpgrowth returns a pandas DataFrame")
    dd = pytest.importorskip("dask.dataframe", reason="dask.dataframe needs pandas and pyarrow")
    frame = pandas.DataFrame({"bread": [1, 1, 1, 0, 1], "milk": [1, 0, 1, 1, 1],
                              "butter": [0, 1, 1, 0, 0]}).astype(bool)
    expected = local_fpgrowth(frame, 0.4, use_colnames=True)
    result = fpgrowth(dd.from_pandas(frame, npartitions=2), 0.4, use_colnames=True)
    assert _as_dict(result) == _as_dict(expected)


def test_fpgrowth_bad_input(client):
    with pytest.raises(TypeError, match="dask.bag.Bag"):
        fpgrowth([["a", "b"], ["a"]], 0.5)
    with pytest.raises(TypeError, match="min_support"):
        fpgrowth(db.from_sequence([["a"]]), 1)
    with pytest.raises(ValueError, match="empty"):
        fpgrowth(db.from_sequence([], npartitions=1), 0.5)
    with pytest.raises(TypeError, match="string"):
        fpgrowth(db.from_sequence([["a", "b"], "ab"], npartitions=1), 0.5)
    with pytest.raises(ValueError, match="missing value"):
        fpgrowth(db.from_sequence([["a", float("nan")]], npartitions=1), 0.5)


# -- LDA ------------------------------------------------------------------------------------


@pytest.mark.parametrize("params", [
    dict(),
    dict(solver="svd", store_covariance=True),
    dict(solver="eigen", shrinkage=0.2),
    dict(solver="lsqr", priors=[0.2, 0.3, 0.5]),
])
def test_lda_on_chunks_equals_local(client, params):
    X, y = load_wine(return_X_y=True)
    X = X * np.array([1e4] + [1.0] * 12)  # one large feature: the merge must not lose digits
    local = LinearDiscriminantAnalysis(**params).fit(X, y)
    remote = fit_lda(LinearDiscriminantAnalysis(**params), da.from_array(X, chunks=(40, 5)),
                     da.from_array(y, chunks=60))
    for name in ("coef_", "intercept_", "means_", "priors_", "covariance_"):
        if hasattr(local, name):
            np.testing.assert_allclose(getattr(remote, name), getattr(local, name),
                                       rtol=1e-8, atol=1e-8 * np.abs(getattr(local, name)).max(),
                                       err_msg=name)
    if hasattr(local, "scalings_"):
        # The kept directions, each up to its sign (eigen's other vectors span a null space).
        k = len(local.classes_) - 1
        a, b = local.scalings_[:, :k], remote.scalings_[:, :k]
        np.testing.assert_allclose(b * np.sign((a * b).sum(axis=0)), a, rtol=1e-8,
                                   atol=1e-8 * np.abs(a).max())
    np.testing.assert_array_equal(remote.predict(X), local.predict(X))
    # The merged statistics are kept: partial_fit goes on from them.
    remote.partial_fit(X[:10], y[:10])
    local.partial_fit(X[:10], y[:10])
    np.testing.assert_allclose(remote.coef_, local.coef_, rtol=1e-8,
                               atol=1e-8 * np.abs(local.coef_).max())


def test_lda_bad_input(client):
    X, y = load_wine(return_X_y=True)
    with pytest.raises(TypeError, match="dask array"):
        fit_lda(LinearDiscriminantAnalysis(), X, y)
    with pytest.raises(ValueError, match="shrinkage='auto'"):
        fit_lda(LinearDiscriminantAnalysis(solver="lsqr", shrinkage="auto"),
                da.from_array(X), da.from_array(y))
    with pytest.raises(ValueError, match="y must have shape"):
        fit_lda(LinearDiscriminantAnalysis(), da.from_array(X), y[:-1])


def _all_estimators():
    import skedu.discriminant_analysis
    import skedu.ensemble
    import skedu.svm
    import skedu.tree

    return [getattr(module, name) for module in (skedu.tree, skedu.ensemble, skedu.svm,
                                                 skedu.discriminant_analysis)
            for name in module.__all__ if isinstance(getattr(module, name), type)]


@pytest.mark.filterwarnings("ignore::sklearn.exceptions.ConvergenceWarning")
@pytest.mark.parametrize("estimator_class", _all_estimators(), ids=lambda cls: cls.__name__)
def test_estimators_travel_with_cloudpickle(estimator_class):
    # What a search sends to its workers and brings back: the unfitted and the fitted
    # estimator, through cloudpickle, predicting as before.
    import cloudpickle

    X, y = load_wine(return_X_y=True)
    X = StandardScaler().fit_transform(X)
    if estimator_class.__name__.endswith(("Regressor", "SVR")):
        y = y.astype(float)
    params = {"random_state": 0} if "random_state" in estimator_class().get_params() else {}
    if "n_estimators" in estimator_class().get_params():
        params["n_estimators"] = 5
    estimator = cloudpickle.loads(cloudpickle.dumps(estimator_class(**params)))
    fitted = estimator.fit(X, y)
    travelled = cloudpickle.loads(cloudpickle.dumps(fitted))
    np.testing.assert_array_equal(travelled.predict(X), fitted.predict(X))
