import numpy as np
import pytest

from skedu.tree._binning import BinMapper


def test_bins_follow_the_tree_rule_value_le_edge():
    rng = np.random.RandomState(0)
    X = rng.randn(2000, 3).astype(np.float32)
    X[:, 1] = rng.randint(0, 5, 2000)
    X[rng.rand(2000) < 0.1, 2] = np.nan
    mapper = BinMapper(max_bins=32, random_state=0).fit(X)
    binned = mapper.transform_rows(X).T
    assert binned.shape == (3, 2000)
    for feature in range(3):
        n_edges = mapper.n_bins_non_missing_[feature] - 1
        edges = mapper.upper_edges_[feature, :n_edges]
        assert np.all(np.isinf(mapper.upper_edges_[feature, n_edges:]))
        column = X[:, feature].astype(np.float64)
        missing = np.isnan(column)
        np.testing.assert_array_equal(binned[feature, missing], 255)
        expected = np.searchsorted(edges, column[~missing], side="left")
        np.testing.assert_array_equal(binned[feature, ~missing], expected)
    # Few distinct values: one bin per value, edges at the midpoints.
    np.testing.assert_array_equal(mapper.upper_edges_[1, :4], [0.5, 1.5, 2.5, 3.5])
    assert mapper.n_bins_non_missing_[0] <= 32


def test_constant_and_all_missing_features_get_one_bin():
    X = np.c_[np.ones(10), np.full(10, np.nan)].astype(np.float32)
    mapper = BinMapper().fit(X)
    np.testing.assert_array_equal(mapper.n_bins_non_missing_, [1, 1])
    binned = mapper.transform_rows(X).T
    np.testing.assert_array_equal(binned[0], 0)
    np.testing.assert_array_equal(binned[1], 255)


def test_binning_in_row_blocks_and_fours_matches_a_search_per_value():
    # Rows are binned in blocks of 256, four values at a time, the rest one by one: every
    # count of rows around those sizes, NaNs, edge values and a one-bin feature.
    rng = np.random.RandomState(1)
    X = rng.randn(600, 4).astype(np.float32)
    X[:, 2] = 7.0
    X[rng.rand(600) < 0.2, 1] = np.nan
    mapper = BinMapper(max_bins=255, random_state=0).fit(X)
    X[::5, 0] = mapper.upper_edges_[0, 3]  # exactly on an edge: stays in the lower bin
    for n_rows in (1, 3, 4, 5, 255, 256, 257, 263, 600):
        binned = mapper.transform_rows(X[:n_rows])
        for feature in range(4):
            n_edges = mapper.n_bins_non_missing_[feature] - 1
            column = X[:n_rows, feature].astype(np.float64)
            expected = np.searchsorted(mapper.upper_edges_[feature, :n_edges], column)
            expected[np.isnan(column)] = 255
            np.testing.assert_array_equal(binned[:, feature], expected)


@pytest.mark.parametrize("vector", [False, True])
def test_bins_found_sixteen_edges_at_a_time_equal_the_halving_search(vector):
    # Where the processor has AVX2, bins are counted by compares of sixteen float32 edges
    # (each float64 edge as the largest float32 not above it): the same counts for values on
    # the edges, the float32 values either side of them, infinities, subnormals, NaN and
    # edges past float32's range, for columns of 1 to 255 bins.
    from skedu._core import _binning

    rng = np.random.RandomState(2)
    upper_edges = np.full((6, 255), np.inf)
    n_bins = np.array([1, 2, 3, 17, 255, 200], dtype=np.intp)
    for feature, count in enumerate(n_bins):
        upper_edges[feature, :count - 1] = np.sort(rng.randn(count - 1) * 10 ** rng.randint(-3, 4))
    upper_edges[5, :199] = np.sort(np.r_[rng.randn(195), -1e300, 1e300, 1e-42, -1e-42])
    edges = upper_edges[np.isfinite(upper_edges)]
    with np.errstate(over="ignore"):
        as_float = edges.astype(np.float32)  # the largest edges: +-inf
    special = np.r_[as_float, np.nextafter(as_float, np.float32(np.inf)),
                    np.nextafter(as_float, np.float32(-np.inf)), np.inf, -np.inf, np.nan, 0.0,
                    -0.0, 1e-45, -1e-45, 3.4e38, -3.4e38].astype(np.float32)
    X = np.stack([rng.permutation(np.r_[special, rng.randn(3000).astype(np.float32) * 100])
                  for _ in range(6)], axis=1)
    X = np.ascontiguousarray(X, dtype=np.float32)
    used = _binning.set_vector_binning_for_tests(vector)
    try:
        binned = np.empty(X.shape, dtype=np.uint8)
        _binning.map_rows_to_bins(X, upper_edges, n_bins, binned, 2)
    finally:
        _binning.set_vector_binning_for_tests(True)
    if vector and not used:
        pytest.skip("the processor has no AVX2: bins are found by halving only")
    for feature in range(6):
        column = X[:, feature].astype(np.float64)
        expected = np.searchsorted(upper_edges[feature, :n_bins[feature] - 1], column)
        expected[np.isnan(column)] = 255
        np.testing.assert_array_equal(binned[:, feature], expected)


