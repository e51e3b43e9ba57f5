import numpy as np
import pytest

from skedu._core._sort import sort_for_tests


@pytest.mark.parametrize("n", [0, 1, 2, 15, 17, 100, 5000])
@pytest.mark.parametrize("distinct", [1, 3, 1000000])
def test_sort_matches_numpy_and_carries_rows(n, distinct):
    rng = np.random.RandomState(n + distinct)
    values = rng.randint(0, distinct, n).astype(np.float32)
    rows = np.arange(n, dtype=np.intp)
    original = values.copy()
    if n:
        sort_for_tests(values, rows)
    np.testing.assert_array_equal(values, np.sort(original))
    np.testing.assert_array_equal(original[rows], values)
    np.testing.assert_array_equal(np.sort(rows), np.arange(n))


def test_sort_of_adversarial_orders():
    for values in (np.arange(3000, dtype=np.float32), np.arange(3000, 0, -1).astype(np.float32),
                   np.tile(np.float32([1, 0]), 1500)):
        rows = np.arange(len(values), dtype=np.intp)
        expected = np.sort(values)
        sort_for_tests(values, rows)
        np.testing.assert_array_equal(values, expected)


@pytest.mark.parametrize("n", [100, 511, 512, 20000])
def test_sort_of_signed_values_and_signed_zeros(n):
    rng = np.random.RandomState(n)
    values = (rng.randn(n) * 10.0 ** rng.randint(-30, 30, n)).astype(np.float32)
    values[: n // 10] = -0.0
    values[n // 10: n // 5] = 0.0
    rng.shuffle(values)
    rows = np.arange(n, dtype=np.intp)
    original = values.copy()
    sort_for_tests(values, rows)
    np.testing.assert_array_equal(values, np.sort(original))
    np.testing.assert_array_equal(original[rows], values)
