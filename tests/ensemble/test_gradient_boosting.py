"""Gradient boosting: second-order correctness against numpy, regularisation, early stopping,
warm start, validation sets, thread independence and bad input."""

import pickle

import numpy as np
import pytest
from scipy.special import expit
from sklearn.datasets import make_classification, make_regression
from sklearn.metrics import log_loss
from sklearn.tree import DecisionTreeRegressor as SkDecisionTreeRegressor

from skedu._core._grower import set_bounded_counts_for_tests
from skedu._core._split import set_vector_scan_for_tests
from skedu.ensemble import GradientBoostingClassifier, GradientBoostingRegressor


def _binary(n=2000, seed=0, **kwargs):
    return make_classification(n, n_features=8, n_informative=5, random_state=seed, **kwargs)


def _leaf_sums(leaves, g, h, n_nodes):
    G = np.bincount(leaves, weights=g, minlength=n_nodes)
    H = np.bincount(leaves, weights=h, minlength=n_nodes)
    return G, H


# -- second-order correctness ------------------------------------------------------------------


@pytest.mark.parametrize("max_leaf_nodes", [None, 6])
def test_one_squared_error_round_is_a_cart_tree_on_the_residuals(max_leaf_nodes):
    # lambda = 0, learning rate 1, exact splits: baseline (the mean) + a CART regression tree
    # grown on y - mean, exactly scikit-learn's tree on continuous features (no ties).
    X, y = make_regression(400, n_features=5, noise=5.0, random_state=0)
    model = GradientBoostingRegressor(
        n_estimators=1, learning_rate=1.0, reg_lambda=0.0, min_child_weight=0.0, max_depth=3,
        max_leaf_nodes=max_leaf_nodes, tree_method="exact", early_stopping=False).fit(X, y)
    cart = SkDecisionTreeRegressor(max_depth=3, max_leaf_nodes=max_leaf_nodes,
                                   random_state=0).fit(X, y - y.mean())
    np.testing.assert_allclose(model.predict(X), y.mean() + cart.predict(X), rtol=1e-10,
                               atol=1e-8)


@pytest.mark.parametrize("tree_method", ["hist", "exact"])
@pytest.mark.parametrize("reg_lambda", [0.0, 3.0])
def test_log_loss_leaf_values_are_newton_steps(tree_method, reg_lambda):
    X, y = _binary(600)
    w = np.random.default_rng(0).uniform(0.5, 2.0, len(y))
    model = GradientBoostingClassifier(
        n_estimators=1, learning_rate=1.0, reg_lambda=reg_lambda, max_depth=3,
        tree_method=tree_method, early_stopping=False).fit(X, y, sample_weight=w)
    baseline = np.log(np.average(y, weights=w) / (1 - np.average(y, weights=w)))
    p = expit(baseline)
    g, h = w * (p - y), w * p * (1 - p)
    leaves = model.apply(X)[:, 0, 0]
    G, H = _leaf_sums(leaves, g, h, leaves.max() + 1)
    expected = baseline - G[leaves] / (H[leaves] + reg_lambda)
    np.testing.assert_allclose(model.decision_function(X), expected, rtol=1e-10, atol=1e-12)


def test_softmax_round_uses_per_class_gradients_and_hessians():
    X, y = make_classification(900, n_features=6, n_informative=4, n_classes=3,
                               n_clusters_per_class=1, random_state=1)
    model = GradientBoostingClassifier(n_estimators=1, learning_rate=1.0, reg_lambda=1.0,
                                       max_depth=2, early_stopping=False).fit(X, y)
    priors = np.bincount(y) / len(y)
    baseline = np.log(priors) - np.log(priors).mean()
    p = np.exp(baseline) / np.exp(baseline).sum()
    leaves = model.apply(X)[:, 0, :]
    expected = np.empty((len(y), 3))
    for k in range(3):
        g, h = p[k] - (y == k), np.full(len(y), p[k] * (1 - p[k]))
        G, H = _leaf_sums(leaves[:, k], g, h, leaves[:, k].max() + 1)
        expected[:, k] = baseline[k] - G[leaves[:, k]] / (H[leaves[:, k]] + 1.0)
    np.testing.assert_allclose(model.decision_function(X), expected, rtol=1e-10, atol=1e-12)


def _stump_gain(X, y, model, reg_lambda):
    """Gain 1/2 [G_L^2/(H_L+l) + G_R^2/(H_R+l) - G^2/(H+l)] of the model's root split, by numpy."""
    p = y.mean()
    g, h = p - y, np.full(len(y), p * (1 - p))
    left = model.apply(X)[:, 0, 0] == model._trees.nodes[0]["left_child"][0]

    def score(rows):
        return g[rows].sum() ** 2 / (h[rows].sum() + reg_lambda)

    return 0.5 * (score(left) + score(~left) - score(np.ones(len(y), bool)))


