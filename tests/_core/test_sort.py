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


@pytest.mark.parametrize("n", [128, 1000, 4099])
@pytest.mark.parametrize("pair", [(0.0, 1.0), (-0.0, 0.0), (-3.5, 7.25)])
def test_two_valued_columns_sort_stably(n, pair):
    # One-hot columns take a one-pass partition instead of the radix passes: same order as a
    # stable sort (rows of equal values keep their order).
    rng = np.random.RandomState(n)
    values = np.float32(pair)[rng.randint(0, 2, n)]
    rows = np.arange(n, dtype=np.intp)
    original = values.copy()
    sort_for_tests(values, rows)
    # (-0.0 sorts before 0.0, as the radix keys order them: by the int32 view of the bits.)
    order_of = original.view(np.int32) if pair == (-0.0, 0.0) else original
    np.testing.assert_array_equal(rows, np.argsort(order_of, kind="stable"))
    np.testing.assert_array_equal(values.view(np.uint32), original[rows].view(np.uint32))


def test_a_third_value_with_the_two_values_digits_is_sorted_too():
    # 0x3F800100 shares each byte with 0x3F800001 or 0x40000100 and lies between them: the
    # digit counts cannot tell it apart, the partition pass must.
    bits = np.array([0x3F800001, 0x40000100, 0x3F800100], dtype=np.uint32)
    rng = np.random.RandomState(0)
    values = bits[rng.randint(0, 3, 500)].view(np.float32).copy()
    rows = np.arange(500, dtype=np.intp)
    original = values.copy()
    sort_for_tests(values, rows)
    np.testing.assert_array_equal(values, np.sort(original))
    np.testing.assert_array_equal(rows, np.argsort(original, kind="stable"))
