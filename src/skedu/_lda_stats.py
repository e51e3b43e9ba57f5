"""Class counts, means and within-class scatter, accumulated in one pass over chunks of rows.

These are the sufficient statistics of linear discriminant analysis: every solver works from them
alone, so a fit on the whole data and a sequence of ``partial_fit`` calls on its chunks give the
same model up to floating-point error.

The scatter of each class is summed block by block. Each block holds rows of a single class, is
centred on its *own* mean and multiplied by itself through BLAS (``syrk``), then merged into the
running totals with the pairwise update of Chan, Golub & LeVeque (1979)::

    n = n_a + n_b,   delta = mean_b - mean_a
    mean = mean_a + delta * n_b / n
    M = M_a + M_b + delta delta^T * n_a n_b / n

Centring each block on its own mean keeps the products small, so no precision is lost to the
cancellation that ``sum x x^T - n mean mean^T`` suffers when the means are far from zero.
"""

import numpy as np

# A block of this many bytes (float64) fits in the last-level cache, so gathering, centring and
# the BLAS product read it from cache; syrk runs at full speed from a few thousand rows.
_BLOCK_BYTES = 4 << 20
_MIN_BLOCK_ROWS = 256


def block_rows(n_features):
    """Number of rows per block for ``n_features`` columns of float64."""
    return max(_MIN_BLOCK_ROWS, _BLOCK_BYTES // (8 * max(1, n_features)))


def _class_order(codes, n_classes):
    """Row indices grouped by class (stable) and the start of each class's group."""
    # A small integer type lets numpy's stable argsort use a linear-time radix sort.
    small = codes.astype(np.int16 if n_classes <= np.iinfo(np.int16).max else np.int64)
    order = np.argsort(small, kind="stable")
    counts = np.bincount(codes, minlength=n_classes)
    starts = np.concatenate(([0], np.cumsum(counts)))
    return order, counts, starts


class ClassStatistics:
    """Running per-class counts and means, and the within-class scatter.

    Parameters
    ----------
    n_classes : int
    n_features : int
    per_class : bool
        Keep one scatter matrix per class (needed when user priors weight the class
        covariances) instead of their sum.

    Attributes
    ----------
    counts : ndarray of shape (n_classes,), int64
        Number of rows seen per class.
    means : ndarray of shape (n_classes, n_features), float64
        Mean of each class (zero for a class with no rows yet).
    scatter : ndarray of shape (n_features, n_features) or (n_classes, n_features, n_features)
        ``sum_i (x_i - mean_{y_i})(x_i - mean_{y_i})^T``, pooled over classes or per class.
    """

    def __init__(self, n_classes, n_features, per_class=False):
        self.counts = np.zeros(n_classes, dtype=np.int64)
        self.means = np.zeros((n_classes, n_features))
        shape = (n_classes, n_features, n_features) if per_class else (n_features, n_features)
        self.scatter = np.zeros(shape)
        self.per_class = per_class

    @property
    def n_samples(self):
        """Total number of rows seen."""
        return int(self.counts.sum())

    def pooled_scatter(self):
        """Within-class scatter summed over classes, shape (n_features, n_features)."""
        return self.scatter.sum(axis=0) if self.per_class else self.scatter

    def class_scatter(self, k):
        """Scatter of class ``k`` alone (only with ``per_class=True``)."""
        if not self.per_class:
            raise RuntimeError("per-class scatter was not accumulated")
        return self.scatter[k]

    def update(self, X, codes):
        """Add the rows of ``X`` whose class indices are ``codes``.

        Parameters
        ----------
        X : ndarray of shape (n_samples, n_features), float32 or float64
        codes : ndarray of shape (n_samples,), int
            Class index of each row, in ``[0, n_classes)``.

        Returns
        -------
        self : ClassStatistics
        """
        order, counts, starts = _class_order(codes, self.counts.shape[0])
        rows_per_block = block_rows(X.shape[1])
        for k in np.flatnonzero(counts):
            rows = order[starts[k]:starts[k + 1]]
            for first in range(0, rows.shape[0], rows_per_block):
                block = X.take(rows[first:first + rows_per_block], axis=0)
                self._add_block(k, np.asarray(block, dtype=np.float64))
        return self

    def _add_block(self, k, block):
        """Merge one block of rows of class ``k`` (a float64 copy, centred in place)."""
        n_block = block.shape[0]
        block_mean = block.mean(axis=0)
        block -= block_mean
        block_scatter = block.T @ block  # numpy calls syrk for a product with its own transpose
        n_before = int(self.counts[k])
        n_after = n_before + n_block
        delta = block_mean - self.means[k]
        self.means[k] += delta * (n_block / n_after)
        target = self.scatter[k] if self.per_class else self.scatter
        target += block_scatter
        if n_before:
            target += np.outer(delta, delta * (n_before * n_block / n_after))
        self.counts[k] = n_after
