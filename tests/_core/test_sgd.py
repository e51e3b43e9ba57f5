"""The compiled SGD epoch against a naive numpy twin on tiny hand-made problems."""

import numpy as np
import pytest
import scipy.sparse as sp

from skedu._core._sgd import loss_sums, sgd_epoch, shuffle_order
from skedu._core._sgd_types import Loss, Optimizer, Schedule
from skedu.svm._params import loss_code, optimizer_code
from skedu.svm._solver import SGDState, csr_or_dense_rows


def _loss_and_slope(loss, prediction, label, epsilon=0.1):
    """Naive loss value and derivative with respect to the prediction."""
    z = label * prediction
    if loss == "hinge":
        return max(0.0, 1 - z), (-label if z < 1 else 0.0)
    if loss == "squared_hinge":
        return max(0.0, 1 - z) ** 2, (-2 * label * (1 - z) if z < 1 else 0.0)
    if loss == "log_loss":
        return np.log1p(np.exp(-z)), -label / (1 + np.exp(z))
    residual = label - prediction
    excess = abs(residual) - epsilon
    if loss == "epsilon_insensitive":
        return max(0.0, excess), (-np.sign(residual) if excess > 0 else 0.0)
    return max(0.0, excess) ** 2, (-2 * np.sign(residual) * excess if excess > 0 else 0.0)


def _params(**overrides):
    params = {
        "loss": Loss.HINGE, "optimizer": Optimizer.SGD, "schedule": Schedule.CONSTANT, "eta0": 0.1,
        "eta_max": np.inf, "power_t": 0.5, "alpha": 0.01,
        "optimal_init": 0.0, "alpha_l2": 0.01, "alpha_l1": 0.0, "beta1": 0.9, "beta2": 0.99,
        "optimizer_epsilon": 1e-8, "epsilon": 0.1, "batch_size": 1, "average_start": 0,
        "fit_intercept": True, "is_regression": False,
    }
    params.update(overrides)
    return params


def _naive_epoch(X, labels, weights, order, coef, intercept, params, loss, optimizer, step,
                 moments, average, l1):
    """Straightforward dense version of one epoch for one model (same update rules)."""
    eta = params["eta0"]
    batch_size = params["batch_size"]
    total_loss = 0.0
    for start in range(0, len(order), batch_size):
        batch = order[start:start + batch_size]
        grad, grad_b = np.zeros_like(coef), 0.0
        for i in batch:
            value, slope = _loss_and_slope(loss, X[i] @ coef + intercept, labels[i])
            total_loss += weights[i] * value
            grad += weights[i] * slope * X[i] / len(batch)
            grad_b += weights[i] * slope / len(batch)
        if optimizer == "sgd":
            coef = (1 - eta * params["alpha_l2"]) * coef - eta * grad
            intercept -= eta * grad_b
            if params["alpha_l1"] > 0:
                l1["total"] += eta * params["alpha_l1"]
                before = coef.copy()
                shrunk_pos = np.maximum(0, coef - (l1["total"] + l1["applied"]))
                shrunk_neg = np.minimum(0, coef + (l1["total"] - l1["applied"]))
                coef = np.where(coef > 0, shrunk_pos, np.where(coef < 0, shrunk_neg, coef))
                l1["applied"] += coef - before
        else:
            g = grad + params["alpha_l2"] * coef
            deltas = []
            for gradient, m in ((g, moments["w"]), (np.array([grad_b]), moments["b"])):
                if optimizer == "momentum":
                    m[0] = params["beta1"] * m[0] + gradient
                    deltas.append(eta * m[0])
                elif optimizer == "rmsprop":
                    m[1] = params["beta2"] * m[1] + (1 - params["beta2"]) * gradient**2
                    deltas.append(eta * gradient / (np.sqrt(m[1]) + params["optimizer_epsilon"]))
                else:
                    m[0] = params["beta1"] * m[0] + (1 - params["beta1"]) * gradient
                    m[1] = params["beta2"] * m[1] + (1 - params["beta2"]) * gradient**2
                    m_hat = m[0] / (1 - params["beta1"] ** step)
                    v_hat = m[1] / (1 - params["beta2"] ** step)
                    deltas.append(eta * m_hat / (np.sqrt(v_hat) + params["optimizer_epsilon"]))
            coef = coef - deltas[0]
            intercept -= deltas[1][0]
            if params["alpha_l1"] > 0:
                threshold = eta * params["alpha_l1"]
                coef = np.sign(coef) * np.maximum(np.abs(coef) - threshold, 0)
        if params["average_start"] and step >= params["average_start"]:
            n = step - params["average_start"] + 1
            mu = 2 / (n + 1)  # polynomial-decay averaging: step n weighs in proportion to n
            average["coef"] += (coef - average["coef"]) * mu
            average["intercept"] += (intercept - average["intercept"]) * mu
        step += 1
    return coef, intercept, total_loss, step


