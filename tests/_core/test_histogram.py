import numpy as np
import pytest

from skedu._core._histogram import build_histogram_for_tests


def naive_histogram(binned, rows, gradients, hessians):
    n_channels = gradients.shape[1]
    histogram = np.zeros((256, n_channels + 2))
    for i, row in enumerate(rows):
        histogram[binned[row], :n_channels] += gradients[i]
        histogram[binned[row], n_channels] += hessians[i]
        histogram[binned[row], n_channels + 1] += 1
    return histogram


@pytest.mark.parametrize("n_channels", [1, 3])
def test_histogram_matches_naive_twin(n_channels):
    rng = np.random.RandomState(n_channels)
    binned = rng.randint(0, 256, 500).astype(np.uint8)
    rows = rng.choice(500, 200, replace=False).astype(np.intp)
    gradients = rng.randn(200, n_channels)  # ordered: one per entry of rows
    hessians = rng.rand(200)
    np.testing.assert_allclose(build_histogram_for_tests(binned, rows, gradients, hessians),
                               naive_histogram(binned, rows, gradients, hessians))


def test_histogram_of_sibling_is_parent_minus_child():
    rng = np.random.RandomState(0)
    binned = rng.randint(0, 10, 300).astype(np.uint8)
    gradients = rng.randn(300, 2)
    hessians = rng.rand(300)
    rows = np.arange(300, dtype=np.intp)
    left = rows[:120]
    parent = build_histogram_for_tests(binned, rows, gradients, hessians)
    child = build_histogram_for_tests(binned, left, gradients[:120], hessians[:120])
    sibling = build_histogram_for_tests(binned, rows[120:], gradients[120:], hessians[120:])
    np.testing.assert_allclose(parent - child, sibling, atol=1e-12)
