"""Map raw feature values to uint8 bins (the loop; the bin edges are chosen in Python)."""

from cython.parallel import prange
from libc.math cimport isnan

from ._types cimport intp_t, X_DTYPE_C, BIN_DTYPE_C, MISSING_BIN


cdef inline BIN_DTYPE_C find_bin(double value, const double* upper_edges,
                                 intp_t n_edges) noexcept nogil:
    # Number of edges strictly below the value: a value equal to an edge stays in the lower bin,
    # so "bin <= b" is exactly "value <= upper_edges[b]", the rule trees apply to raw values.
    cdef intp_t low = 0, high = n_edges, middle
    while low < high:
        middle = (low + high) // 2
        if upper_edges[middle] < value:
            low = middle + 1
        else:
            high = middle
    return <BIN_DTYPE_C>low


def map_to_bins(const X_DTYPE_C[:, :] X, const double[:, ::1] upper_edges,
                const intp_t[::1] n_bins_non_missing, BIN_DTYPE_C[:, ::1] binned, int n_threads):
    """Write ``binned[f, i]``, the bin of ``X[i, f]`` (MISSING_BIN for NaN).

    Parameters
    ----------
    X : ndarray of shape (n_samples, n_features), float32
    upper_edges : ndarray of shape (n_features, MISSING_BIN), float64
        ``upper_edges[f, b]`` is the largest value of bin b; only the first
        ``n_bins_non_missing[f] - 1`` are read (the last bin is unbounded).
    n_bins_non_missing : ndarray of shape (n_features,), intp
    binned : ndarray of shape (n_features, n_samples), uint8, feature-major, written
    n_threads : int
    """
    cdef intp_t n_samples = X.shape[0], n_features = X.shape[1], f, i
    cdef X_DTYPE_C value
    with nogil:
        for f in prange(n_features, schedule='static', num_threads=max(n_threads, 1)):
            for i in range(n_samples):
                value = X[i, f]
                if isnan(value):
                    binned[f, i] = MISSING_BIN
                else:
                    binned[f, i] = find_bin(value, &upper_edges[f, 0], n_bins_non_missing[f] - 1)
