"""The histogram splitter (``_split.pyx``) against a naive search over bin boundaries."""

import numpy as np
import pytest

from skedu._core._split import (best_split_from_histogram_for_tests,
                                bounded_split_from_histogram_for_tests,
                                set_vector_scan_for_tests)
from skedu._core._types import Criterion
from tests._core._twins import SUM_CRITERIA, best_split

N_BINS, MISSING_BIN = 256, 255


def unit_edges(n_bins):
    """Upper edges of bins 0 .. n_bins - 1 at b + 0.5 (+inf after the last)."""
    edges = np.full(MISSING_BIN, np.inf)
    edges[: n_bins - 1] = np.arange(n_bins - 1) + 0.5
    return edges


def random_bins(rng, n, n_bins, missing_fraction):
    bins = rng.randint(0, n_bins, n)
    bins[rng.rand(n) < missing_fraction] = MISSING_BIN
    return bins


def histogram_of(bins, gradients, hessians):
    histogram = np.zeros((N_BINS, gradients.shape[1] + 2))
    np.add.at(histogram[:, :-2], bins, gradients)
    np.add.at(histogram[:, -2], bins, hessians)
    np.add.at(histogram[:, -1], bins, 1.0)
    return histogram


@pytest.mark.parametrize("criterion", SUM_CRITERIA)
@pytest.mark.parametrize("seed", range(6))
def test_best_split_from_histogram_is_the_best_bin_boundary(criterion, seed):
    rng = np.random.RandomState(seed)
    n, n_bins = 200, 12
    bins = random_bins(rng, n, n_bins, 0.1 * (seed % 2))
    if criterion in (Criterion.GINI, Criterion.ENTROPY):
        hessians = rng.rand(n) + 0.5
        gradients = np.eye(3)[rng.randint(0, 3, n)] * hessians[:, None]
    else:
        gradients, hessians = rng.randn(n, 1), rng.rand(n) + 0.1
        if criterion == Criterion.POISSON:  # non-negative targets
            gradients = rng.poisson(2.0, gradients.shape) * hessians[:, None]
    edges = unit_edges(n_bins)
    min_samples_leaf = 1 + seed
    record, varies = best_split_from_histogram_for_tests(
        histogram_of(bins, gradients, hessians), n_bins, edges, criterion, 1.0, min_samples_leaf)
    values = np.where(bins == MISSING_BIN, np.nan, bins.astype(np.float64))
    expected = best_split(values, gradients, hessians, criterion, 1.0, min_samples_leaf,
                          thresholds=list(edges[: n_bins - 1]) + [np.inf])
    assert varies
    assert record["found"] == (expected is not None)
    np.testing.assert_allclose(record["gain"], expected[0], rtol=1e-10)
    left = (values <= record["threshold"]) | (np.isnan(values) & record["missing_go_left"])
    assert record["n_left"] == left.sum()
    assert edges[record["bin_threshold"]] == record["threshold"]


def test_one_non_empty_bin_is_constant():
    histogram = histogram_of(np.full(10, 3), np.ones((10, 1)), np.ones(10))
    record, varies = best_split_from_histogram_for_tests(histogram, 5, np.full(MISSING_BIN, np.inf),
                                                         Criterion.SQUARED_ERROR)
    assert not varies and not record["found"]


def test_missing_values_alone_against_the_rest():
    bins = np.array([0, 0, 0, MISSING_BIN, MISSING_BIN])
    gradients = np.array([[1.0], [1.0], [1.0], [-5.0], [-5.0]])
    record, varies = best_split_from_histogram_for_tests(
        histogram_of(bins, gradients, np.ones(5)), 1, np.full(MISSING_BIN, np.inf),
        Criterion.SQUARED_ERROR)
    assert varies and record["found"]
    assert record["n_left"] == 3 and not record["missing_go_left"]


