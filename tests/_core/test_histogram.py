import numpy as np
import pytest

from skedu._core._histogram import (build_column_histograms_for_tests,
                                    build_column_histograms_in_blocks_for_tests,
                                    build_histogram_for_tests, build_histograms_for_tests,
                                    build_sparse_histograms_for_tests)
from skedu.tree._bin_layout import histogram_offsets, sparse_layout


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


def naive_packed(binned_rows, rows, gradients, hessians, n_bins_non_missing):
    """Every feature's histogram, packed: its non-missing bins, then the missing bin."""
    parts = []
    for f, n_bins in enumerate(n_bins_non_missing):
        full = naive_histogram(binned_rows[:, f], rows, gradients, hessians)
        parts += [full[:n_bins], full[255:]]
    return np.vstack(parts)


@pytest.mark.parametrize("n_channels", [1, 2])
def test_packed_row_major_histograms_match_naive_twin(n_channels):
    rng = np.random.RandomState(10 + n_channels)
    n_bins = np.array([2, 1, 7, 255, 30], dtype=np.intp)
    binned_rows = np.stack([rng.randint(0, b, 400) for b in n_bins], axis=1).astype(np.uint8)
    binned_rows[rng.rand(400, 5) < 0.1] = 255  # missing values
    rows = rng.choice(400, 150, replace=False).astype(np.intp)
    gradients, hessians = rng.randn(150, n_channels), rng.rand(150)
    packed = build_histograms_for_tests(binned_rows, rows, gradients, hessians, n_bins)
    np.testing.assert_allclose(packed, naive_packed(binned_rows, rows, gradients, hessians,
                                                    n_bins), atol=1e-12)


@pytest.mark.parametrize("n_channels", [1, 2])
@pytest.mark.parametrize("features", [[4, 0, 2, 5], [1, 3, 5], [2, 0], [5]])
def test_column_histograms_equal_row_major_ones_bit_for_bit(n_channels, features):
    # Four columns of one channel are built together in one pass over the rows; every entry
    # must still add its rows in row order.
    rng = np.random.RandomState(20 + n_channels)
    all_bins = np.array([255, 90, 7, 200, 128, 255], dtype=np.intp)
    binned_rows = np.stack([rng.randint(0, b, 3000) for b in all_bins], axis=1).astype(np.uint8)
    binned_rows[rng.rand(3000, 6) < 0.1] = 255  # missing values
    binned_rows[:, 1] = np.minimum(binned_rows[:, 1], 3)  # rows mostly in a few bins
    rows = np.sort(rng.choice(3000, 1700, replace=False)).astype(np.intp)
    gradients, hessians = rng.randn(1700, n_channels) * 1e3, rng.rand(1700)
    features = np.array(features, dtype=np.intp)
    n_bins = all_bins[features]
    columns = np.ascontiguousarray(binned_rows.T)
    packed = build_column_histograms_for_tests(columns, features, rows, gradients, hessians,
                                               n_bins)
    row_major = build_histograms_for_tests(np.ascontiguousarray(binned_rows[:, features]), rows,
                                           gradients, hessians, n_bins)
    np.testing.assert_array_equal(packed, row_major)
    # The same four-at-a-time pass reading a row-major copy (scattered rows of small nodes).
    strided = build_column_histograms_for_tests(columns, features, rows, gradients, hessians,
                                                n_bins, row_major=True)
    np.testing.assert_array_equal(strided, packed)
    np.testing.assert_allclose(packed, naive_packed(binned_rows[:, features], rows, gradients,
                                                    hessians, n_bins), rtol=1e-12, atol=1e-9)