def test_list_sparse_bins_matches_numpy():
    from skedu._core._binning import list_sparse_bins

    rng = np.random.RandomState(2)
    n_bins = np.array([3, 5, 2, 4], dtype=np.intp)
    binned_rows = np.where(rng.rand(500, 4) < 0.85, 1, rng.randint(0, 2, (500, 4))).astype(np.uint8)
    binned_rows[rng.rand(500, 4) < 0.05] = 255  # missing: the slot after the last bin
    features = np.array([0, 2, 3], dtype=np.intp)
    defaults = np.array([1, 1, 0], dtype=np.uint8)
    offsets = np.concatenate([[0], np.cumsum(n_bins + 1)]).astype(np.intp)
    row_starts, entries = list_sparse_bins(np.ascontiguousarray(binned_rows.T), features, defaults,
                                           offsets, n_bins)
    sub = binned_rows[:, features]
    rows, columns = np.nonzero(sub != defaults)
    expected = offsets[features[columns]] + np.minimum(sub[rows, columns], n_bins[features[columns]])
    np.testing.assert_array_equal(entries, expected)
    assert entries.dtype == np.uint32
    np.testing.assert_array_equal(row_starts, np.r_[0, np.cumsum(np.bincount(rows, minlength=500))])


def test_feature_major_bins_and_bin_counts_match_the_row_major_bins():
    # transform_both transposes each block of rows as it bins it; bin_counts counts each
    # feature's bins on several threads. Sizes around the 256-row blocks, 1 and 2 threads.
    from skedu._core._binning import bin_counts

    rng = np.random.RandomState(3)
    X = rng.randn(1100, 5).astype(np.float32)
    X[:, 3] = rng.randint(0, 3, 1100)
    X[rng.rand(1100) < 0.1, 4] = np.nan
    for n_threads in (1, 2):
        mapper = BinMapper(max_bins=64, random_state=0, n_threads=n_threads).fit(X)
        for n_rows in (1, 255, 256, 257, 1100):
            rows, columns = mapper.transform_both(X[:n_rows])
            np.testing.assert_array_equal(rows, mapper.transform_rows(X[:n_rows]))
            np.testing.assert_array_equal(columns, rows.T)
            counts = bin_counts(columns, n_threads)
            assert counts.shape == (5, 256)
            for feature in range(5):
                np.testing.assert_array_equal(
                    counts[feature], np.bincount(rows[:, feature], minlength=256))


def test_edges_chosen_in_column_blocks_equal_edges_column_by_column():
    # Dense columns are copied in blocks (of 16) of the chosen rows: the same edges as each
    # column on its own, with and without a row selection, over several blocks.
    rng = np.random.RandomState(4)
    X = rng.randn(3000, 37).astype(np.float32)
    X[:, 5] = rng.randint(0, 4, 3000)
    X[rng.rand(3000) < 0.05, 20] = np.nan
    rows = np.flatnonzero(rng.rand(3000) < 0.7)
    for chosen in (None, rows):
        mapper = BinMapper(max_bins=100, random_state=0).fit(X, rows=chosen)
        for feature in range(37):
            column = X[:, feature] if chosen is None else X[chosen, feature]
            edges = mapper._edges(np.ascontiguousarray(column))
            np.testing.assert_array_equal(mapper.upper_edges_[feature, :len(edges)], edges)
            assert mapper.n_bins_non_missing_[feature] == len(edges) + 1