@pytest.mark.parametrize("seed", range(4))
def test_second_order_single_channel_path_equals_the_generic_scan(seed):
    # One gradient channel takes a dedicated scan; a second all-zero channel adds nothing to
    # any score, so the generic scan must find the very same split, bit for bit.
    rng = np.random.RandomState(seed)
    n, n_bins = 300, 40
    bins = random_bins(rng, n, n_bins, 0.15 * (seed % 2))
    gradients, hessians = rng.randn(n, 1), rng.rand(n) * 0.3
    edges = unit_edges(n_bins)
    padded = np.hstack([gradients, np.zeros((n, 1))])
    for l2, min_leaf, min_weight in [(0.0, 1, 0.0), (1.0, 5 + seed, 2.0), (3.0, 20, 0.5)]:
        fast = best_split_from_histogram_for_tests(
            histogram_of(bins, gradients, hessians), n_bins, edges, Criterion.SECOND_ORDER, l2,
            min_leaf, min_weight)
        generic = best_split_from_histogram_for_tests(
            histogram_of(bins, padded, hessians), n_bins, edges, Criterion.SECOND_ORDER, l2,
            min_leaf, min_weight)
        assert fast[0]["found"]
        assert fast == generic


@pytest.mark.parametrize("seed", range(6))
def test_second_order_scan_with_empty_bins_residues_and_zero_hessians(seed):
    # Many empty bins, some holding the rounding residue a histogram subtraction leaves (count
    # 0, sums not quite 0: both scans skip them), and zero hessians without l2: the dedicated
    # scan still finds the generic scan's split, bit for bit.
    rng = np.random.RandomState(seed)
    n, n_bins = 60, 200
    bins = random_bins(rng, n, n_bins, 0.2 * (seed % 2))
    gradients = rng.randn(n, 1)
    hessians = np.where(rng.rand(n) < 0.3, 0.0, rng.rand(n))
    edges = unit_edges(n_bins)
    padded = np.hstack([gradients, np.zeros((n, 1))])
    for l2, min_leaf, min_weight in [(0.0, 1, 0.0), (0.5, 3, 0.1), (2.0, 10, 0.0)]:
        results = []
        for g in (gradients, padded):
            histogram = histogram_of(bins, g, hessians)
            empty = np.flatnonzero(histogram[:n_bins, -1] == 0)
            histogram[empty[::3], 0] = 1e-17  # residues, as after a subtraction
            histogram[empty[::3], -2] = -1e-18
            results.append(best_split_from_histogram_for_tests(
                histogram, n_bins, edges, Criterion.SECOND_ORDER, l2, min_leaf, min_weight))
        assert results[0] == results[1]


def scans_both_ways(*args):
    """The scan's record with bins scored four at a time, and one at a time."""
    if not set_vector_scan_for_tests(True):
        pytest.skip("the processor has no AVX2: bins are only scored one at a time")
    try:
        vector = best_split_from_histogram_for_tests(*args)
        set_vector_scan_for_tests(False)
        scalar = best_split_from_histogram_for_tests(*args)
    finally:
        set_vector_scan_for_tests(True)
    return vector, scalar