@pytest.mark.parametrize("counting", ["added", "copied from unit hessians", "left out"])
@pytest.mark.parametrize("features", [[0, 1, 2, 3], [3, 1, 2], [2, 0]])
def test_groups_of_full_features_equal_the_clamped_loops_bit_for_bit(features, counting):
    # Features of 255 non-missing bins keep their missing values in slot 255, their bin: a
    # group of them is built without clamping its bins (``_histogram_full.h``), the same sums
    # in the same row order as the loops that clamp (the row-major ones).
    rng = np.random.RandomState(40 + len(features))
    n_bins = np.full(len(features), 255, dtype=np.intp)
    binned_rows = rng.randint(0, 255, (3000, 4)).astype(np.uint8)
    binned_rows[rng.rand(3000, 4) < 0.1] = 255  # missing values: slot 255
    binned_rows[:, 1] = np.minimum(binned_rows[:, 1], 2)  # rows mostly in a few bins
    rows = np.sort(rng.choice(3000, 2200, replace=False)).astype(np.intp)
    gradients = rng.randn(2200, 1) * 1e3
    hessians = np.ones(2200) if counting == "copied from unit hessians" else rng.rand(2200)
    mode = {"added": {}, "copied from unit hessians": dict(unit_hessians=True),
            "left out": dict(count_rows=False)}[counting]
    features = np.array(features, dtype=np.intp)
    columns = np.ascontiguousarray(binned_rows.T)
    full = build_column_histograms_for_tests(columns, features, rows, gradients, hessians,
                                             n_bins, **mode)
    clamped = build_histograms_for_tests(np.ascontiguousarray(binned_rows[:, features]), rows,
                                         gradients, hessians, n_bins, **mode)
    np.testing.assert_array_equal(full, clamped)
    # Read from a row-major copy (scattered rows of small nodes): the same.
    strided = build_column_histograms_for_tests(columns, features, rows, gradients, hessians,
                                                n_bins, row_major=True, **mode)
    np.testing.assert_array_equal(strided, clamped)
    expected = naive_packed(binned_rows[:, features], rows, gradients, hessians, n_bins)
    if counting == "left out":
        expected[:, 2] = 0.0
    np.testing.assert_allclose(full, expected, rtol=1e-12, atol=1e-9)


@pytest.mark.parametrize("row_major", [False, True])
@pytest.mark.parametrize("full_bins", [True, False])
@pytest.mark.parametrize("n_features", [2, 3, 4])
def test_consecutive_rows_read_without_indices_give_the_same_histograms(n_features, full_bins,
                                                                         row_major):
    # A root grown on every row reads rows first..first + n - 1 without their indices
    # (``_histogram_groups.h``, the ``_consecutive`` loops): the same entries, bit for bit,
    # float64 (counts added or left out) and packed, clamped or not, columns or row-major.
    from skedu._core._histogram import build_packed_histograms_for_tests

    rng = np.random.RandomState(60 + n_features)
    n_samples = 3000
    n_bins = (np.full(n_features, 255) if full_bins
              else rng.randint(2, 255, n_features)).astype(np.intp)
    binned = np.stack([np.where(rng.rand(n_samples) < 0.05, 255,
                                rng.randint(0, b, n_samples)) for b in n_bins]).astype(np.uint8)
    features = np.arange(n_features, dtype=np.intp)
    rows = np.arange(700, 2900, dtype=np.intp)
    gradients = rng.randn(len(rows), 1) * 1e3
    hessians = rng.rand(len(rows))
    for count_rows in (True, False):
        indexed = build_column_histograms_for_tests(binned, features, rows, gradients, hessians,
                                                    n_bins, count_rows=count_rows,
                                                    row_major=row_major)
        consecutive = build_column_histograms_for_tests(binned, features, rows, gradients,
                                                        hessians, n_bins,
                                                        count_rows=count_rows,
                                                        row_major=row_major, consecutive=True)
        np.testing.assert_array_equal(consecutive, indexed)
    expected = naive_packed(np.ascontiguousarray(binned.T), rows, gradients, hessians, n_bins)
    np.testing.assert_allclose(indexed[:, :2], expected[:, :2], rtol=1e-12, atol=1e-9)
    gradient_units = rng.randint(-2 ** 14, 2 ** 14 + 1, len(rows)).astype(np.int64)
    hessian_units = rng.randint(0, 2 ** 14 + 1, len(rows)).astype(np.int64)
    packed = [build_packed_histograms_for_tests(binned, features, rows, gradient_units,
                                                hessian_units, n_bins, 2.0 ** -17, 2.0 ** -16,
                                                row_major, consecutive=consecutive)
              for consecutive in (False, True)]
    np.testing.assert_array_equal(packed[1], packed[0])
    with pytest.raises(ValueError, match="consecutive"):
        build_column_histograms_for_tests(binned, features, rows[::2].copy(),
                                          gradients[::2].copy(), hessians[::2].copy(), n_bins,
                                          consecutive=True)