def test_gamma_prunes_exactly_the_splits_below_it():
    X, y = _binary(500, seed=3)
    params = dict(n_estimators=1, learning_rate=1.0, max_depth=1, reg_lambda=1.0,
                  early_stopping=False)
    stump = GradientBoostingClassifier(**params).fit(X, y)
    assert len(stump._trees.nodes[0]) == 3
    gain = _stump_gain(X, y, stump, 1.0)
    assert gain > 0
    kept = GradientBoostingClassifier(gamma=gain * (1 - 1e-6), **params).fit(X, y)
    assert len(kept._trees.nodes[0]) == 3
    pruned = GradientBoostingClassifier(gamma=gain * (1 + 1e-6), **params).fit(X, y)
    assert len(pruned._trees.nodes[0]) == 1
    # Deeper trees: every split kept has a gain above gamma, and gamma=0 keeps more splits.
    deep = dict(params, max_depth=4)
    full = GradientBoostingClassifier(**deep).fit(X, y)
    # Stored trees derive a split's gain from float32 node objectives: 1e-5 relative slack.
    gains = _split_gains(full)
    gamma = float(np.median(gains))
    cut = GradientBoostingClassifier(gamma=gamma, **deep).fit(X, y)
    assert np.all(_split_gains(cut) > gamma * (1 - 1e-5))
    assert len(cut._trees.nodes[0]) < len(full._trees.nodes[0])


@pytest.mark.parametrize("n_jobs", [1, 2])
def test_large_nodes_of_one_hot_columns_find_the_best_split(n_jobs):
    # One-hot columns are read from lists of each row's non-default bins; a node of 16k rows
    # or more adds its rows by parts, each into a histogram of its own, the parts then added
    # in order. The root's split is still the best of every column, found by numpy, and its
    # gain the numpy gain.
    rng = np.random.RandomState(21)
    n_rows = 40_000
    categories = rng.randint(0, 30, size=(n_rows, 3))
    X = np.hstack([np.eye(30)[categories[:, j]] for j in range(3)])
    # The first quarter of the rows follows one column, the others another: a histogram of
    # any one part would choose another split than all the rows do.
    first = np.arange(n_rows) < n_rows // 4
    y = np.where(first, categories[:, 0] < 12, categories[:, 1] < 12).astype(int)
    flip = rng.rand(n_rows) < 0.2
    y[flip] = 1 - y[flip]
    stump = GradientBoostingClassifier(n_estimators=1, learning_rate=1.0, max_depth=1,
                                       reg_lambda=1.0, min_samples_leaf=1,
                                       early_stopping=False, n_jobs=n_jobs).fit(X, y)
    p = y.mean()
    g, h = p - y, np.full(n_rows, p * (1 - p))

    def score(rows):
        return g[rows].sum() ** 2 / (h[rows].sum() + 1.0)

    gains = [0.5 * (score(X[:, f] > 0.5) + score(X[:, f] <= 0.5) - score(slice(None)))
             for f in range(X.shape[1])]
    assert stump._trees.nodes[0]["feature"][0] == int(np.argmax(gains))
    np.testing.assert_allclose(_stump_gain(X, y, stump, 1.0), max(gains), rtol=1e-10)


def _split_gains(model, tree=0):
    """Gains of the splits of one fitted tree, from its stored node objectives."""
    flat = model._trees._ensemble()[tree]
    return flat.split_gains()[flat.children_left != -1]


def test_reg_alpha_soft_thresholds_the_leaf_sums():
    X, y = _binary(800, seed=4)
    alpha, lam, rate = 5.0, 2.0, 0.3
    model = GradientBoostingClassifier(n_estimators=1, learning_rate=rate, reg_lambda=lam,
                                       reg_alpha=alpha, max_depth=3,
                                       early_stopping=False).fit(X, y)
    p = y.mean()
    baseline = np.log(p / (1 - p))
    g, h = p - y, np.full(len(y), p * (1 - p))
    leaves = model.apply(X)[:, 0, 0]
    G, H = _leaf_sums(leaves, g, h, leaves.max() + 1)
    shrunk = np.sign(G) * np.maximum(np.abs(G) - alpha, 0.0)
    np.testing.assert_allclose(model.decision_function(X),
                               baseline - rate * shrunk[leaves] / (H[leaves] + lam), rtol=1e-10)
    huge = GradientBoostingClassifier(n_estimators=3, reg_alpha=1e6, max_depth=3,
                                      early_stopping=False).fit(X, y)
    np.testing.assert_allclose(huge.decision_function(X), baseline, rtol=1e-12)


