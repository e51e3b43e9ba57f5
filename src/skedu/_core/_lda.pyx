"""Mean and centred scatter of blocks of rows, for linear discriminant analysis.

Every block holds rows of a single class. A thread gathers the block's rows into its own float64
buffer (converting float32), centres them on the block mean and multiplies the buffer by its
transpose with BLAS ``dsyrk``. The parallelism is over blocks, so the caller keeps BLAS itself
to one thread while this runs (otherwise every small ``dsyrk`` would fork and join BLAS's own
threads, which on a busy machine costs more than the product). Each block writes its own slot,
so the results do not depend on the number of threads; the caller merges the slots in order.
"""

from cython.parallel cimport prange, threadid
from libc.string cimport memset
from scipy.linalg.cython_blas cimport dsyrk

from ._types cimport floating, intp_t


def block_statistics(const floating[:, :] X, const intp_t[::1] order,
                     const intp_t[::1] block_starts, intp_t first_block,
                     double[:, :, ::1] buffers, double[:, ::1] block_means,
                     double[:, :, ::1] block_scatters, int n_threads):
    """Mean and centred scatter of the blocks ``first_block .. first_block + n_slots - 1``.

    Parameters
    ----------
    X : ndarray of shape (n_samples, n_features), float32 or float64, any strides
    order : ndarray of shape (n_rows,), intp
        Row indices of ``X``; block ``b`` is ``order[block_starts[b]:block_starts[b + 1]]``,
        non-empty, all of one class.
    block_starts : ndarray of shape (n_blocks + 1,), intp
    first_block : int
    buffers : ndarray of shape (n_threads, max_block_rows, n_features), float64
        Scratch space, one buffer per thread.
    block_means : ndarray of shape (n_slots, n_features), float64
        Written: ``block_means[s]`` is the mean of block ``first_block + s``.
    block_scatters : ndarray of shape (n_slots, n_features, n_features), float64
        Written: ``sum_i (x_i - mean)(x_i - mean)^T`` over the block, both triangles.
    n_threads : int
    """
    cdef intp_t n_slots = block_means.shape[0]
    cdef intp_t slot, block
    with nogil:
        for slot in prange(n_slots, schedule="static", num_threads=n_threads):
            block = first_block + slot
            _one_block(X, order, block_starts[block], block_starts[block + 1],
                       &buffers[threadid(), 0, 0], &block_means[slot, 0],
                       &block_scatters[slot, 0, 0])


cdef void _one_block(const floating[:, :] X, const intp_t[::1] order, intp_t start, intp_t stop,
                     double* buffer, double* mean, double* scatter) noexcept nogil:
    """Fill ``mean`` (n_features) and ``scatter`` (n_features^2, row-major) for one block."""
    cdef intp_t n_features = X.shape[1]
    cdef intp_t n_rows = stop - start
    cdef intp_t r, i, j
    cdef double* row
    cdef int blas_n = <int> n_features
    cdef int blas_k = <int> n_rows
    cdef double alpha = 1.0, beta = 0.0
    cdef char upper = b"U", no_transpose = b"N"

    memset(mean, 0, n_features * sizeof(double))
    for r in range(n_rows):
        row = buffer + r * n_features
        for j in range(n_features):
            row[j] = X[order[start + r], j]
            mean[j] += row[j]
    for j in range(n_features):
        mean[j] /= n_rows
    for r in range(n_rows):
        row = buffer + r * n_features
        for j in range(n_features):
            row[j] -= mean[j]

    # The row-major (n_rows, n_features) buffer is the column-major (n_features, n_rows) matrix
    # A, so A A^T is the scatter. dsyrk writes the column-major upper triangle, which is the
    # row-major lower one (row >= column); mirror it.
    dsyrk(&upper, &no_transpose, &blas_n, &blas_k, &alpha, buffer, &blas_n, &beta, scatter,
          &blas_n)
    for i in range(n_features):
        for j in range(i + 1, n_features):
            scatter[i * n_features + j] = scatter[j * n_features + i]