@pytest.mark.parametrize("n_channels", [1, 3])
def test_sparse_histograms_complete_the_default_bin_from_the_totals(n_channels):
    # One-hot-like columns (most rows in one bin, sometimes the missing bin), read from the
    # lists of each row's other bins as the layout module builds them.
    rng = np.random.RandomState(20 + n_channels)
    n = 500
    binned_rows = np.zeros((n, 6), dtype=np.uint8)
    binned_rows[:, 0] = rng.rand(n) < 0.1                      # one-hot column
    binned_rows[:, 1] = np.where(rng.rand(n) < 0.15, rng.randint(0, 5, n), 4)  # default 4
    binned_rows[:, 2] = rng.randint(0, 40, n)                  # dense
    binned_rows[:, 3] = np.where(rng.rand(n) < 0.9, 255, 1)    # mostly missing
    binned_rows[:, 4] = rng.rand(n) < 0.05
    binned_rows[:, 5] = (rng.rand(n) < 0.1) * 2
    binned_rows[rng.rand(n) < 0.02, 0] = 255
    n_bins = np.array([2, 5, 40, 3, 2, 3], dtype=np.intp)
    binned = np.ascontiguousarray(binned_rows.T)
    layout = sparse_layout(binned, binned_rows, n_bins, min_features=1)
    assert list(layout["dense_features"]) == [2]
    assert list(layout["sparse_features"]) == [0, 1, 3, 4, 5]
    assert list(layout["sparse_default_slots"]) == [0, 4, 3, 0, 0]
    rows = rng.choice(n, 300, replace=False).astype(np.intp)
    gradients, hessians = rng.randn(300, n_channels), rng.rand(300)
    stats = np.ascontiguousarray(np.hstack([gradients, hessians[:, None]]))
    packed = build_sparse_histograms_for_tests(
        layout["sparse_row_starts"], layout["sparse_entries"], rows, stats,
        layout["sparse_features"], layout["sparse_default_slots"], n_bins)
    expected = naive_packed(binned_rows, rows, gradients, hessians, n_bins)
    offsets = histogram_offsets(n_bins)
    sparse_entries = np.concatenate([np.arange(offsets[f], offsets[f + 1])
                                     for f in layout["sparse_features"]])
    np.testing.assert_allclose(packed[sparse_entries], expected[sparse_entries], atol=1e-12)
    # Counts are exact, and a bin without rows has exactly zero count.
    assert np.array_equal(packed[sparse_entries, -1], expected[sparse_entries, -1])


def test_no_sparse_layout_without_enough_sparse_features():
    rng = np.random.RandomState(0)
    binned_rows = rng.randint(0, 50, (300, 8)).astype(np.uint8)
    assert sparse_layout(np.ascontiguousarray(binned_rows.T), binned_rows,
                         np.full(8, 50, dtype=np.intp)) is None


def six_columns(seed, features, unit_hessians):
    """Six binned columns of 2,000 rows (255 to 7 bins, 10% missing), 1,500 rows drawn, their
    gradients and hessians (all 1, or random), and the selected features' columns."""
    rng = np.random.RandomState(seed)
    all_bins = np.array([255, 90, 7, 200, 128, 255], dtype=np.intp)
    binned_rows = np.stack([rng.randint(0, b, 2000) for b in all_bins], axis=1).astype(np.uint8)
    binned_rows[rng.rand(2000, 6) < 0.1] = 255
    rows = np.sort(rng.choice(2000, 1500, replace=False)).astype(np.intp)
    gradients = rng.randn(1500, 1)
    hessians = np.ones(1500) if unit_hessians else rng.rand(1500)
    features = np.array(features, dtype=np.intp)
    return (np.ascontiguousarray(binned_rows.T), np.ascontiguousarray(binned_rows[:, features]),
            rows, gradients, hessians, features, all_bins[features])


@pytest.mark.parametrize("counting", ["copied from unit hessians", "left out"])
@pytest.mark.parametrize("features", [[4, 0, 2, 5], [1, 3, 5], [2, 0], [5]])
def test_counts_copied_or_left_out_keep_the_added_sums(features, counting):
    # Every hessian 1 (unweighted squared error): the kernels skip the count additions and
    # copy each bin's hessian sum, the same number added in the same order. Boosted trees
    # whose hessians bound their counts leave them out (0): the same sums, bit for bit.
    unit = counting == "copied from unit hessians"
    columns, selected, rows, gradients, hessians, features, n_bins = six_columns(
        30 if unit else 31, features, unit_hessians=unit)
    added = build_histograms_for_tests(selected, rows, gradients, hessians, n_bins)
    mode = dict(unit_hessians=True) if unit else dict(count_rows=False)
    for built in (
            build_column_histograms_for_tests(columns, features, rows, gradients, hessians,
                                              n_bins, **mode),
            build_column_histograms_for_tests(columns, features, rows, gradients, hessians,
                                              n_bins, row_major=True, **mode),
            build_histograms_for_tests(selected, rows, gradients, hessians, n_bins, **mode)):
        if unit:
            np.testing.assert_array_equal(built, added)
        else:
            np.testing.assert_array_equal(built[:, :2], added[:, :2])
            assert not built[:, 2].any()