@pytest.mark.parametrize("n_threads", [1, 2])
def test_few_distinct_values_match_numpy_unique(n_threads):
    # Columns of 1 to 300 distinct values (the scan gives up past max_values), NaN, an all-NaN
    # column, signed zeros, over 16 columns (several blocks) and enough rows for threads; with
    # and without a row selection.
    from skedu._core._binning import few_distinct_values

    rng = np.random.RandomState(5)
    n_rows, n_columns, max_values = 20000, 37, 100
    X = np.empty((n_rows, n_columns), dtype=np.float32)
    for column in range(n_columns):
        X[:, column] = rng.randint(0, 1 + 8 * column, n_rows) / 4.0
    X[rng.rand(n_rows) < 0.2, 3] = np.nan
    X[:, 4] = np.nan
    X[:, 5] = np.where(rng.rand(n_rows) < 0.5, -0.0, 1.0)
    X[:, 6] = rng.randn(n_rows)
    chosen = np.flatnonzero(rng.rand(n_rows) < 0.6).astype(np.intp)
    for rows in (None, chosen):
        values, counts = few_distinct_values(X, rows, max_values, n_threads)
        assert values.shape == (n_columns, max_values) and values.dtype == np.float32
        for column in range(n_columns):
            data = X[:, column] if rows is None else X[rows, column]
            expected = np.unique(data[~np.isnan(data)])
            if len(expected) > max_values:
                assert counts[column] == -1
            else:
                assert counts[column] == len(expected)
                np.testing.assert_array_equal(values[column, :len(expected)], expected)
    assert counts[4] == 0


def test_few_distinct_values_refuse_bad_rows():
    from skedu._core._binning import few_distinct_values

    X = np.zeros((10, 3), dtype=np.float32)
    with pytest.raises(ValueError, match="out of range"):
        few_distinct_values(X, np.array([0, 10], dtype=np.intp), 5, 1)
    with pytest.raises(ValueError, match="positive"):
        few_distinct_values(X, None, 0, 1)


def test_edges_of_few_valued_columns_equal_the_sorted_edges():
    # Columns of few values take their edges from the compiled scan, the others from sorting
    # (column 1's 100 values: more than the scan keeps, fewer than 255 bins): all equal _edges
    # of the column itself (distinct midpoints or quantiles).
    rng = np.random.RandomState(6)
    X = rng.randn(5000, 20).astype(np.float32)
    X[:, ::3] = rng.randint(0, 50, (5000, 7))
    X[:, 1] = rng.randint(0, 100, 5000)
    X[rng.rand(5000) < 0.1, 6] = np.nan
    for max_bins in (2, 49, 50, 255):
        mapper = BinMapper(max_bins=max_bins, random_state=0, n_threads=2).fit(X)
        for feature in range(20):
            edges = mapper._edges(np.ascontiguousarray(X[:, feature]))
            assert mapper.n_bins_non_missing_[feature] == len(edges) + 1
            np.testing.assert_array_equal(mapper.upper_edges_[feature, :len(edges)], edges)


def test_list_sparse_bins_over_several_blocks_and_threads():
    from skedu._core._binning import list_sparse_bins

    rng = np.random.RandomState(7)
    n_rows = 20001
    n_bins = np.array([3, 5, 2, 4, 255], dtype=np.intp)
    binned_rows = np.where(rng.rand(n_rows, 5) < 0.9, 0, rng.randint(0, 3, (n_rows, 5))).astype(np.uint8)
    binned_rows[rng.rand(n_rows, 5) < 0.02] = 255
    features = np.array([0, 1, 3, 4], dtype=np.intp)
    defaults = np.zeros(4, dtype=np.uint8)
    offsets = np.concatenate([[0], np.cumsum(n_bins + 1)]).astype(np.intp)
    sub = binned_rows[:, features]
    rows, columns = np.nonzero(sub != defaults)
    expected = offsets[features[columns]] + np.minimum(sub[rows, columns], n_bins[features[columns]])
    for n_threads in (1, 2):
        row_starts, entries = list_sparse_bins(np.ascontiguousarray(binned_rows.T), features,
                                               defaults, offsets, n_bins, n_threads)
        np.testing.assert_array_equal(entries, expected)
        np.testing.assert_array_equal(row_starts,
                                      np.r_[0, np.cumsum(np.bincount(rows, minlength=n_rows))])
    # Nothing to list: every row in its default bins (a single row).
    row_starts, entries = list_sparse_bins(np.ascontiguousarray(binned_rows[:1].T * 0),
                                           features, defaults, offsets, n_bins, 2)
    assert len(entries) == 0 and list(row_starts) == [0, 0]
    with pytest.raises(ValueError, match="out of range"):
        list_sparse_bins(np.ascontiguousarray(binned_rows.T), np.array([5], dtype=np.intp),
                         defaults[:1], offsets, n_bins)