@pytest.mark.parametrize("loss, quantile", [("absolute_error", None), ("quantile", 0.8)])
def test_constant_hessian_leaves_are_refit_to_residual_quantiles(loss, quantile):
    X, y = make_regression(500, n_features=4, noise=20.0, random_state=5)
    model = GradientBoostingRegressor(loss=loss, quantile=quantile, n_estimators=1,
                                      learning_rate=1.0, max_depth=2,
                                      early_stopping=False).fit(X, y)
    q = 0.5 if quantile is None else quantile
    baseline = np.quantile(y, q, method="inverted_cdf")
    leaves = model.apply(X)[:, 0]
    prediction = model.predict(X)
    for leaf in np.unique(leaves):
        residual = y[leaves == leaf] - baseline
        expected = baseline + np.quantile(residual, q, method="inverted_cdf")
        np.testing.assert_allclose(prediction[leaves == leaf], expected, rtol=1e-10)


@pytest.mark.parametrize("max_delta_step", [0.0, 0.7])
def test_poisson_hessians_carry_the_max_delta_step_factor(max_delta_step):
    # XGBoost's and LightGBM's safeguard: h = exp(raw + max_delta_step), so one round's leaves
    # are -G / (exp(max_delta_step) H + lambda) with H, G those of the log-link deviance.
    X, y = make_regression(800, n_features=4, noise=1.0, random_state=3)
    y = np.random.default_rng(3).poisson(np.exp(y / y.std()))
    model = GradientBoostingRegressor(
        loss="poisson", n_estimators=1, learning_rate=1.0, reg_lambda=2.0, max_depth=3,
        early_stopping=False, poisson_max_delta_step=max_delta_step).fit(X, y)
    baseline = np.log(y.mean())
    g = np.exp(baseline) - y
    h = np.exp(baseline + max_delta_step) * np.ones(len(y))
    leaves = model.apply(X)[:, 0]
    G, H = _leaf_sums(leaves, g, h, leaves.max() + 1)
    np.testing.assert_allclose(np.log(model.predict(X)),
                               baseline - G[leaves] / (H[leaves] + 2.0), rtol=1e-10)


def test_losses_reach_their_targets():
    X, y = make_regression(3000, n_features=5, noise=1.0, random_state=6)
    y_pos = np.random.default_rng(0).poisson(np.exp((y - y.mean()) / y.std()))
    poisson = GradientBoostingRegressor(loss="poisson", n_estimators=60,
                                        early_stopping=False).fit(X, y_pos)
    assert np.all(poisson.predict(X) > 0)
    assert np.corrcoef(poisson.predict(X), np.exp((y - y.mean()) / y.std()))[0, 1] > 0.9
    q90 = GradientBoostingRegressor(loss="quantile", quantile=0.9, n_estimators=100,
                                    early_stopping=False).fit(X, y + 30 * np.random.default_rng(1).normal(size=len(y)))
    noisy = y + 30 * np.random.default_rng(1).normal(size=len(y))
    assert 0.85 < np.mean(noisy <= q90.predict(X)) < 0.95


# -- early stopping, warm start, validation sets ----------------------------------------------


def test_early_stopping_stops_and_keeps_the_best_round():
    X, y = _binary(3000, seed=7, flip_y=0.3)
    model = GradientBoostingClassifier(n_estimators=500, learning_rate=0.5, max_depth=6,
                                       early_stopping=True, n_iter_no_change=5,
                                       random_state=0).fit(X, y)
    assert model.n_estimators_ < 500
    scores = model.validation_score_
    assert len(scores) == model.n_estimators_ + 1 + 5
    assert model.n_estimators_ == int(np.argmax(scores))
    assert len(model._trees.nodes) == model.n_estimators_


def test_warm_start_equals_one_long_fit():
    X, y = make_classification(2000, n_features=10, n_informative=6, n_classes=3,
                               random_state=8)
    params = dict(learning_rate=0.2, max_depth=4, subsample=0.7, colsample_bytree=0.6,
                  early_stopping=False, random_state=11)
    once = GradientBoostingClassifier(n_estimators=30, **params).fit(X, y)
    twice = GradientBoostingClassifier(n_estimators=12, warm_start=True, **params).fit(X, y)
    twice.set_params(n_estimators=30).fit(X, y)
    assert twice.n_estimators_ == 30
    assert np.array_equal(once.decision_function(X), twice.decision_function(X))
    with pytest.raises(ValueError, match="at least the number of rounds"):
        twice.set_params(n_estimators=10).fit(X, y)


def test_validation_set_given_to_fit_is_used_instead_of_a_split():
    X, y = _binary(3800, seed=9)
    X, X_val, y, y_val = X[:3000], X[3000:], y[:3000], y[3000:]
    model = GradientBoostingClassifier(n_estimators=15, n_iter_no_change=100,
                                       random_state=0).fit(X, y, X_val=X_val, y_val=y_val)
    assert model.do_early_stopping_ and len(model.validation_score_) == 16
    assert model.validation_score_[-1] == pytest.approx(
        -log_loss(y_val, model.predict_proba(X_val)), rel=1e-9)
    # All training rows were used: the same trees as a fit without any validation.
    plain = GradientBoostingClassifier(n_estimators=15, early_stopping=False,
                                       random_state=0).fit(X, y)
    assert np.array_equal(plain.decision_function(X), model.decision_function(X))
    with pytest.raises(ValueError, match="early_stopping is False"):
        GradientBoostingClassifier(early_stopping=False).fit(X, y, X_val=X_val, y_val=y_val)