@pytest.mark.parametrize("unit_hessians", [False, True])
@pytest.mark.parametrize("features", [[4, 0, 2, 5], [1, 3, 5], [2, 0], [5]])
def test_rows_added_block_by_block_give_the_same_histograms(features, unit_hessians):
    # Large nodes add their rows a block at a time to every group of columns (each block's
    # rows and statistics read once for the groups): every entry still adds its rows in row
    # order, so the histograms are those of one pass, bit for bit.
    rng = np.random.RandomState(31)
    all_bins = np.array([255, 90, 7, 200, 128, 255], dtype=np.intp)
    columns = np.stack([rng.randint(0, b, 3000) for b in all_bins]).astype(np.uint8)
    columns[rng.rand(6, 3000) < 0.1] = 255
    rows = np.sort(rng.choice(3000, 2500, replace=False)).astype(np.intp)
    gradients = rng.randn(2500, 1)
    hessians = np.ones(2500) if unit_hessians else rng.uniform(0.1, 1, 2500)
    features = np.array(features, dtype=np.intp)
    n_bins = all_bins[features]
    whole = build_column_histograms_for_tests(columns, features, rows, gradients, hessians,
                                              n_bins, unit_hessians=unit_hessians)
    for block in (1, 7, 1000, 4000):
        blocks = build_column_histograms_in_blocks_for_tests(
            columns, features, rows, gradients[:, 0], hessians, n_bins, block,
            unit_hessians=unit_hessians)
        np.testing.assert_array_equal(blocks, whole)


def test_sparse_lists_made_on_threads_equal_those_made_on_one():
    # Above 16k rows each row's count, then its entries, are written on several threads; the
    # lists are the same.
    rng = np.random.RandomState(32)
    n_rows = 20_000
    binned_rows = np.where(rng.rand(n_rows, 12) < 0.8, 0,
                           rng.randint(1, 5, (n_rows, 12))).astype(np.uint8)
    binned_rows[rng.rand(n_rows, 12) < 0.02] = 255
    binned = np.ascontiguousarray(binned_rows.T)
    n_bins = np.full(12, 5, dtype=np.intp)
    one, two = (sparse_layout(binned, binned_rows, n_bins, n_threads=t) for t in (1, 2))
    assert len(one["sparse_features"]) == 12
    for key in one:
        assert np.array_equal(one[key], two[key])


@pytest.mark.parametrize("full_bins", [False, True])
@pytest.mark.parametrize("row_major", [False, True])
@pytest.mark.parametrize("n_features", [1, 2, 3, 4, 7])
def test_packed_histograms_equal_float64_histograms_of_the_quantised_values(row_major,
                                                                            n_features,
                                                                            full_bins):
    # Rows' integer gradients (signed, up to 2**14 in magnitude) and hessians packed in one
    # word: every entry unpacks to the float64 sums of the scaled integers, bit for bit,
    # missing values (bin 255) included, and groups of 1 to 4 features a pass (``full_bins``:
    # every feature of 255 bins, whose groups add without clamping their bins).
    from skedu._core._histogram import build_packed_histograms_for_tests

    rng = np.random.RandomState(n_features)
    n_samples, n_rows = 3000, 2000
    n_bins = (np.full(n_features, 255) if full_bins
              else rng.randint(2, 255, n_features)).astype(np.intp)
    binned = np.stack([np.where(rng.rand(n_samples) < 0.05, 255,
                                rng.randint(0, b, n_samples)) for b in n_bins]).astype(np.uint8)
    features = np.arange(n_features, dtype=np.intp)
    rows = np.sort(rng.choice(n_samples, n_rows, replace=False)).astype(np.intp)
    gradient_units = rng.randint(-2 ** 14, 2 ** 14 + 1, n_rows).astype(np.int64)
    hessian_units = rng.randint(0, 2 ** 14 + 1, n_rows).astype(np.int64)
    gradient_scale, hessian_scale = 2.0 ** -17, 2.0 ** -16
    packed = build_packed_histograms_for_tests(binned, features, rows, gradient_units,
                                               hessian_units, n_bins, gradient_scale,
                                               hessian_scale, row_major)
    expected = build_column_histograms_for_tests(binned, features, rows,
                                                 gradient_units[:, None] * gradient_scale,
                                                 hessian_units * hessian_scale, n_bins)
    np.testing.assert_array_equal(packed[:, :2], expected[:, :2])
    np.testing.assert_array_equal(packed[:, 2], 0.0)