def _run_kernel(X, y, weights, order, params, n_models=1, positive=(1.0,), n_epochs=1,
                n_threads=1, row_caps=()):
    state = SGDState.zeros(n_models, X.shape[1], params, params["eta0"])
    X_dense, X_data, X_indices, X_indptr = csr_or_dense_rows(X)
    work = np.zeros((n_models, max(params["batch_size"], X.shape[1])))
    epoch_losses = np.zeros(n_models)
    for _ in range(n_epochs):
        state.step = sgd_epoch(
            X_dense, X_data, X_indices, X_indptr, y, weights,
            np.asarray(row_caps, dtype=float), order, np.asarray(positive, dtype=float),
            state.coef, state.intercept, state.moment1,
            state.moment2, state.intercept_moments, state.average_coef, state.average_intercept,
            state.l1_applied, state.l1_total, work, epoch_losses, params, state.step, n_threads)
    if params["optimizer"] != 0:
        assert np.all(work == 0), "the gradient buffer must be left zeroed"
    return state, epoch_losses


@pytest.fixture
def tiny():
    X = np.array([[1.0, 0.0, 2.0], [0.0, -1.0, 0.5], [3.0, 1.0, 0.0], [-1.0, 0.0, -2.0],
                  [0.5, 2.0, 1.0]])
    y = np.array([1.0, 0.0, 1.0, 0.0, 0.0])
    weights = np.array([1.0, 2.0, 0.5, 1.0, 1.5])
    order = np.array([3, 0, 4, 1, 2], dtype=np.intp)
    return X, y, weights, order


@pytest.mark.parametrize("sparse", [False, True])
@pytest.mark.parametrize("loss", ["hinge", "squared_hinge", "log_loss"])
@pytest.mark.parametrize("optimizer", ["sgd", "momentum", "rmsprop", "adam"])
@pytest.mark.parametrize("batch_size", [1, 2, 5])
def test_epoch_matches_naive_twin(tiny, sparse, loss, optimizer, batch_size):
    X, y, weights, order = tiny
    params = _params(loss=loss_code(loss), optimizer=optimizer_code(optimizer),
                     batch_size=batch_size, alpha_l2=0.05)
    state, loss_sums = _run_kernel(sp.csr_matrix(X) if sparse else X, y, weights, order, params,
                                   n_epochs=2)
    labels = np.where(y == 1.0, 1.0, -1.0)
    coef, intercept, step = np.zeros(3), 0.0, 1
    moments = {"w": [np.zeros(3), np.zeros(3)], "b": [np.zeros(1), np.zeros(1)]}
    for _ in range(2):
        coef, intercept, total_loss, step = _naive_epoch(
            X, labels, weights, order, coef, intercept, params, loss, optimizer, step, moments,
            None, None)
    np.testing.assert_allclose(state.coef[0], coef, rtol=1e-10, atol=1e-12)
    np.testing.assert_allclose(state.intercept[0], intercept, rtol=1e-10, atol=1e-12)
    np.testing.assert_allclose(loss_sums[0], total_loss, rtol=1e-10)
    assert state.step == step