def test_scoring_other_than_loss_and_verbose_lines(capsys):
    X, y = _binary(1500, seed=12)
    model = GradientBoostingClassifier(n_estimators=8, scoring="roc_auc", early_stopping=True,
                                       n_iter_no_change=50, verbose=4, random_state=0).fit(X, y)
    assert 0.5 < model.validation_score_[-1] <= 1.0
    lines = capsys.readouterr().out.strip().splitlines()
    rounds = [line for line in lines if line.startswith("[")]
    assert [line.split("]")[0] for line in rounds] == ["[4", "[8"]
    assert "validation roc_auc" in rounds[-1] and "elapsed" in rounds[-1]


# -- the fitted model ---------------------------------------------------------------------------


def test_same_model_for_any_n_jobs():
    X, y = make_classification(60_000, n_features=12, n_informative=8, n_classes=3,
                               random_state=13)
    X[::7, 2] = np.nan
    fits = [GradientBoostingClassifier(n_estimators=5, max_depth=5, subsample=0.8,
                                       early_stopping=False, random_state=0,
                                       n_jobs=n_jobs).fit(X, y) for n_jobs in (1, 2)]
    assert np.array_equal(fits[0].decision_function(X), fits[1].decision_function(X))
    for a, b in zip(fits[0]._trees.nodes, fits[1]._trees.nodes):
        assert np.array_equal(a, b)


@pytest.mark.parametrize("task", ["binary", "regression"])
def test_same_model_for_any_n_jobs_when_nodes_build_histograms_in_parallel(task):
    # One tree per round: its nodes are partitioned and their histograms built (and
    # subtracted from the parent's) by several threads, over dense columns, row-major groups
    # and one-hot columns read as lists (the sparse layout).
    # Sizes above the parallel thresholds of _node_split and _grower (32k (row, feature)
    # pairs to build, 8k histogram values to scan, 8k rows to partition).
    rng = np.random.RandomState(15)
    n_rows = 40_000
    X_dense, y = make_classification(n_rows, n_features=12, n_informative=8, n_redundant=0,
                                     random_state=15)
    X_dense[rng.rand(*X_dense.shape) < 0.05] = np.nan
    small_bins = np.round(X_dense[:, :2] * 3)  # features of few bins: row-major groups
    one_hot = np.eye(20)[rng.randint(0, 20, n_rows)]
    X = np.hstack([X_dense, small_bins, one_hot])
    if task == "regression":
        y = X_dense[:, 0] + one_hot[:, 3] * 2 + rng.randn(n_rows) * 0.1
        y[np.isnan(y)] = 0.0
        model = GradientBoostingRegressor
    else:
        model = GradientBoostingClassifier
    fits = [model(n_estimators=8, max_depth=6, early_stopping=False, random_state=0,
                  n_jobs=n_jobs).fit(X, y) for n_jobs in (1, 2, 3)]
    for other in fits[1:]:
        assert np.array_equal(fits[0].decision_function(X) if task == "binary"
                              else fits[0].predict(X),
                              other.decision_function(X) if task == "binary"
                              else other.predict(X))
        for a, b in zip(fits[0]._trees.nodes, other._trees.nodes):
            assert np.array_equal(a, b)


@pytest.mark.parametrize("n_jobs", [1, 2])
def test_nodes_split_in_batches_give_the_model_of_nodes_split_one_at_a_time(n_jobs):
    # Depth-limited trees split their pending nodes in batches (all the batch's histograms
    # built together); best-first growth (max_leaf_nodes) splits one node at a time. With a
    # leaf budget that never binds, both grow every splittable node: the same splits and sums
    # in another node order, so the same predictions and leaf values to the bit (a few-bin
    # column copies a dense one: equal gains, which the two orders may break differently, but
    # on the same rows). Dense, few-bin and one-hot (sparse layout) columns, missing values.
    rng = np.random.RandomState(17)
    X_dense, y = make_classification(6_000, n_features=5, n_informative=5, n_redundant=0,
                                     random_state=17)
    X_dense[rng.rand(*X_dense.shape) < 0.05] = np.nan
    X = np.hstack([X_dense, np.round(X_dense[:, :2] * 3), np.eye(12)[rng.randint(0, 12, 6_000)]])
    common = dict(n_estimators=6, max_depth=5, early_stopping=False, random_state=0,
                  n_jobs=n_jobs)
    batched = GradientBoostingClassifier(**common).fit(X, y)
    one_at_a_time = GradientBoostingClassifier(max_leaf_nodes=2 ** 5, **common).fit(X, y)
    assert np.array_equal(batched.decision_function(X), one_at_a_time.decision_function(X))
    for a, b in zip(batched._trees.values, one_at_a_time._trees.values):
        assert np.array_equal(np.sort(a, axis=None), np.sort(b, axis=None))


