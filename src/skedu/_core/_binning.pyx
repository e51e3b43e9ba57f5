"""Map raw feature values to uint8 bins (the loop; the bin edges are chosen in Python)."""

from cython.parallel import prange
from libc.math cimport isnan

from ._types cimport intp_t, X_DTYPE_C, BIN_DTYPE_C, MISSING_BIN

# Fewer values than this are binned on one thread (a few milliseconds of work).
cdef intp_t MIN_PARALLEL_VALUES = 1048576


cdef inline BIN_DTYPE_C find_bin(double value, const double* upper_edges,
                                 intp_t n_edges) noexcept nogil:
    # Number of edges strictly below the value: a value equal to an edge stays in the lower bin,
    # so "bin <= b" is exactly "value <= upper_edges[b]", the rule trees apply to raw values.
    # Branch-free halving: random values make a branching search mispredict at every level.
    cdef const double* base = upper_edges
    cdef intp_t half, n = n_edges
    if n == 0:
        return 0
    while n > 1:
        half = n // 2
        base = base + half if base[half - 1] < value else base
        n -= half
    return <BIN_DTYPE_C>((base - upper_edges) + (base[0] < value))


def map_rows_to_bins(const X_DTYPE_C[:, ::1] X, const double[:, ::1] upper_edges,
                     const intp_t[::1] n_bins_non_missing, BIN_DTYPE_C[:, ::1] binned,
                     int n_threads):
    """Write ``binned[i, f]``, the bin of ``X[i, f]`` (MISSING_BIN for NaN), row-major as
    the user passes X: no transposed copy of X.

    Parameters
    ----------
    X : ndarray of shape (n_samples, n_features), float32
    upper_edges : ndarray of shape (n_features, MISSING_BIN), float64
        ``upper_edges[f, b]`` is the largest value of bin b; only the first
        ``n_bins_non_missing[f] - 1`` are read (the last bin is unbounded).
    n_bins_non_missing : ndarray of shape (n_features,), intp
    binned : ndarray of shape (n_samples, n_features), uint8, written
    n_threads : int
    """
    cdef intp_t n_samples = X.shape[0], n_features = X.shape[1], f, i
    cdef X_DTYPE_C value
    if n_samples * n_features < MIN_PARALLEL_VALUES:
        n_threads = 1
    with nogil:
        for i in prange(n_samples, schedule='static', num_threads=max(n_threads, 1)):
            for f in range(n_features):
                value = X[i, f]
                if isnan(value):
                    binned[i, f] = MISSING_BIN
                else:
                    binned[i, f] = find_bin(value, &upper_edges[f, 0], n_bins_non_missing[f] - 1)
