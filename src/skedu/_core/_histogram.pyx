"""Per-node histograms: for every bin of a feature, the sums of the K gradient channels, the
hessian and the row count.

Layout of one feature's histogram: ``N_BINS`` entries of ``n_channels + 2`` float64 values,
``[g_0 .. g_{K-1}, hessian, count]``, so one bin's sums sit in one cache line for small K.
The grower gathers the node's gradients in row order ("ordered" buffers) once, so these loops
read gradients sequentially and only the bin lookup is a gather.
"""

from libc.string cimport memset

from ._types cimport N_BINS


cdef void build_feature_histogram(const BIN_DTYPE_C* binned_feature, const intp_t* rows,
                                  intp_t n_rows, const double* ordered_gradients,
                                  const double* ordered_hessians, intp_t n_channels,
                                  double* histogram) noexcept nogil:
    """Fill ``histogram`` (N_BINS * (n_channels + 2)) from the rows ``rows[:n_rows]``."""
    cdef intp_t i, k, stride = n_channels + 2
    cdef double* entry
    memset(histogram, 0, N_BINS * stride * sizeof(double))
    if n_channels == 1:
        # The common case (regression, boosting): no inner channel loop.
        for i in range(n_rows):
            entry = histogram + binned_feature[rows[i]] * 3
            entry[0] += ordered_gradients[i]
            entry[1] += ordered_hessians[i]
            entry[2] += 1.0
        return
    for i in range(n_rows):
        entry = histogram + binned_feature[rows[i]] * stride
        for k in range(n_channels):
            entry[k] += ordered_gradients[i * n_channels + k]
        entry[n_channels] += ordered_hessians[i]
        entry[n_channels + 1] += 1.0


cdef void build_feature_histogram_labels(const BIN_DTYPE_C* binned_feature, const intp_t* rows,
                                         intp_t n_rows, const intp_t* labels, intp_t n_outputs,
                                         const double* ordered_hessians, intp_t n_channels,
                                         double* histogram) noexcept nogil:
    """``build_feature_histogram`` for rows given as labels (``labels[row, o]`` the channel of
    the row's class in output o): each row adds its weight to its classes' channels."""
    cdef intp_t i, o, row, stride = n_channels + 2
    cdef double* entry
    memset(histogram, 0, N_BINS * stride * sizeof(double))
    for i in range(n_rows):
        row = rows[i]
        entry = histogram + binned_feature[row] * stride
        for o in range(n_outputs):
            entry[labels[row * n_outputs + o]] += ordered_hessians[i]
        entry[n_channels] += ordered_hessians[i]
        entry[n_channels + 1] += 1.0


cdef void subtract_histograms(double* parent, const double* child, intp_t size) noexcept nogil:
    """``parent -= child``: the larger child's histogram is the parent's minus the smaller's."""
    cdef intp_t i
    for i in range(size):
        parent[i] -= child[i]


def build_histogram_for_tests(const BIN_DTYPE_C[::1] binned_feature, const intp_t[::1] rows,
                              const double[:, ::1] ordered_gradients,
                              const double[::1] ordered_hessians):
    """Histogram of one feature as a (N_BINS, K + 2) array (test entry point)."""
    import numpy as np

    n_channels = ordered_gradients.shape[1]
    histogram = np.zeros((N_BINS, n_channels + 2))
    cdef double[:, ::1] view = histogram
    build_feature_histogram(&binned_feature[0], &rows[0], rows.shape[0], &ordered_gradients[0, 0],
                            &ordered_hessians[0], n_channels, &view[0, 0])
    return histogram