@pytest.mark.parametrize("n_rows", [3_000, 30_000])
def test_subtrees_grown_on_threads_give_the_tree_grown_on_one(n_rows):
    # With threads, depth-wise trees are split batch by batch until two nodes a thread are
    # pending, then each thread grows whole subtrees in a workspace of its own; one thread
    # splits every node in batches. Each node draws its feature order from its own stream and
    # the nodes are numbered in preorder once grown: the same trees, leaves and training
    # scores for any number of threads.
    rng = np.random.RandomState(20)
    X, y = make_classification(n_rows, n_features=8, n_informative=6, random_state=20)
    X[rng.rand(*X.shape) < 0.05] = np.nan
    X = np.hstack([X, np.round(X[:, :2]), np.eye(6)[rng.randint(0, 6, n_rows)]])
    fits = [GradientBoostingClassifier(n_estimators=4, max_depth=7, colsample_bytree=0.8,
                                       early_stopping=False, random_state=0,
                                       n_jobs=n_jobs).fit(X, y) for n_jobs in (1, 2, 4)]
    for other in fits[1:]:
        assert np.array_equal(fits[0].train_score_, other.train_score_)
        assert np.array_equal(fits[0].apply(X), other.apply(X))
        for a, b in zip(fits[0]._trees.nodes, other._trees.nodes):
            assert np.array_equal(a, b)
    for nodes in fits[0]._trees.nodes:
        split = np.flatnonzero(nodes["left_child"] >= 0)
        assert len(split) > 8
        # Preorder: a node's left child comes right after it.
        assert np.array_equal(nodes["left_child"][split], split + 1)
    # The training predictions follow the leaves written for the renumbered nodes.
    proba = fits[1].predict_proba(X)[:, 1]
    if n_rows <= 10_000:  # every row scored
        expected = np.mean(np.logaddexp(0, np.log(proba) - np.log1p(-proba)) -
                           y * (np.log(proba) - np.log1p(-proba)))
        np.testing.assert_allclose(-fits[1].train_score_[-1], expected, rtol=1e-9)


def test_leaves_written_after_growth_equal_leaves_written_as_found():
    # Trees of 32k rows grown with threads record each leaf's rows and write the rows' leaves
    # once the tree is grown, in parallel (the record grows past its first 64 leaves here);
    # one thread writes them as it finds each leaf. The training predictions follow them.
    X, y = make_regression(40_000, n_features=6, noise=5.0, random_state=18)
    fits = [GradientBoostingRegressor(n_estimators=3, max_depth=None, max_leaf_nodes=300,
                                      min_samples_leaf=5, early_stopping=False,
                                      random_state=0, n_jobs=n_jobs).fit(X, y)
            for n_jobs in (1, 2)]
    assert fits[0]._trees.nodes[0]["left_child"].tolist().count(-1) == 300
    assert np.array_equal(fits[0].train_score_, fits[1].train_score_)
    assert np.array_equal(fits[0].predict(X), fits[1].predict(X))
    assert np.array_equal(fits[0].apply(X), fits[1].apply(X))


@pytest.mark.parametrize("tree_method", ["hist", "exact"])
@pytest.mark.parametrize("sparse_format", ["csr", "csc"])
def test_sparse_input_fits_as_well_as_dense(tree_method, sparse_format):
    # One-hot and mostly-zero columns given as a sparse matrix: the engine bins the stored
    # values (unstored ones are 0); rows left out by subsampling and a sparse validation set
    # are predicted from CSR rows. A sparse model predicts dense and sparse rows alike.
    import scipy.sparse as sp
    from sklearn.metrics import roc_auc_score

    rng = np.random.RandomState(19)
    X_dense, y = make_classification(4000, n_features=6, n_informative=4, random_state=19)
    X_dense[rng.rand(*X_dense.shape) < 0.5] = 0.0
    X = np.hstack([X_dense, np.eye(10)[rng.randint(0, 10, 4000)]])
    X_train, X_test, y_train, y_test = X[:3000], X[3000:], y[:3000], y[3000:]
    to_sparse = getattr(sp, sparse_format + "_matrix")
    common = dict(n_estimators=40, subsample=0.8, tree_method=tree_method, random_state=0)
    dense = GradientBoostingClassifier(**common).fit(X_train, y_train)
    sparse = GradientBoostingClassifier(**common).fit(to_sparse(X_train), y_train)
    auc = [roc_auc_score(y_test, model.predict_proba(X_test)[:, 1]) for model in (dense, sparse)]
    assert abs(auc[0] - auc[1]) < 0.005
    assert np.array_equal(sparse.predict_proba(X_test), sparse.predict_proba(to_sparse(X_test)))
    stopped = GradientBoostingClassifier(n_estimators=200, n_iter_no_change=3,
                                         tree_method=tree_method, random_state=0).fit(
        to_sparse(X_train), y_train, X_val=to_sparse(X_test), y_val=y_test)
    assert stopped.n_estimators_ < 200
    with_nan = to_sparse(X_train)
    with_nan.data[0] = np.nan
    with pytest.raises(ValueError, match="NaN"):
        GradientBoostingClassifier(tree_method=tree_method).fit(with_nan, y_train)


