"""Choosing bin edges per feature (Python decides) and binning data (``_core._binning`` loops)."""

from concurrent.futures import ThreadPoolExecutor

import numpy as np
from scipy.sparse import issparse
from sklearn.utils import check_random_state

from .._core._binning import few_distinct_values, map_rows_to_bins

MAX_BINS = 255  # non-missing bins; uint8 bin 255 is kept for missing values
# Dense columns are copied (transposed) this many at a time to choose their edges.
COLUMN_BLOCK = 16
TRANSPOSE_ROWS = 4096
# Columns of fewer rows are sorted on one thread (Python's share of a column's work is then
# larger than the sort's, and threads would mostly wait on each other for the interpreter).
PARALLEL_ROWS = 100_000
# Sparse matrices: stored values from which the columns are sorted on several threads.
PARALLEL_VALUES = 1_000_000
# Columns with at most this many distinct values (and at most max_bins) take their edges from
# one compiled scan of row-major X (``few_distinct_values``); the others are copied and sorted.
# A value costs the scan a search of the values seen so far, which past a few dozen costs more
# than its share of a sort: Fashion-MNIST's 784 pixel columns (mostly 256 values) took 348 ms
# sorted, 482 ms scanned up to 255 values, 381 ms up to 64; adult's 105 columns 8.6 ms sorted,
# 5.0 to 5.5 ms scanned with either limit (2 threads).
SCAN_MAX_DISTINCT = 64


