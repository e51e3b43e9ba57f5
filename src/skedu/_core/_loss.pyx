"""Gradients and hessians of the boosting losses: one pass, rows in parallel (squared error's
too: its numpy expression made two temporaries of n_samples per round).

Each row is computed independently, so the result does not depend on the thread count.
Gradients and hessians are multiplied by the row's sample weight.
"""

from cython.parallel import prange
from libc.math cimport exp, fabs, log, log1p

from ._types cimport intp_t

# Below this many rows (times channels) the loop runs on one thread. One row costs ~10 ns, a
# parallel region a few microseconds when the threads are awake, as between two boosting
# rounds (whose trees' nodes run in parallel regions too); running this one in parallel also
# keeps them awake for the next tree. On a machine whose cores are busy a region can cost
# milliseconds, so small arrays stay on one thread.
cdef intp_t MIN_PARALLEL_ROWS = 32768


def squared_error_gradients(const double[::1] y, const double[::1] raw,
                            const double[::1] weight, double[::1] gradient, int n_threads):
    """Identity link: ``g = (raw - y) w`` (the hessian is the weight itself)."""
    cdef intp_t i, n = y.shape[0]
    if raw.shape[0] != n or weight.shape[0] != n or gradient.shape[0] != n:
        raise ValueError("squared_error_gradients: arrays of different lengths.")
    with nogil:
        if n_threads > 1 and n >= MIN_PARALLEL_ROWS:
            for i in prange(n, schedule='static', num_threads=n_threads):
                gradient[i] = (raw[i] - y[i]) * weight[i]
        else:
            for i in range(n):
                gradient[i] = (raw[i] - y[i]) * weight[i]


def binomial_gradients(const double[::1] y, const double[::1] raw, const double[::1] weight,
                       double[::1] gradient, double[::1] hessian, int n_threads):
    """Sigmoid link: ``g = w (p - y)``, ``h = w p (1 - p)`` with ``p = 1 / (1 + exp(-raw))``."""
    cdef intp_t i, n = y.shape[0]
    cdef double p
    if raw.shape[0] != n or weight.shape[0] != n or gradient.shape[0] != n or hessian.shape[0] != n:
        raise ValueError("binomial_gradients: arrays of different lengths.")
    with nogil:
        if n_threads > 1 and n >= MIN_PARALLEL_ROWS:
            for i in prange(n, schedule='static', num_threads=n_threads):
                p = 1.0 / (1.0 + exp(-raw[i]))
                gradient[i] = weight[i] * (p - y[i])
                hessian[i] = weight[i] * p * (1.0 - p)
        else:
            for i in range(n):
                p = 1.0 / (1.0 + exp(-raw[i]))
                gradient[i] = weight[i] * (p - y[i])
                hessian[i] = weight[i] * p * (1.0 - p)


cdef enum:
    BINOMIAL_LOSS = 0
    SQUARED_ERROR_LOSS = 1


cdef double weighted_mean_loss(const double[::1] y, const double[::1] raw,
                               const double[::1] weight, const intp_t[::1] rows,
                               int loss) except? -1.0:
    """The weighted mean of a loss's row values over ``rows`` (None: all), 0 without weight:
    the training score of every round, in one pass, without copying the scored rows."""
    cdef intp_t i, row, n = y.shape[0] if rows is None else rows.shape[0]
    cdef double r, value, total = 0.0, weight_sum = 0.0
    cdef bint indexed = rows is not None
    if raw.shape[0] != y.shape[0] or weight.shape[0] != y.shape[0]:
        raise ValueError("the loss's arrays have different lengths.")
    with nogil:
        for i in range(n):
            row = rows[i] if indexed else i
            r = raw[row]
            if loss == BINOMIAL_LOSS:
                value = (r if r > 0.0 else 0.0) + log1p(exp(-fabs(r))) - y[row] * r
            else:
                value = 0.5 * (r - y[row]) * (r - y[row])
            total += weight[row] * value
            weight_sum += weight[row]
    return total / weight_sum if weight_sum > 0.0 else 0.0


def binomial_loss(const double[::1] y, const double[::1] raw, const double[::1] weight,
                  const intp_t[::1] rows=None):
    """Weighted mean of ``log(1 + exp(raw)) - y raw`` (stable for large ``|raw|``) over
    ``rows`` (None: all), 0 without weight."""
    return weighted_mean_loss(y, raw, weight, rows, BINOMIAL_LOSS)