@pytest.mark.parametrize("missing_fraction", [0.0, 0.2])
@pytest.mark.parametrize("seed", range(8))
def test_scan_four_bins_at_a_time_finds_the_same_split(seed, missing_fraction):
    # Bins scored four at a time from the running sums of every bin: the same record bit for
    # bit as the sweep over occupied bins, with empty bins (some holding a subtraction's
    # residue, or in runs longer than four), bin counts that are not multiples of 4, row and
    # hessian limits, and ties: a
    # histogram repeated in its second half has each gain twice; the first bin wins.
    rng = np.random.RandomState(seed)
    n_bins = [32, 33, 101, 255][seed % 4]
    n = [n_bins, 400, 3000, 20000][seed % 4]
    bins = random_bins(rng, n, n_bins, missing_fraction)
    if seed % 3 == 0:
        bins = np.where(bins == MISSING_BIN, bins, bins // 3 * 3)  # two empty out of three
    elif seed % 3 == 1:
        bins = np.where(bins == MISSING_BIN, bins, bins // 6 * 6)  # runs of five empty bins
    gradients = rng.randn(n, 1) * 0.3
    hessians = rng.rand(n) * 0.25
    edges = unit_edges(n_bins)
    histogram = histogram_of(bins, gradients, hessians)
    empty = np.flatnonzero(histogram[:n_bins, -1] == 0)
    histogram[empty[::2], 0] = 1e-17
    histogram[empty[::2], 1] = -1e-18
    mirrored = histogram.copy()
    half = n_bins // 2
    mirrored[n_bins - half:n_bins] = histogram[:half][::-1]
    mirrored[:, 0] -= np.where(np.arange(N_BINS) < n_bins, mirrored[:n_bins, 0].sum() / n_bins, 0.0)
    for h in (histogram, mirrored):
        for l2, min_leaf, min_weight in [(0.0, 1, 0.0), (1.0, 20, 1e-3), (3.0, n // 3, 2.0),
                                         (1.0, n // 2, 0.0)]:
            vector, scalar = scans_both_ways(h, n_bins, edges, Criterion.SECOND_ORDER, l2,
                                             min_leaf, min_weight)
            assert vector == scalar


@pytest.mark.parametrize("seed", range(6))
def test_scan_four_bins_at_a_time_splits_missing_values_from_the_rest_as_the_sweep(seed):
    # The best split sends the missing values one way and every other row the other. The
    # sweep finds it once, at the last occupied bin with the missing values right; sending
    # them left from before the first occupied bin is no candidate of the sweep (the same
    # split, its gain rounded otherwise), nor of the four-at-a-time scan.
    rng = np.random.RandomState(seed)
    n, n_bins = 3000, 64
    bins = rng.randint(8, n_bins, n)
    missing = rng.rand(n) < 0.3
    bins[missing] = MISSING_BIN
    gradients = np.where(missing, 1.0, -0.5)[:, None] + rng.randn(n, 1) * 0.01
    histogram = histogram_of(bins, gradients, rng.rand(n) * 0.25 + 0.05)
    vector, scalar = scans_both_ways(histogram, n_bins, unit_edges(n_bins),
                                     Criterion.SECOND_ORDER, 1.0, 5, 1e-3)
    assert vector == scalar
    assert scalar[0]["n_left"] == n - missing.sum() and not scalar[0]["missing_go_left"]


def test_scan_four_bins_at_a_time_of_a_constant_feature():
    # One occupied bin: no split, and the feature does not vary.
    histogram = np.zeros((N_BINS, 3))
    histogram[7] = [0.5, 2.0, 100.0]
    vector, scalar = scans_both_ways(histogram, 64, unit_edges(64), Criterion.SECOND_ORDER,
                                     1.0, 1, 0.0)
    for record, varies in (vector, scalar):
        assert not record["found"] and record["gain"] == -np.inf and not varies


def resolved_missing_side(record, n_rows):
    # A bounded scan leaves the side of unseen missing values to the partition when the node
    # has none: the majority side, right on a tie (the counted scan's rule).
    if record["missing_by_majority"]:
        return 2 * record["n_left"] > n_rows
    return record["missing_go_left"]


@pytest.mark.parametrize("seed", range(8))
def test_bounded_scan_finds_the_counted_split_or_says_it_is_unsure(seed):
    # Histograms without counts: each side's rows are bounded from its hessian (every row's
    # within [min, max]) and its bins. The sure candidates are the counted scan's allowed
    # ones, so unless an unsure candidate gains as much as the best sure one, both scans
    # choose the same split; otherwise the counted split's gain lies between the two.
    rng = np.random.RandomState(seed)
    n, n_bins = 400, 60
    bins = random_bins(rng, n, n_bins, 0.1 * (seed % 2))
    low, high = (0.2, 0.25) if seed < 4 else (0.01, 0.25)
    gradients, hessians = rng.randn(n, 1), rng.uniform(low, high, n)
    edges = unit_edges(n_bins)
    histogram = histogram_of(bins, gradients, hessians)
    n_sure = 0
    for l2, min_leaf, min_weight in [(0.0, 1, 0.0), (1.0, 15, 0.5), (1.0, 40, 0.0)]:
        counted, counted_varies = best_split_from_histogram_for_tests(
            histogram, n_bins, edges, Criterion.SECOND_ORDER, l2, min_leaf, min_weight)
        bounded, varies = bounded_split_from_histogram_for_tests(
            histogram, n_bins, edges, l2, min_leaf, min_weight, hessians.min(), hessians.max())
        assert varies == counted_varies
        if bounded["found"] and bounded["unsure_gain"] < bounded["gain"]:
            n_sure += 1
            for key in ("feature", "gain", "threshold", "bin_threshold"):
                assert bounded[key] == counted[key]
            bounded["n_left"] = counted["n_left"]  # unknown to the bounded scan
            assert resolved_missing_side(bounded, n) == counted["missing_go_left"]
        else:
            assert bounded["unsure_gain"] > -np.inf
            assert bounded["gain"] <= counted["gain"] <= max(bounded["gain"],
                                                             bounded["unsure_gain"])
        if min_leaf == 1:
            assert bounded["unsure_gain"] == -np.inf  # a bin with rows has one
    assert n_sure >= 1


def test_bounded_scan_is_unsure_of_a_split_only_counts_allow():
    # The best split sends the 12 rows of the last bin right; with min_samples_leaf 12 only
    # their count allows it: their hessians (0.01) would be 12 rows or 300 at the other
    # rows' (0.25). The bounded scan must leave it to the counts, not choose or refuse it.
    rng = np.random.RandomState(3)
    bins = np.concatenate([rng.randint(0, 30, 500), np.full(12, 30)])
    hessians = np.concatenate([rng.uniform(0.2, 0.25, 500), np.full(12, 0.01)])
    gradients = np.concatenate([rng.randn(500) * 0.01, np.full(12, -0.5)])[:, None]
    edges = np.full(MISSING_BIN, np.inf)
    edges[:30] = np.arange(30) + 0.5
    histogram = histogram_of(bins, gradients, hessians)
    counted, _ = best_split_from_histogram_for_tests(histogram, 31, edges,
                                                     Criterion.SECOND_ORDER, 0.0, 12, 0.0)
    assert counted["bin_threshold"] == 29 and counted["n_left"] == 500
    bounded, _ = bounded_split_from_histogram_for_tests(histogram, 31, edges, 0.0, 12, 0.0,
                                                        0.01, 0.25)
    assert bounded["unsure_gain"] == counted["gain"]
    assert not bounded["found"] or bounded["gain"] < counted["gain"]


@pytest.mark.parametrize("seed", range(12))
def test_bounded_scan_four_bins_at_a_time_is_the_sweep(seed):
    # The bounded scan's candidates staged, the sure ones scored four at a time: the same
    # split, gain, unsure gain and missing-value rule as one candidate at a time, with
    # missing values or not, empty bins, row minimums that leave candidates unsure and
    # hessian minimums that refuse some.
    if not set_vector_scan_for_tests(True):
        pytest.skip("the processor has no AVX2: only the sweep runs")
    rng = np.random.RandomState(100 + seed)
    n, n_bins = 3000, 200
    bins = random_bins(rng, n, n_bins, 0.15 * (seed % 3 == 0))
    bins[(bins > 50) & (bins < 60)] = 61                      # empty bins inside the range
    gradients = rng.randn(n, 1) + (bins[:, None] % 7 == 0)
    hessians = rng.uniform(0.01 if seed % 2 else 0.2, 0.25, n)
    edges = unit_edges(n_bins)
    histogram = histogram_of(bins, gradients, hessians)
    try:
        for l2, min_leaf, min_weight in [(0.0, 1, 0.0), (1.0, 15, 0.5), (1.0, 200, 0.0),
                                         (0.5, 1400, 3.0)]:
            args = (histogram, n_bins, edges, l2, min_leaf, min_weight, hessians.min(),
                    hessians.max())
            set_vector_scan_for_tests(True)
            four = bounded_split_from_histogram_for_tests(*args)
            set_vector_scan_for_tests(False)
            one = bounded_split_from_histogram_for_tests(*args)
            assert four == one
    finally:
        set_vector_scan_for_tests(True)
