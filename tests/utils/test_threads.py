import numpy as np
import pytest
from threadpoolctl import threadpool_limits

from skedu.utils import check_non_negative_sample_weight, effective_n_threads


def test_effective_n_threads_respects_limits():
    assert effective_n_threads(1) == 1
    assert effective_n_threads(None) >= 1
    assert effective_n_threads(-1) >= 1
    with threadpool_limits(limits=1, user_api="openmp"):
        assert effective_n_threads(None) == 1
        assert effective_n_threads(8) == 1


@pytest.mark.parametrize("bad", [0, 1.5, "2", True])
def test_effective_n_threads_rejects_bad_values(bad):
    with pytest.raises((ValueError, TypeError)):
        effective_n_threads(bad)


def test_sample_weight_checks():
    X = np.zeros((3, 2))
    np.testing.assert_array_equal(check_non_negative_sample_weight(None, X), np.ones(3))
    with pytest.raises(ValueError, match="Negative"):
        check_non_negative_sample_weight([1.0, -1.0, 1.0], X)
    with pytest.raises(ValueError, match="zero"):
        check_non_negative_sample_weight([0.0, 0.0, 0.0], X)
    with pytest.raises(ValueError, match="NaN"):
        check_non_negative_sample_weight([np.nan, 1.0, 1.0], X)
    with pytest.raises(ValueError):
        check_non_negative_sample_weight([1.0, 1.0], X)
