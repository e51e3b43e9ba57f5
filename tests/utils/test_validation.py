"""validate_float32_data: the compiled float32 conversion and infinity check."""

import numpy as np
import pytest
from scipy import sparse
from sklearn.base import BaseEstimator

from skedu._core._binning import float32_rows
from skedu.utils import validate_float32_data


class _Estimator(BaseEstimator):
    pass


@pytest.mark.parametrize("n_threads", [1, 2])
def test_float32_rows_equals_numpy_and_counts_infinities(n_threads):
    rng = np.random.RandomState(0)
    X = rng.randn(3001, 400) * 1e30  # over a million values: the parallel loop
    X[rng.rand(*X.shape) < 0.01] = np.nan
    out = np.empty(X.shape, dtype=np.float32)
    assert float32_rows(X, out, n_threads) == 0
    np.testing.assert_array_equal(out, X.astype(np.float32))
    X[3, 4], X[2000, 7], X[3000, 399] = np.inf, -np.inf, 1e300  # the last beyond float32
    assert float32_rows(X, out, n_threads) == 3
    with np.errstate(over="ignore"):
        assert float32_rows(X.astype(np.float32), None, n_threads) == 3
    with pytest.raises(ValueError, match="output array"):
        float32_rows(X, None, n_threads)
    with pytest.raises(ValueError, match="shape"):
        float32_rows(X, out[:10], n_threads)


@pytest.mark.parametrize("make", [
    lambda X: X,                                     # float64, C order: converted in the kernel
    lambda X: np.asfortranarray(X),                  # F order: converted by numpy, then checked
    lambda X: X.astype(np.float32),                  # float32: only checked
    lambda X: X.tolist(),                            # a list
])
def test_validated_X_is_float32_with_nan_kept_and_infinity_refused(make):
    rng = np.random.RandomState(1)
    X = rng.randn(50, 4)
    X[3, 2] = np.nan
    y = rng.randint(0, 2, 50)
    validated, y_out = validate_float32_data(_Estimator(), make(X), y, n_threads=2)
    alone = validate_float32_data(_Estimator(), make(X), n_threads=2)
    np.testing.assert_array_equal(alone, validated)
    assert validated.dtype == np.float32 and validated.flags.c_contiguous
    np.testing.assert_array_equal(validated, X.astype(np.float32))
    np.testing.assert_array_equal(y_out, y)
    for bad in (np.inf, -np.inf, 1e40):
        X_bad = X.copy()
        X_bad[7, 1] = bad
        with pytest.raises(ValueError, match="infinity or a value too large"):
            with np.errstate(over="ignore"):
                validate_float32_data(_Estimator(), make(X_bad), y, n_threads=2)
            with np.errstate(over="ignore"), pytest.raises(ValueError, match="infinity"):
                validate_float32_data(_Estimator(), make(X_bad), n_threads=2)


def test_sparse_X_is_validated_by_scikit_learn():
    X = sparse.random(30, 5, density=0.3, format="csr", random_state=0)
    validated, _ = validate_float32_data(_Estimator(), X, np.arange(30) % 2)
    assert sparse.issparse(validated) and validated.dtype == np.float32
    X.data[0] = np.inf
    with pytest.raises(ValueError, match="infinity"):
        validate_float32_data(_Estimator(), X, np.arange(30) % 2)