def squared_error_loss(const double[::1] y, const double[::1] raw, const double[::1] weight,
                       const intp_t[::1] rows=None):
    """Weighted mean of ``(raw - y)**2 / 2`` over ``rows`` (None: all), 0 without weight."""
    return weighted_mean_loss(y, raw, weight, rows, SQUARED_ERROR_LOSS)


def multinomial_loss(const intp_t[::1] y, const double[:, ::1] raw, const double[::1] weight,
                     const intp_t[::1] rows=None):
    """Weighted mean of ``log(sum_k exp(raw_k)) - raw_y`` (shifted by the row's largest raw
    value, stable) over ``rows`` (None: all), 0 without weight: one pass over the scored
    rows, without copying them."""
    cdef intp_t i, k, row, n_classes = raw.shape[1]
    cdef intp_t n = y.shape[0] if rows is None else rows.shape[0]
    cdef double largest, exp_sum, total = 0.0, weight_sum = 0.0
    cdef bint indexed = rows is not None
    if raw.shape[0] != y.shape[0] or weight.shape[0] != y.shape[0]:
        raise ValueError("the loss's arrays have different lengths.")
    with nogil:
        for i in range(n):
            row = rows[i] if indexed else i
            largest = raw[row, 0]
            for k in range(1, n_classes):
                if raw[row, k] > largest:
                    largest = raw[row, k]
            exp_sum = 0.0
            for k in range(n_classes):
                exp_sum += exp(raw[row, k] - largest)
            total += weight[row] * (log(exp_sum) + largest - raw[row, y[row]])
            weight_sum += weight[row]
    return total / weight_sum if weight_sum > 0.0 else 0.0


def poisson_gradients(const double[::1] y, const double[::1] raw, const double[::1] weight,
                      double[::1] gradient, double[::1] hessian, int n_threads):
    """Log link: ``g = w (exp(raw) - y)``, ``h = w exp(raw)``."""
    cdef intp_t i, n = y.shape[0]
    cdef double mu
    if raw.shape[0] != n or weight.shape[0] != n or gradient.shape[0] != n or hessian.shape[0] != n:
        raise ValueError("poisson_gradients: arrays of different lengths.")
    with nogil:
        if n_threads > 1 and n >= MIN_PARALLEL_ROWS:
            for i in prange(n, schedule='static', num_threads=n_threads):
                mu = exp(raw[i])
                gradient[i] = weight[i] * (mu - y[i])
                hessian[i] = weight[i] * mu
        else:
            for i in range(n):
                mu = exp(raw[i])
                gradient[i] = weight[i] * (mu - y[i])
                hessian[i] = weight[i] * mu


cdef inline void softmax_row(const double* raw, intp_t label, double w, double* gradient,
                             double* hessian, intp_t n_classes) noexcept nogil:
    cdef intp_t k
    cdef double largest = raw[0], total = 0.0, p
    for k in range(1, n_classes):
        if raw[k] > largest:
            largest = raw[k]
    for k in range(n_classes):
        gradient[k] = exp(raw[k] - largest)
        total += gradient[k]
    for k in range(n_classes):
        p = gradient[k] / total
        gradient[k] = w * (p - (1.0 if k == label else 0.0))
        hessian[k] = w * p * (1.0 - p)


def multinomial_gradients(const intp_t[::1] y, const double[:, ::1] raw,
                          const double[::1] weight, double[:, ::1] gradient,
                          double[:, ::1] hessian, int n_threads):
    """Softmax link: ``g_k = w (p_k - [y == k])``, ``h_k = w p_k (1 - p_k)``."""
    cdef intp_t i, n = y.shape[0], n_classes = raw.shape[1]
    if (raw.shape[0] != n or weight.shape[0] != n or gradient.shape[0] != n
            or hessian.shape[0] != n or gradient.shape[1] != n_classes
            or hessian.shape[1] != n_classes):
        raise ValueError("multinomial_gradients: arrays of different shapes.")
    if n == 0:
        return
    with nogil:
        if n_threads > 1 and n * n_classes >= MIN_PARALLEL_ROWS:
            for i in prange(n, schedule='static', num_threads=n_threads):
                softmax_row(&raw[i, 0], y[i], weight[i], &gradient[i, 0], &hessian[i, 0],
                            n_classes)
        else:
            for i in range(n):
                softmax_row(&raw[i, 0], y[i], weight[i], &gradient[i, 0], &hessian[i, 0],
                            n_classes)