def test_fit_gives_back_the_buffers_its_trees_kept_between_rounds():
    from skedu._core._workspace import kept_buffer_count

    X, y = make_classification(20_000, n_features=5, random_state=16)
    GradientBoostingClassifier(n_estimators=3, early_stopping=False).fit(X, y)
    assert kept_buffer_count() == 0


def test_staged_predictions_end_at_the_prediction_and_pickle_round_trip():
    X, y = make_classification(1000, n_features=6, n_informative=4, n_classes=3,
                               random_state=14)
    model = GradientBoostingClassifier(n_estimators=7, early_stopping=False).fit(X, y)
    staged = list(model.staged_predict_proba(X))
    assert len(staged) == 7
    assert np.array_equal(staged[-1], model.predict_proba(X))
    assert np.array_equal(list(model.staged_predict(X))[-1], model.predict(X))
    assert model.apply(X).shape == (1000, 7, 3)
    importances = model.feature_importances_
    assert importances.shape == (6,) and importances.sum() == pytest.approx(1.0)
    clone = pickle.loads(pickle.dumps(model))
    assert np.array_equal(clone.predict_proba(X), model.predict_proba(X))


def test_missing_values_and_class_weight():
    X, y = _binary(2000, seed=15, weights=[0.9])
    X[np.random.default_rng(0).random(X.shape) < 0.2] = np.nan
    plain = GradientBoostingClassifier(n_estimators=20, early_stopping=False).fit(X, y)
    balanced = GradientBoostingClassifier(n_estimators=20, class_weight="balanced",
                                          early_stopping=False).fit(X, y)
    assert np.all(np.isfinite(plain.predict_proba(X)))
    assert balanced.predict(X).mean() > plain.predict(X).mean()


# -- bad input -----------------------------------------------------------------------------------


def test_bad_input_gives_clear_errors():
    X, y = _binary(300, seed=16)
    with pytest.raises(ValueError, match="at least 2 classes"):
        GradientBoostingClassifier().fit(X, np.zeros(len(y)))
    with pytest.raises(ValueError, match="learning_rate"):
        GradientBoostingClassifier(learning_rate=0.0).fit(X, y)
    with pytest.raises(ValueError, match="learning_rate"):
        GradientBoostingRegressor(learning_rate=-1.0).fit(X, y)
    with pytest.raises(ValueError, match="non-negative"):
        GradientBoostingRegressor(loss="poisson").fit(X, y - 0.5)
    with pytest.raises(ValueError, match="quantile"):
        GradientBoostingRegressor(loss="quantile").fit(X, y)
    with pytest.raises(ValueError, match="features"):
        GradientBoostingClassifier().fit(X, y, X_val=X[:, :5], y_val=y)
    with pytest.raises(ValueError, match="classes not seen"):
        GradientBoostingClassifier().fit(X, y, X_val=X, y_val=y + 5)
    with pytest.raises(ValueError, match="NaN"):
        GradientBoostingRegressor().fit(X, np.where(y > 0, np.nan, 1.0))
    with pytest.raises(ValueError, match="infinity"):
        GradientBoostingRegressor().fit(np.where(X > 2, np.inf, X), y)
    with pytest.raises(ValueError, match="Negative"):
        GradientBoostingRegressor().fit(X, y, sample_weight=-np.ones(len(y)))
    with pytest.raises(ValueError, match="non-finite"):
        GradientBoostingRegressor(early_stopping=False).fit(X, y * 1e200)
    with pytest.raises(ValueError, match="max_bins"):
        GradientBoostingRegressor(max_bins=300).fit(X, y)
    model = GradientBoostingRegressor(n_estimators=3).fit(X, y)
    with pytest.raises(ValueError, match="features"):
        model.predict(X[:, :3])


@pytest.mark.parametrize("tree_method", ["hist", "exact"])
def test_integer_weights_equal_repeated_rows(tree_method):
    X, y = make_classification(300, n_features=4, n_informative=3, n_redundant=0,
                               random_state=17)
    weights = np.random.default_rng(0).integers(0, 4, len(y))
    kept = weights > 0
    params = dict(n_estimators=10, max_depth=3, tree_method=tree_method, early_stopping=False,
                  random_state=0)
    weighted = GradientBoostingClassifier(**params).fit(X, y, sample_weight=weights)
    repeated = GradientBoostingClassifier(**params).fit(np.repeat(X, weights, axis=0),
                                                        np.repeat(y, weights))
    np.testing.assert_allclose(weighted.decision_function(X[kept]),
                               repeated.decision_function(X[kept]), rtol=1e-9, atol=1e-12)