@pytest.mark.parametrize("sparse", [False, True])
@pytest.mark.parametrize("optimizer", ["sgd", "adam"])
# alpha_l2=9 shrinks the weights tenfold per step: the scaled SGD weights must be refolded
@pytest.mark.parametrize("alpha_l2", [0.02, 9.0])
def test_l1_and_averaging_match_naive_twin(tiny, sparse, optimizer, alpha_l2):
    X, y, weights, order = tiny
    params = _params(optimizer=optimizer_code(optimizer), alpha_l2=alpha_l2, alpha_l1=0.03,
                     average_start=3)
    # the sparse L1 touches only a row's non-zeros: use a dense-valued X so both agree exactly
    X = X + 0.25
    state, _ = _run_kernel(sp.csr_matrix(X) if sparse else X, y, weights, order, params,
                           n_epochs=2)
    labels = np.where(y == 1.0, 1.0, -1.0)
    coef, intercept, step = np.zeros(3), 0.0, 1
    moments = {"w": [np.zeros(3), np.zeros(3)], "b": [np.zeros(1), np.zeros(1)]}
    average = {"coef": np.zeros(3), "intercept": 0.0}
    l1 = {"total": 0.0, "applied": np.zeros(3)}
    for _ in range(2):
        coef, intercept, _, step = _naive_epoch(X, labels, weights, order, coef, intercept,
                                                params, "hinge", optimizer, step, moments,
                                                average, l1)
    np.testing.assert_allclose(state.coef[0], coef, rtol=1e-10, atol=1e-12)
    np.testing.assert_allclose(state.average_coef[0], average["coef"], rtol=1e-10, atol=1e-12)
    np.testing.assert_allclose(state.average_intercept[0], average["intercept"], rtol=1e-10)


@pytest.mark.parametrize("loss", ["epsilon_insensitive", "squared_epsilon_insensitive"])
def test_regression_losses_match_naive_twin(tiny, loss):
    X, _, weights, order = tiny
    y = np.array([1.5, -0.3, 2.0, 0.0, 0.7])
    params = _params(loss=loss_code(loss), is_regression=True, batch_size=2)
    state, loss_sums = _run_kernel(X, y, weights, order, params)
    coef, intercept, total_loss, _ = _naive_epoch(X, y, weights, order, np.zeros(3), 0.0,
                                                  params, loss, "sgd", 1, None, None, None)
    np.testing.assert_allclose(state.coef[0], coef, rtol=1e-10, atol=1e-12)
    np.testing.assert_allclose(loss_sums[0], total_loss, rtol=1e-10)


def test_one_vs_rest_models_are_independent_binary_problems(tiny):
    X, _, weights, order = tiny
    y = np.array([0.0, 1.0, 2.0, 1.0, 0.0])
    params = _params()
    state, _ = _run_kernel(X, y, weights, order, params, n_models=3, positive=(0.0, 1.0, 2.0))
    for k in range(3):
        alone, _ = _run_kernel(X, y, weights, order, params, positive=(float(k),))
        np.testing.assert_array_equal(state.coef[k], alone.coef[0])


def test_empty_sparse_rows_and_float32(tiny):
    X, y, weights, order = tiny
    X = X.copy()
    X[1] = 0.0
    params = _params()
    dense, _ = _run_kernel(X.astype(np.float32), y, weights, order, params)
    sparse, _ = _run_kernel(sp.csr_matrix(X.astype(np.float32)), y, weights, order, params)
    np.testing.assert_allclose(dense.coef, sparse.coef, rtol=1e-12)


def test_shuffle_order_is_a_seeded_permutation():
    first = np.arange(50, dtype=np.intp)
    second = np.arange(50, dtype=np.intp)
    shuffle_order(first, np.uint64(7))
    shuffle_order(second, np.uint64(7))
    np.testing.assert_array_equal(first, second)
    np.testing.assert_array_equal(np.sort(first), np.arange(50))
    assert not np.array_equal(first, np.arange(50))


def test_int64_csr_indices_give_the_same_epoch(tiny):
    X, y, weights, order = tiny
    params = _params(alpha_l1=0.01)
    narrow = sp.csr_matrix(X)
    wide = sp.csr_matrix(X)
    wide.indices = wide.indices.astype(np.int64)
    wide.indptr = wide.indptr.astype(np.int64)
    first, _ = _run_kernel(narrow, y, weights, order, params)
    second, _ = _run_kernel(wide, y, weights, order, params)
    np.testing.assert_array_equal(first.coef, second.coef)


