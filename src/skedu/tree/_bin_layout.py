"""How the hist splitter reads binned data for histograms: dense features row by row, sparse
features (most rows in one bin, as one-hot columns) as lists of each row's other bins.

A row then costs a histogram addition per dense feature and per non-default bin, not per
feature: on one-hot data most of the work disappears. The most frequent bin's sums follow from
the node's totals (``_histogram.pyx``), which rounds them differently from adding the rows, so
the layout is opt-in (``TrainingData(..., sparse_bins=True)``).
"""

import numpy as np

from .._core._binning import bin_counts, list_sparse_bins

# A feature is read as sparse when this share of the rows falls in its most frequent bin: a
# listed bin costs about 1.5 row-major ones (an index to read), so from a third of the rows in
# the default bin the lists cost less, and the margin pays for the per-node completion of the
# default bin. Measured on boosting (2 threads): adult 0.315 s at 0.8, 0.27-0.28 s from 0.5 to
# 0.3; Fashion-MNIST (12,000 rows) 7% faster at 0.5 than at 0.8.
SPARSE_MIN_DEFAULT_FRACTION = 0.5
# Too few sparse features are not worth a second pass over the node's rows.
SPARSE_MIN_FEATURES = 4


def histogram_offsets(n_bins_non_missing):
    """First entry of each feature in a node's packed histograms (``_histogram.pyx``): each
    feature takes its non-missing bins and one missing-values entry."""
    return np.concatenate([[0], np.cumsum(np.asarray(n_bins_non_missing, dtype=np.intp) + 1)])


def sparse_layout(binned, binned_rows, n_bins_non_missing, n_threads=1,
                  min_default_fraction=SPARSE_MIN_DEFAULT_FRACTION,
                  min_features=SPARSE_MIN_FEATURES):
    """The grower's arrays for reading sparse features from lists, or None when there are
    too few of them.

    Parameters
    ----------
    binned : ndarray of shape (n_features, n_samples), uint8
    binned_rows : ndarray of shape (n_samples, n_features), uint8
    n_bins_non_missing : ndarray of shape (n_features,), intp
    n_threads : int, default=1
        Threads counting the bins.

    Returns
    -------
    dict or None
        ``dense_rows`` (n_samples, n_dense) uint8, ``dense_features``, ``sparse_features``,
        ``sparse_default_slots`` (histogram slot of each sparse feature's most frequent bin;
        the missing bin's slot is ``n_bins_non_missing``), ``sparse_row_starts``
        (n_samples + 1) and ``sparse_entries`` (uint32 packed-histogram entries of each row's
        bins other than the sparse features' most frequent ones, rows in order).
    """
    n_features, n_samples = binned.shape
    n_bins = np.asarray(n_bins_non_missing, dtype=np.intp)
    if n_samples == 0 or n_features < min_features:
        return None
    counts = bin_counts(np.ascontiguousarray(binned), n_threads)
    default_bins = np.argmax(counts, axis=1)
    default_counts = counts[np.arange(n_features), default_bins]
    sparse = default_counts >= min_default_fraction * n_samples
    if sparse.sum() < min_features:
        return None
    offsets = histogram_offsets(n_bins)
    sparse_features = np.flatnonzero(sparse).astype(np.intp)
    dense_features = np.flatnonzero(~sparse).astype(np.intp)
    slots = np.minimum(default_bins[sparse_features], n_bins[sparse_features])
    if offsets[-1] > np.iinfo(np.uint32).max:  # pragma: no cover - 255 bins x 16M features
        return None
    row_starts, entries = list_sparse_bins(
        np.ascontiguousarray(binned), sparse_features,
        default_bins[sparse_features].astype(np.uint8), offsets.astype(np.intp),
        np.ascontiguousarray(n_bins), n_threads)
    return {"dense_rows": np.ascontiguousarray(binned_rows[:, dense_features]),
            "dense_features": dense_features, "sparse_features": sparse_features,
            "sparse_default_slots": slots.astype(np.intp), "sparse_row_starts": row_starts,
            "sparse_entries": entries}
