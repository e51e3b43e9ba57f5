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

The per-block work (gather, centre, ``syrk``) runs in the compiled kernel
:func:`skedu._core._lda.block_statistics`, in parallel over blocks; the merge is done here, in
block order, so the statistics do not depend on the number of threads.
"""


import numpy as np
from sklearn.utils import assert_all_finite

from .._core._lda import block_statistics
from ..utils import single_threaded_blas

# A block of this many bytes (float64) stays in cache while it is gathered, centred and passed to
# syrk. Wide rows need more rows per block for syrk to run at full speed (measured: 784 features,
# 2048 rows per block 10% faster than 668), within a larger buffer.
_BLOCK_BYTES = 4 << 20
_WIDE_BLOCK_ROWS = 2048
_MAX_BLOCK_BYTES = 32 << 20
# Memory for the per-block results of one parallel wave (each block: n_features^2 doubles).
_WAVE_BYTES = 64 << 20
_MAX_WAVE_BLOCKS = 16
# Below this many multiply-adds (n_rows * n_features^2; ~50 ms of syrk on one core), measured:
# the start of a parallel region and waiting for the slower thread cost more than they save.
_MIN_PARALLEL_WORK = 50_000_000


def block_rows(n_features):
    """Number of rows per block for ``n_features`` columns of float64."""
    row_bytes = 8 * max(1, n_features)
    wide_rows = min(_WIDE_BLOCK_ROWS, _MAX_BLOCK_BYTES // row_bytes)
    return max(1, _BLOCK_BYTES // row_bytes, wide_rows)


def wave_blocks(n_features):
    """Blocks computed per parallel wave: as many as ``_WAVE_BYTES`` of scatter slots hold."""
    return int(np.clip(_WAVE_BYTES // (8 * n_features * n_features), 1, _MAX_WAVE_BLOCKS))


def _class_order(codes, n_classes):
    """Row indices grouped by class (stable) and the start of each class's group."""
    # A small integer type lets numpy's stable argsort use a linear-time radix sort.
    small = codes.astype(np.int16 if n_classes <= np.iinfo(np.int16).max else np.int64)
    order = np.argsort(small, kind="stable")
    counts = np.bincount(codes, minlength=n_classes)
    starts = np.concatenate(([0], np.cumsum(counts)))
    return order, counts, starts


def _blocks(starts, rows_per_block):
    """Split each class's group of rows into blocks: (block starts + end, class of each block)."""
    block_starts, block_classes = [], []
    for k in range(starts.shape[0] - 1):
        firsts = np.arange(starts[k], starts[k + 1], rows_per_block)
        block_starts.append(firsts)
        block_classes.append(np.full(firsts.shape[0], k))
    block_starts.append([starts[-1]])
    return (
        np.concatenate(block_starts).astype(np.intp),
        np.concatenate(block_classes).astype(np.intp),
    )


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

    @classmethod
    def means_only(cls, X, codes, n_classes):
        """Counts and means of the rows, without the scatter (``scatter`` is None).

        For the row-based SVD of data with more features than rows, where a ``p x p`` scatter
        would be the largest object of the fit. ``X`` is checked for NaN and infinity here.
        """
        assert_all_finite(X, input_name="X")
        statistics = cls.__new__(cls)
        statistics.counts = np.bincount(codes, minlength=n_classes).astype(np.int64)
        sums = np.zeros((n_classes, X.shape[1]))
        np.add.at(sums, codes, X)
        statistics.means = sums / statistics.counts[:, np.newaxis]
        statistics.scatter = None
        statistics.per_class = False
        return statistics

    @property
    def n_samples(self):
        """Total number of rows seen."""
        return int(self.counts.sum())

    def pooled_scatter(self):
        """Within-class scatter summed over classes, shape (n_features, n_features)."""
        return self.scatter.sum(axis=0) if self.per_class else self.scatter

    def update(self, X, codes, n_threads=1):
        """Add the rows of ``X`` whose class indices are ``codes``.

        Parameters
        ----------
        X : ndarray of shape (n_samples, n_features), float32 or float64
        codes : ndarray of shape (n_samples,), int
            Class index of each row, in ``[0, n_classes)``.
        n_threads : int
            Threads for the block kernel (fewer for small inputs); the result does not depend
            on it.

        Returns
        -------
        self : ClassStatistics

        Raises
        ------
        ValueError
            When ``X`` holds NaN or infinity. They show in the block means, so ``X`` needs no
            check of its own beforehand; the statistics are then left as they were.
        """
        saved = None if self.n_samples == 0 else (
            self.counts.copy(), self.means.copy(), self.scatter.copy()
        )
        try:
            self._add_rows(X, codes, n_threads)
        except BaseException:
            if saved is None:
                self.counts[:], self.means[:], self.scatter[:] = 0, 0.0, 0.0
            else:
                self.counts, self.means, self.scatter = saved
            raise
        return self

    def _add_rows(self, X, codes, n_threads):
        n_samples, n_features = X.shape
        order, _, starts = _class_order(codes, self.counts.shape[0])
        rows_per_block = min(block_rows(n_features), max(1, n_samples))
        block_starts, block_classes = _blocks(starts, rows_per_block)
        n_blocks = block_classes.shape[0]
        wave = wave_blocks(n_features)
        if n_samples * n_features**2 < _MIN_PARALLEL_WORK or wave == 1:
            n_threads = 1
        n_threads = max(1, min(n_threads, wave, n_blocks))
        # One block per wave means very wide rows: then BLAS's own threads share each syrk.
        blas_threads_per_call = wave == 1

        buffers = np.empty((n_threads, rows_per_block, n_features))
        wave_means = np.empty((min(wave, n_blocks), n_features))
        wave_scatters = np.empty((min(wave, n_blocks), n_features, n_features))
        with single_threaded_blas(not blas_threads_per_call):
            for first in range(0, n_blocks, wave):
                n_slots = min(wave, n_blocks - first)
                block_statistics(
                    X, order, block_starts, first, buffers,
                    wave_means[:n_slots], wave_scatters[:n_slots], n_threads,
                )
                if not np.isfinite(wave_means[:n_slots]).all():
                    _raise_non_finite(X)
                for slot in range(n_slots):
                    block = first + slot
                    self._merge(
                        block_classes[block],
                        int(block_starts[block + 1] - block_starts[block]),
                        wave_means[slot],
                        wave_scatters[slot],
                    )

    def _merge(self, k, n_block, block_mean, block_scatter):
        """Chan-Golub-LeVeque merge of one block's statistics into class ``k``'s."""
        n_before = int(self.counts[k])
        n_after = n_before + n_block
        delta = block_mean - self.means[k]
        self.means[k] += delta * (n_block / n_after)
        target = self.scatter[k] if self.per_class else self.scatter
        target += block_scatter
        if n_before:
            target += np.outer(delta, delta * (n_before * n_block / n_after))
        self.counts[k] = n_after


def _raise_non_finite(X):
    """The error for rows whose block sums are not finite: NaN or infinity in ``X``, or overflow."""
    assert_all_finite(X, input_name="X")
    raise ValueError("X holds values so large that their sums overflow float64; rescale X.")