@pytest.mark.parametrize("optimizer", ["sgd", "adam"])
@pytest.mark.parametrize("n_threads", [1, 2])
def test_models_trained_chunk_by_chunk_equal_models_trained_alone(optimizer, n_threads):
    # rows of 600 float64 put about 27 rows in a chunk: an epoch is many chunks
    rng = np.random.RandomState(0)
    X = rng.randn(100, 600)
    y = rng.randint(3, size=100).astype(float)
    weights = rng.rand(100)
    order = rng.permutation(100).astype(np.intp)
    params = _params(optimizer=optimizer_code(optimizer), batch_size=4, average_start=30,
                     alpha_l1=0.001)
    together, loss_sums = _run_kernel(X, y, weights, order, params, n_models=3,
                                      positive=(0.0, 1.0, 2.0), n_epochs=2, n_threads=n_threads)
    for k in range(3):
        alone, alone_loss = _run_kernel(X, y, weights, order, params, positive=(float(k),),
                                        n_epochs=2)
        np.testing.assert_array_equal(together.coef[k], alone.coef[0])
        np.testing.assert_array_equal(together.average_coef[k], alone.average_coef[0])
        # the adaptive path adds up the losses chunk by chunk: same terms, other grouping
        np.testing.assert_allclose(loss_sums[k], alone_loss[0], rtol=1e-12)
    assert together.step == alone.step


@pytest.mark.parametrize("sparse", [False, True])
@pytest.mark.parametrize("loss", ["hinge", "squared_hinge", "log_loss", "epsilon_insensitive",
                                  "squared_epsilon_insensitive"])
def test_loss_sums_match_naive_losses(tiny, sparse, loss):
    X, y, weights, _ = tiny
    regression = "epsilon" in loss
    if regression:
        y = np.array([1.5, -0.3, 2.0, 0.0, 0.7])
    coef = np.array([[0.3, -0.2, 0.1], [-0.1, 0.4, 0.2]])
    intercept = np.array([0.05, -0.1])
    rows = np.array([0, 2, 3, 4], dtype=np.intp)
    sums = np.zeros(2)
    params = _params(loss=loss_code(loss), is_regression=regression)
    loss_sums(*csr_or_dense_rows(sp.csr_matrix(X) if sparse else X), y, weights, rows,
              np.array([1.0, 0.0]), coef, intercept, sums, params, 2)
    for k, positive in enumerate((1.0, 0.0)):
        labels = y if regression else np.where(y == positive, 1.0, -1.0)
        expected = sum(weights[i] * _loss_and_slope(loss, X[i] @ coef[k] + intercept[k],
                                                    labels[i])[0] for i in rows)
        np.testing.assert_allclose(sums[k], expected, rtol=1e-12)


def test_row_caps_bound_each_rows_step(tiny):
    X, y, weights, order = tiny
    params = _params(loss=loss_code("squared_hinge"), eta0=100.0, alpha_l2=0.0,
                     fit_intercept=False)
    caps = np.full(len(y), 0.01)
    capped, _ = _run_kernel(X, y, weights, order, params, row_caps=caps)
    at_cap, _ = _run_kernel(X, y, weights, order, _params(**{**params, "eta0": 0.01}))
    # with every cap below eta0, the epoch is the one at the caps' step
    np.testing.assert_allclose(capped.coef, at_cap.coef, rtol=1e-12)


def test_kernel_codes_are_defined_once():
    # the estimator's option names are the enums' members, in lower case
    from skedu.svm import LinearSVC, LinearSVR

    losses = (LinearSVC._parameter_constraints["loss"][0].options
              | LinearSVR._parameter_constraints["loss"][0].options)
    assert sorted(losses) == sorted(member.name.lower() for member in Loss)
    optimizers = LinearSVC._parameter_constraints["optimizer"][0].options
    assert sorted(optimizers) == sorted(member.name.lower() for member in Optimizer)
    assert [loss_code(name) for name in ("hinge", "log_loss")] == [Loss.HINGE, Loss.LOG_LOSS]
