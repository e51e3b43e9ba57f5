"""Choosing bin edges per feature (Python decides) and binning data (``_core._binning`` loops)."""

import numpy as np
from sklearn.utils import check_random_state

from .._core._binning import map_to_bins

MAX_BINS = 255  # non-missing bins; uint8 bin 255 is kept for missing values


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

    def fit(self, X):
        """Find the bin edges of every column of ``X`` (float32, NaN for missing)."""
        if not 2 <= self.max_bins <= MAX_BINS:
            raise ValueError(f"max_bins must be between 2 and {MAX_BINS}, got {self.max_bins}.")
        n_samples, n_features = X.shape
        if self.subsample is not None and n_samples > self.subsample:
            rows = check_random_state(self.random_state).choice(n_samples, self.subsample, replace=False)
            X = X[np.sort(rows)]
        self.upper_edges_ = np.full((n_features, MAX_BINS), np.inf)
        self.n_bins_non_missing_ = np.ones(n_features, dtype=np.intp)
        for feature in range(n_features):
            edges = self._edges(X[:, feature])
            self.upper_edges_[feature, : len(edges)] = edges
            self.n_bins_non_missing_[feature] = len(edges) + 1
        return self

    def _edges(self, column):
        column = column[~np.isnan(column)]
        distinct = np.unique(column).astype(np.float64)
        if len(distinct) <= self.max_bins:
            # Midpoints computed as the exact splitter does (halves first).
            return distinct[:-1] / 2.0 + distinct[1:] / 2.0
        quantiles = np.linspace(0, 100, self.max_bins + 1)[1:-1]
        edges = np.unique(np.percentile(column.astype(np.float64), quantiles, method="midpoint"))
        return edges[edges < distinct[-1]]

    def transform(self, X):
        """Binned ``X`` as a feature-major (n_features, n_samples) uint8 array."""
        binned = np.empty((X.shape[1], X.shape[0]), dtype=np.uint8)
        map_to_bins(X, self.upper_edges_, self.n_bins_non_missing_, binned, self.n_threads)
        return binned

    def fit_transform(self, X):
        """``fit(X)`` then ``transform(X)``."""
        return self.fit(X).transform(X)