class BinMapper:
    """Map float32 features to at most ``max_bins`` uint8 bins plus a bin for missing values.

    A feature with at most ``max_bins`` distinct values gets one bin per value (edges at the
    midpoints, exactly the thresholds the exact splitter would use); otherwise edges are
    quantiles of a subsample.

    Parameters
    ----------
    max_bins : int, default=255
        Bins for non-missing values, 2 to 255.
    subsample : int or None, default=200_000
        Rows used to find quantiles; None uses all.
    random_state : int, RandomState or None
        Draws the subsample.
    n_threads : int, default=1
        Threads of the binning loop.

    Attributes
    ----------
    upper_edges_ : ndarray of shape (n_features, 255), float64
        ``upper_edges_[f, b]`` is the largest value of bin b; +inf from the last bin on.
    n_bins_non_missing_ : ndarray of shape (n_features,), intp
    """

    def __init__(self, max_bins=MAX_BINS, subsample=200_000, random_state=None, n_threads=1):
        self.max_bins = max_bins
        self.subsample = subsample
        self.random_state = random_state
        self.n_threads = n_threads

    def fit(self, X, rows=None):
        """Find the bin edges of every column of ``X`` (float32, NaN for missing).

        Parameters
        ----------
        X : ndarray of shape (n_samples, n_features), float32, or CSC matrix
            A CSC matrix holds no explicit zeros and no NaN.
        rows : ndarray of intp or None, default=None
            Only these rows choose the edges (e.g. those of positive weight); None: all.

        Returns
        -------
        self : BinMapper
        """
        if not 2 <= self.max_bins <= MAX_BINS:
            raise ValueError(f"max_bins must be between 2 and {MAX_BINS}, got {self.max_bins}.")
        n_features = X.shape[1]
        n_rows = X.shape[0] if rows is None else len(rows)
        if self.subsample is not None and n_rows > self.subsample:
            drawn = np.sort(check_random_state(self.random_state).choice(n_rows, self.subsample,
                                                                         replace=False))
            rows = drawn if rows is None else rows[drawn]
        self.upper_edges_ = np.full((n_features, MAX_BINS), np.inf)
        self.n_bins_non_missing_ = np.ones(n_features, dtype=np.intp)

        if issparse(X):
            column_edges = self._sparse_column_edges(X, rows)
            if self.n_threads > 1 and X.nnz >= PARALLEL_VALUES:
                # numpy's sort releases the GIL: features are sorted on several threads.
                with ThreadPoolExecutor(self.n_threads) as pool:
                    all_edges = list(pool.map(column_edges, range(n_features)))
            else:
                all_edges = [column_edges(feature) for feature in range(n_features)]
        else:
            all_edges = self._dense_edges(X, rows)
        for feature, edges in enumerate(all_edges):
            self.upper_edges_[feature, : len(edges)] = edges
            self.n_bins_non_missing_[feature] = len(edges) + 1
        return self

    def _dense_edges(self, X, rows):
        """Every column's edges. Columns of few distinct values (most of real data's: one-hot,
        counts, codes) get them from one compiled pass over row-major X; only the others are
        copied and sorted (``_sorted_edges``)."""
        distinct, counts = few_distinct_values(X, rows, min(self.max_bins, SCAN_MAX_DISTINCT),
                                              self.n_threads)
        # The midpoints of consecutive distinct values, computed as the exact splitter does
        # (halves first); float32 values convert to float64 exactly.
        distinct = distinct.astype(np.float64)
        midpoints = distinct[:, :-1] / 2.0 + distinct[:, 1:] / 2.0
        edges = [midpoints[feature, :max(count - 1, 0)] for feature, count in enumerate(counts)]
        many = np.flatnonzero(counts < 0)
        for feature, column_edges in zip(many, self._sorted_edges(X, rows, many)):
            edges[feature] = column_edges
        return edges

    def _sorted_edges(self, X, rows, features):
        """The edges of these columns, read in blocks of columns: one copy of a block (the
        chosen rows, transposed) is read sequentially, where a column of row-major X would be
        read one cache line per value."""
        blocks = [features[start:start + COLUMN_BLOCK]
                  for start in range(0, len(features), COLUMN_BLOCK)]
        n_rows = X.shape[0] if rows is None else len(rows)

        def block_edges(block):
            # A run of consecutive columns is sliced (a view), others gathered.
            contiguous = block[-1] - block[0] == len(block) - 1
            columns_of_block = slice(block[0], block[-1] + 1) if contiguous else block
            # Transposed TRANSPOSE_ROWS rows at a time: the rows' part of the block stays
            # cached while it is written column by column (one transposed copy of the whole
            # block reads X one cache line per value: adult's 105 columns took 9 ms, 2.7 ms
            # this way).
            columns = np.empty((len(block), n_rows), dtype=X.dtype)
            for first in range(0, n_rows, TRANSPOSE_ROWS):
                part = (slice(first, first + TRANSPOSE_ROWS) if rows is None
                        else rows[first:first + TRANSPOSE_ROWS])
                if rows is None or contiguous:
                    piece = X[part, columns_of_block]
                else:
                    piece = X[part[:, None], block]
                columns[:, first:first + TRANSPOSE_ROWS] = piece.T
            return [self._edges(column) for column in columns]

        if self.n_threads > 1 and len(blocks) > 1 and n_rows >= PARALLEL_ROWS:
            # numpy's sort releases the GIL: blocks are sorted on several threads. Smaller
            # columns cost more in Python than in the sort, where threads only contend.
            with ThreadPoolExecutor(self.n_threads) as pool:
                return [edges for block in pool.map(block_edges, blocks) for edges in block]
        return [edges for block in blocks for edges in block_edges(block)]

    def _sparse_column_edges(self, X, rows):
        """``column_edges`` of a CSC matrix without explicit zeros: a column's stored values
        of the chosen rows, and how many of those rows hold an implicit zero."""
        chosen = None
        if rows is not None:
            chosen = np.zeros(X.shape[0], dtype=bool)
            chosen[rows] = True
        n_rows = X.shape[0] if rows is None else len(rows)

        def column_edges(feature):
            entries = slice(X.indptr[feature], X.indptr[feature + 1])
            stored = X.data[entries]
            if chosen is not None:
                stored = stored[chosen[X.indices[entries]]]
            return self._edges(stored, n_zeros=n_rows - len(stored))

        return column_edges

    def _edges(self, column, n_zeros=0):
        # Sorted in the column's dtype, NaN last (cut off where the first one sorts); only the
        # distinct values or the quantiles' neighbours become float64 (exactly: float32 values
        # convert without rounding).
        values = np.sort(column)
        values = values[:np.searchsorted(values, np.nan)]
        if n_zeros:
            # A sparse column's implicit zeros (its stored values are non-zero), in their place.
            at = np.searchsorted(values, 0.0)
            values = np.concatenate([values[:at], np.zeros(n_zeros, values.dtype), values[at:]])
        if len(values) == 0:
            return values.astype(np.float64)
        changes = np.flatnonzero(values[1:] != values[:-1])
        if len(changes) + 1 <= self.max_bins:
            distinct = np.empty(len(changes) + 1)
            distinct[0] = values[0]
            distinct[1:] = values[changes + 1]
            # Midpoints computed as the exact splitter does (halves first).
            return distinct[:-1] / 2.0 + distinct[1:] / 2.0
        # Quantiles of the sorted values, each the midpoint of its two neighbouring ranks.
        positions = np.linspace(0, len(values) - 1, self.max_bins + 1)[1:-1]
        lower = values[np.floor(positions).astype(np.intp)].astype(np.float64)
        upper = values[np.ceil(positions).astype(np.intp)].astype(np.float64)
        edges = np.unique(lower / 2.0 + upper / 2.0)
        return edges[edges < np.float64(values[-1])]

    def transform_rows(self, X):
        """Binned ``X`` as a row-major (n_samples, n_features) uint8 array, read from row-major X."""
        binned = np.empty(X.shape, dtype=np.uint8)
        map_rows_to_bins(np.ascontiguousarray(X, dtype=np.float32), self.upper_edges_,
                         self.n_bins_non_missing_, binned, self.n_threads)
        return binned

    def transform_both(self, X):
        """Binned ``X`` row-major (n_samples, n_features) and feature-major (n_features,
        n_samples), uint8, from one pass over row-major X."""
        binned = np.empty(X.shape, dtype=np.uint8)
        columns = np.empty(X.shape[::-1], dtype=np.uint8)
        map_rows_to_bins(np.ascontiguousarray(X, dtype=np.float32), self.upper_edges_,
                         self.n_bins_non_missing_, binned, self.n_threads, columns)
        return binned, columns