@pytest.mark.parametrize("n_jobs", [1, 2])
@pytest.mark.parametrize("task", ["binary", "regression"])
def test_bins_scored_four_at_a_time_grow_the_trees_of_one_at_a_time(task, n_jobs):
    # Where the processor has AVX2 the split scans of nodes with more rows than bins score
    # four bins at a time; the models are those of one at a time, bit for bit: nodes large
    # and small, histograms built and subtracted (residues in their empty bins), features of
    # 255 and of 40 bins, with and without missing values.
    if not set_vector_scan_for_tests(True):
        pytest.skip("the processor has no AVX2: bins are only scored one at a time")
    X, y = make_classification(6_000, n_features=8, n_informative=6, random_state=29)
    X[:, 7] = np.round(X[:, 7] * 8)  # few distinct values: a feature of a few dozen bins
    rng = np.random.RandomState(29)
    X[:, 2:4][rng.rand(6_000, 2) < 0.1] = np.nan  # missing values, learned per split
    model = GradientBoostingClassifier if task == "binary" else GradientBoostingRegressor
    target = y if task == "binary" else X[:, 0] * 2 + np.sin(X[:, 1]) + y
    params = dict(n_estimators=15, max_depth=6, min_samples_leaf=5, early_stopping=False,
                  n_jobs=n_jobs, random_state=0)
    try:
        four = model(**params).fit(X, target)
        set_vector_scan_for_tests(False)
        one = model(**params).fit(X, target)
    finally:
        set_vector_scan_for_tests(True)
    predict = four.decision_function if task == "binary" else four.predict
    other = one.decision_function if task == "binary" else one.predict
    np.testing.assert_array_equal(predict(X), other(X))


@pytest.fixture
def counted_and_bounded():
    """Fit a model with counted histograms, then with counts bounded by the hessians (for
    trees of any size: by default only large trees are)."""
    def fit_both(make_and_fit):
        try:
            set_bounded_counts_for_tests(False)
            counted = make_and_fit()
            set_bounded_counts_for_tests(True, min_rows=0)
            bounded = make_and_fit()
        finally:
            set_bounded_counts_for_tests(True)
        return counted, bounded
    return fit_both


@pytest.mark.parametrize("n_jobs", [1, 2])
@pytest.mark.parametrize("case", ["binary", "wide weights", "min_samples_leaf 1", "multiclass",
                                  "best-first subsampled", "weighted regression"])
def test_counts_bounded_by_hessians_give_the_trees_of_counted_histograms(
        counted_and_bounded, case, n_jobs):
    # Boosted trees whose rows' hessians are all positive leave the dense histograms' counts
    # out: a side's rows are bounded by its hessian and bins, and a feature whose undecided
    # candidates may win is searched again with its rows counted. The trees are those of
    # counted histograms, bit for bit: dense, few-bin and one-hot (sparse layout) columns,
    # missing values, weights from 0.1 to 10 (wide bounds: many features recounted).
    rng = np.random.RandomState(23)
    X_dense, y = make_classification(8_000, n_features=6, n_informative=5, n_redundant=0,
                                     random_state=23)
    X_dense[rng.rand(*X_dense.shape) < 0.05] = np.nan
    X = np.hstack([X_dense, np.round(X_dense[:, :2] * 3), np.eye(12)[rng.randint(0, 12, 8_000)]])
    wide = np.exp(rng.uniform(-2.3, 2.3, 8_000))
    common = dict(n_estimators=8, max_depth=6, early_stopping=False, random_state=0,
                  n_jobs=n_jobs)
    fits = {
        "binary": lambda: GradientBoostingClassifier(**common).fit(X, y),
        "wide weights": lambda: GradientBoostingClassifier(min_samples_leaf=5, **common).fit(
            X, y, sample_weight=wide),
        "min_samples_leaf 1": lambda: GradientBoostingClassifier(
            min_samples_leaf=1, learning_rate=0.5, **common).fit(X, y),
        "multiclass": lambda: GradientBoostingClassifier(**common).fit(
            X, y + (np.nan_to_num(X[:, 1]) > 0.5)),
        "best-first subsampled": lambda: GradientBoostingClassifier(
            **{**common, "max_depth": None}, max_leaf_nodes=40, subsample=0.7,
            colsample_bytree=0.7).fit(X, y),
        "weighted regression": lambda: GradientBoostingRegressor(**common).fit(
            X, np.nan_to_num(X[:, 0]) * 2 + y, sample_weight=wide),
    }
    counted, bounded = counted_and_bounded(fits[case])
    assert len(counted._trees.nodes) == len(bounded._trees.nodes)
    for a, b in zip(counted._trees.nodes, bounded._trees.nodes):
        assert np.asarray(a).tobytes() == np.asarray(b).tobytes()
    assert np.array_equal(counted.train_score_, bounded.train_score_)


# -- quantised gradients ------------------------------------------------------------------------


def _quantised_case(case):
    rng = np.random.RandomState(7)
    n = 40_000                       # trees of 32,768 rows or more pack their statistics
    X, y = make_classification(n, n_features=6, n_informative=5, n_redundant=0,
                               n_classes=3 if case == "multiclass" else 2, random_state=7)
    X[rng.rand(*X.shape) < 0.05] = np.nan
    # Two few-bin columns: row-major groups beside the many-bin columns' groups.
    X = np.hstack([X, np.round(X[:, :2] * 3)])
    weight = None
    params = dict(n_estimators=8, max_depth=5, min_samples_leaf=10, early_stopping=False,
                  random_state=0, quantize_gradients=True)
    if case == "regression":
        y = np.nan_to_num(X[:, 0]) * 2 + np.sin(np.nan_to_num(X[:, 1])) + y
        return GradientBoostingRegressor, X, y, None, params
    if case == "weighted":
        weight = rng.uniform(0.1, 10.0, n)
    if case == "best-first subsampled":
        params.update(max_depth=None, max_leaf_nodes=12, subsample=0.9, colsample_bytree=0.8)
    if case == "one-hot columns":
        X = np.hstack([X, np.eye(12)[rng.randint(0, 12, n)]])
    if case == "one-hot between columns":
        # A hundred sparse-layout columns between many-bin ones: a group's span of entries
        # holds theirs too, more than its stack buffer.
        X = np.hstack([X[:, :1], np.eye(100)[rng.randint(0, 100, n)], X[:, 1:]])
    if case == "leaf limits":
        params.update(min_samples_leaf=1, min_child_weight=2.0, max_depth=8, gamma=0.01)
    return GradientBoostingClassifier, X, y, weight, params


@pytest.mark.parametrize("case", ["binary", "regression", "multiclass", "weighted",
                                  "best-first subsampled", "one-hot columns",
                                  "one-hot between columns", "leaf limits"])
def test_quantised_trees_are_the_same_packed_or_not_and_counted_or_not(case):
    # Quantised statistics are integer multiples of powers of two: every sum is exact, so
    # histograms of packed integers, float64 histograms with bounded counts and float64
    # histograms with counted rows give the same trees, bit for bit, for any thread count.
    from skedu._core._grower import set_packed_statistics_for_tests

    model, X, y, weight, params = _quantised_case(case)
    predictions = []
    for n_jobs, packed, bounded in [(1, True, True), (2, True, True), (2, False, True),
                                    (1, False, False)]:
        try:
            set_packed_statistics_for_tests(packed)
            set_bounded_counts_for_tests(bounded)
            fitted = model(n_jobs=n_jobs, **params).fit(X, y, sample_weight=weight)
        finally:
            set_packed_statistics_for_tests(True)
            set_bounded_counts_for_tests(True)
        predictions.append(fitted.decision_function(X) if model is GradientBoostingClassifier
                           else fitted.predict(X))
    for other in predictions[1:]:
        np.testing.assert_array_equal(predictions[0], other)


def test_quantised_fit_stays_near_the_float64_fit():
    # Steps of 1/2**14 of the largest gradient (fewer levels past 131,072 rows): the
    # training loss moves by far less than a round's progress.
    X, y = _binary(5000)
    params = dict(n_estimators=30, max_depth=4, early_stopping=False, random_state=0)
    exact = GradientBoostingClassifier(**params).fit(X, y)
    quantised = GradientBoostingClassifier(quantize_gradients=True, **params).fit(X, y)
    assert abs(quantised.train_score_[-1] - exact.train_score_[-1]) < 1e-3 * abs(
        exact.train_score_[-2] - exact.train_score_[-1]) + 1e-6
    np.testing.assert_allclose(quantised.predict_proba(X), exact.predict_proba(X), atol=1e-3)
    # The exact method has no histograms: the parameter leaves it as it is.
    exact_method = dict(params, tree_method="exact", n_estimators=5)
    np.testing.assert_array_equal(
        GradientBoostingClassifier(quantize_gradients=True, **exact_method).fit(X, y)
        .decision_function(X),
        GradientBoostingClassifier(**exact_method).fit(X, y).decision_function(X))


def test_quantised_warm_start_equals_one_long_fit_and_pickles():
    X, y = _binary(3000, seed=4)
    params = dict(max_depth=4, early_stopping=False, random_state=0, quantize_gradients=True)
    long_fit = GradientBoostingClassifier(n_estimators=12, **params).fit(X, y)
    warm = GradientBoostingClassifier(n_estimators=5, warm_start=True, **params).fit(X, y)
    warm.set_params(n_estimators=12).fit(X, y)
    np.testing.assert_array_equal(warm.decision_function(X), long_fit.decision_function(X))
    restored = pickle.loads(pickle.dumps(long_fit))
    np.testing.assert_array_equal(restored.predict_proba(X), long_fit.predict_proba(X))
