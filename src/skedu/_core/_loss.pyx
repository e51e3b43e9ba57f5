"""Gradients and hessians of the boosting losses: one pass, rows in parallel (squared error's
too: its numpy expression made two temporaries of n_samples per round).

Each row is computed independently, so the result does not depend on the thread count.
Gradients and hessians are multiplied by the row's sample weight.
"""

import numpy as np

from cython.parallel import prange
from libc.math cimport exp, fabs, log, log1p

from libc.stdint cimport uint64_t
from libc.string cimport memcpy

from ._types cimport intp_t

cdef extern from "_exp.h":
    int skedu_exp_widest() nogil
    void skedu_negative_exp_avx512(const double* values, double* out, intp_t n) nogil
    void skedu_negative_exp_avx2(const double* values, double* out, intp_t n) nogil
    void skedu_negative_exp_baseline(const double* values, double* out, intp_t n) nogil

cdef double LN2 = 0.6931471805599453
# How many exponentials the sigmoid and the softmax take at a time (``_exp.h``): 8 (AVX-512),
# 4 (AVX2) or 2; the same values every way. 4,096 values, one thread: 2.35 ns a value four
# at a time, 1.34 eight at a time.
cdef int EXP_WIDTH = skedu_exp_widest()


def set_exp_width_for_tests(int width):
    """Take the exponentials ``width`` (8, 4 or 2) at a time, or as many as the processor can
    if fewer; returns the width it will use (test entry point)."""
    global EXP_WIDTH
    if width not in (2, 4, 8):
        raise ValueError("width must be 2, 4 or 8")
    EXP_WIDTH = min(width, skedu_exp_widest())
    return EXP_WIDTH


cdef inline void negative_exp(const double* values, double* out, intp_t n) noexcept nogil:
    """``out[i] = exp(-values[i])`` (``_exp.h``: vectorised, within 2 ulp, the same values on
    every processor)."""
    if EXP_WIDTH == 8:
        skedu_negative_exp_avx512(values, out, n)
    elif EXP_WIDTH == 4:
        skedu_negative_exp_avx2(values, out, n)
    else:
        skedu_negative_exp_baseline(values, out, n)


def negative_exp_for_tests(const double[::1] values):
    """``exp(-values)`` as the binomial loss takes it (test entry point)."""
    out = np.empty(values.shape[0])
    cdef double[::1] view = out
    if values.shape[0] > 0:
        negative_exp(&values[0], &view[0], values.shape[0])
    return out

# Below this many rows (times channels) the loop runs on one thread. One row costs ~10 ns, a
# parallel region a few microseconds when the threads are awake, as between two boosting
# rounds (whose trees' nodes run in parallel regions too); running this one in parallel also
# keeps them awake for the next tree. On a machine whose cores are busy a region can cost
# milliseconds, so small arrays stay on one thread. (2 threads: adult, 32,561 rows, and
# 20,000 x 20 fit 2-4% faster with 8k than with 32k.)
cdef intp_t MIN_PARALLEL_ROWS = 8192


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
    cdef intp_t i, c, first, last, n = y.shape[0]
    cdef intp_t n_chunks = (n + FUSED_CHUNK - 1) // FUSED_CHUNK
    if raw.shape[0] != n or weight.shape[0] != n or gradient.shape[0] != n or hessian.shape[0] != n:
        raise ValueError("binomial_gradients: arrays of different lengths.")
    with nogil:
        # Chunks of rows: their exponentials go to the hessians first (``sigmoid_chunk``).
        for c in prange(n_chunks, schedule='static', num_threads=max(n_threads, 1),
                        use_threads_if=n_threads > 1 and n >= MIN_PARALLEL_ROWS):
            first = c * FUSED_CHUNK
            last = min(first + FUSED_CHUNK, n)
            sigmoid_chunk(&y[0], &raw[0], &weight[0], &gradient[0], &hessian[0], first, last,
                          &hessian[first])


cdef void sigmoid_chunk(const double* y, const double* raw, const double* weight,
                        double* gradient, double* hessian, intp_t first, intp_t last,
                        double* exponentials) noexcept nogil:
    """``binomial_gradients`` of rows ``first:last``, their exp(-raw) left in
    ``exponentials`` (which may be ``hessian + first``): the exponentials in one vectorised
    pass, then the divisions and products in a loop the compiler vectorises too."""
    cdef intp_t i
    cdef double p
    negative_exp(raw + first, exponentials, last - first)
    for i in range(first, last):
        p = 1.0 / (1.0 + exponentials[i - first])
        gradient[i] = weight[i] * (p - y[i])
        hessian[i] = weight[i] * p * (1.0 - p)


cdef enum:
    BINOMIAL_LOSS = 0
    SQUARED_ERROR_LOSS = 1
    MULTINOMIAL_LOSS = 2


# The training losses are summed by chunks of LOSS_CHUNK rows, the chunks' sums then added in
# order: the same score on any number of threads.
cdef intp_t LOSS_CHUNK = 2048


cdef void loss_chunk(const double* y, const double* raw, const double* weight,
                     const intp_t* rows, intp_t first, intp_t last, int loss,
                     double* sums) noexcept nogil:
    """The weighted loss and the weight of positions ``first:last`` of ``rows`` (NULL: the
    rows themselves) into ``sums[0]``, ``sums[1]``."""
    cdef intp_t i, row
    cdef double r, value, total = 0.0, weight_sum = 0.0
    for i in range(first, last):
        row = rows[i] if rows != NULL else i
        r = raw[row]
        if loss == BINOMIAL_LOSS:
            value = (r if r > 0.0 else 0.0) + log1p(exp(-fabs(r))) - y[row] * r
        else:
            value = 0.5 * (r - y[row]) * (r - y[row])
        total += weight[row] * value
        weight_sum += weight[row]
    sums[0] = total
    sums[1] = weight_sum


cdef void multinomial_chunk(const intp_t* y, const double* raw, intp_t n_classes,
                            const double* weight, const intp_t* rows, intp_t first,
                            intp_t last, double* sums) noexcept nogil:
    """``loss_chunk`` of the multinomial loss (``raw`` row-major, n_classes a row)."""
    cdef intp_t i, k, row
    cdef const double* row_raw
    cdef double largest, exp_sum, total = 0.0, weight_sum = 0.0
    for i in range(first, last):
        row = rows[i] if rows != NULL else i
        row_raw = raw + row * n_classes
        largest = row_raw[0]
        for k in range(1, n_classes):
            if row_raw[k] > largest:
                largest = row_raw[k]
        exp_sum = 0.0
        for k in range(n_classes):
            exp_sum += exp(row_raw[k] - largest)
        total += weight[row] * (log(exp_sum) + largest - row_raw[y[row]])
        weight_sum += weight[row]
    sums[0] = total
    sums[1] = weight_sum


cdef double mean_of_chunks(const double[:, ::1] sums) noexcept nogil:
    """The weighted mean from chunks' (loss, weight) sums, added in chunk order; 0 without
    weight."""
    cdef intp_t c
    cdef double total = 0.0, weight_sum = 0.0
    for c in range(sums.shape[0]):
        total += sums[c, 0]
        weight_sum += sums[c, 1]
    return total / weight_sum if weight_sum > 0.0 else 0.0


cdef double chunked_mean_loss(const void* y, const double* raw, intp_t n_classes,
                              const double* weight, const intp_t* rows, intp_t n, int loss,
                              int n_threads) except? -1.0:
    """The weighted mean of a loss over n rows (``rows`` or the first n), 0 without weight,
    summed by chunks (on ``n_threads`` from MIN_PARALLEL_ROWS rows)."""
    cdef intp_t c, first, n_chunks = max(1, (n + LOSS_CHUNK - 1) // LOSS_CHUNK)
    chunk_sums = np.zeros((n_chunks, 2))
    cdef double[:, ::1] sums = chunk_sums
    with nogil:
        for c in prange(n_chunks, schedule='static', num_threads=max(n_threads, 1),
                        use_threads_if=n_threads > 1 and n * n_classes >= MIN_PARALLEL_ROWS):
            first = c * LOSS_CHUNK
            if loss == MULTINOMIAL_LOSS:
                multinomial_chunk(<const intp_t*>y, raw, n_classes, weight, rows, first,
                                  min(first + LOSS_CHUNK, n), &sums[c, 0])
            else:
                loss_chunk(<const double*>y, raw, weight, rows, first,
                           min(first + LOSS_CHUNK, n), loss, &sums[c, 0])
    return mean_of_chunks(sums)


cdef double weighted_mean_loss(const double[::1] y, const double[::1] raw,
                               const double[::1] weight, const intp_t[::1] rows,
                               int loss, int n_threads) except? -1.0:
    """The weighted mean of a loss's row values over ``rows`` (None: all), 0 without weight:
    the training score of every round, without copying the scored rows."""
    if raw.shape[0] != y.shape[0] or weight.shape[0] != y.shape[0]:
        raise ValueError("the loss's arrays have different lengths.")
    if y.shape[0] == 0:
        return 0.0
    return chunked_mean_loss(&y[0], &raw[0], 1, &weight[0],
                             &rows[0] if rows is not None and rows.shape[0] > 0 else NULL,
                             y.shape[0] if rows is None else rows.shape[0], loss, n_threads)


def binomial_loss(const double[::1] y, const double[::1] raw, const double[::1] weight,
                  const intp_t[::1] rows=None, int n_threads=1):
    """Weighted mean of ``log(1 + exp(raw)) - y raw`` (stable for large ``|raw|``) over
    ``rows`` (None: all), 0 without weight."""
    return weighted_mean_loss(y, raw, weight, rows, BINOMIAL_LOSS, n_threads)


def squared_error_loss(const double[::1] y, const double[::1] raw, const double[::1] weight,
                       const intp_t[::1] rows=None, int n_threads=1):
    """Weighted mean of ``(raw - y)**2 / 2`` over ``rows`` (None: all), 0 without weight."""
    return weighted_mean_loss(y, raw, weight, rows, SQUARED_ERROR_LOSS, n_threads)


def multinomial_loss(const intp_t[::1] y, const double[:, ::1] raw, const double[::1] weight,
                     const intp_t[::1] rows=None, int n_threads=1):
    """Weighted mean of ``log(sum_k exp(raw_k)) - raw_y`` (shifted by the row's largest raw
    value, stable) over ``rows`` (None: all), 0 without weight: one pass over the scored
    rows, without copying them."""
    if raw.shape[0] != y.shape[0] or weight.shape[0] != y.shape[0]:
        raise ValueError("the loss's arrays have different lengths.")
    if y.shape[0] == 0:
        return 0.0
    return chunked_mean_loss(&y[0], &raw[0, 0], raw.shape[1], &weight[0],
                             &rows[0] if rows is not None and rows.shape[0] > 0 else NULL,
                             y.shape[0] if rows is None else rows.shape[0], MULTINOMIAL_LOSS,
                             n_threads)


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


cdef void softmax_chunk(const intp_t* y, const double* raw, const double* weight,
                        double* gradient, double* hessian, intp_t n_classes, intp_t first,
                        intp_t last, double* row_largest=NULL,
                        double* row_exp_sum=NULL) noexcept nogil:
    """The gradients and hessians of rows ``first:last`` (row-major, ``n_classes`` a row);
    each row's largest raw value and sum of exp(raw - largest) into ``row_largest[i -
    first]`` and ``row_exp_sum[i - first]`` when given (the row's loss needs them). The
    exponentials of the whole chunk in one vectorised pass (``_exp.h``), of the rows'
    largest minus their raw values (written to the hessians first), then the rest row by
    row."""
    cdef intp_t i, k
    cdef double largest, total, p
    cdef const double* row_raw
    cdef double* row_gradient
    cdef double* row_hessian
    for i in range(first, last):
        row_raw = raw + i * n_classes
        row_hessian = hessian + i * n_classes
        largest = row_raw[0]
        for k in range(1, n_classes):
            if row_raw[k] > largest:
                largest = row_raw[k]
        for k in range(n_classes):
            row_hessian[k] = largest - row_raw[k]
        if row_largest != NULL:
            row_largest[i - first] = largest
    negative_exp(hessian + first * n_classes, gradient + first * n_classes,
                 (last - first) * n_classes)
    for i in range(first, last):
        row_gradient = gradient + i * n_classes
        row_hessian = hessian + i * n_classes
        total = 0.0
        for k in range(n_classes):
            total += row_gradient[k]
        for k in range(n_classes):
            p = row_gradient[k] / total
            row_gradient[k] = weight[i] * (p - (1.0 if k == y[i] else 0.0))
            row_hessian[k] = weight[i] * p * (1.0 - p)
        if row_exp_sum != NULL:
            row_exp_sum[i - first] = total


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
    cdef intp_t c, first, n_chunks = (n + FUSED_CHUNK - 1) // FUSED_CHUNK
    with nogil:
        for c in prange(n_chunks, schedule='static', num_threads=max(n_threads, 1),
                        use_threads_if=n_threads > 1 and n * n_classes >= MIN_PARALLEL_ROWS):
            first = c * FUSED_CHUNK
            softmax_chunk(&y[0], &raw[0, 0], &weight[0], &gradient[0, 0], &hessian[0, 0],
                          n_classes, first, min(first + FUSED_CHUNK, n))


# The fused passes below (gradients and the training loss of the same raw predictions) take
# rows by chunks of this many: each chunk keeps its rows' exponentials on the stack for the
# loss of its scored rows, and sums that loss on its own, the chunks' sums then added in order.
cdef enum:
    FUSED_CHUNK = 1024


cdef object scored_starts(const intp_t[::1] rows, intp_t n, intp_t n_chunks):
    """For each chunk of FUSED_CHUNK rows, the first position of ``rows`` (increasing row
    indices below n) in it or after it: an (n_chunks + 1,) intp array."""
    cdef intp_t i, c = 0
    starts_array = np.empty(n_chunks + 1, dtype=np.intp)
    cdef intp_t[::1] starts = starts_array
    for i in range(rows.shape[0]):
        if not 0 <= rows[i] < n or (i > 0 and rows[i] <= rows[i - 1]):
            raise ValueError("the scored rows must be increasing row indices.")
        while c * FUSED_CHUNK <= rows[i] and c <= n_chunks:
            starts[c] = i
            c += 1
    while c <= n_chunks:
        starts[c] = rows.shape[0]
        c += 1
    return starts_array


cdef inline double split_exponent(double value, intp_t* exponent) noexcept nogil:
    """``value`` (positive, normal) as its mantissa in [1, 2); its power of two added to
    ``exponent``. The bits, not ``frexp``: a shift and two masks."""
    cdef uint64_t bits
    # Copied, not read through a cast pointer: a double and an integer may not alias (the
    # compiler may read the integer's bits before they are written).
    memcpy(&bits, &value, sizeof(uint64_t))
    exponent[0] += <intp_t>(bits >> 52) - 1023
    bits = (bits & 0x000FFFFFFFFFFFFFULL) | 0x3FF0000000000000ULL
    memcpy(&value, &bits, sizeof(uint64_t))
    return value


cdef void binomial_chunk(const double* y, const double* raw, const double* weight,
                         double* gradient, double* hessian, intp_t first, intp_t last,
                         bint all_scored, const intp_t* rows, intp_t first_scored,
                         intp_t last_scored, double* sums) noexcept nogil:
    """``binomial_gradients`` of rows ``first:last``, then the loss of the scored ones (all of
    them, or ``rows[first_scored:last_scored]``) into ``sums``."""
    cdef double negative_exp[FUSED_CHUNK]
    cdef double r, e, value, total = 0.0, weight_sum = 0.0
    cdef double products[2]
    cdef double linear = 0.0
    cdef intp_t j, row
    cdef intp_t exponents[2]
    products[0] = products[1] = 1.0
    exponents[0] = exponents[1] = 0
    sigmoid_chunk(y, raw, weight, gradient, hessian, first, last, negative_exp)
    if all_scored:
        first_scored, last_scored = first, last
    for j in range(first_scored, last_scored):
        row = j if all_scored else rows[j]
        r = raw[row]
        e = negative_exp[row - first]
        weight_sum += weight[row]
        # log(1 + exp(r)) - y r = log(1 + exp(-r)) + r (1 - y), from the gradient's exp(-r).
        # Rows of weight 1 (all, without sample weights) add their logs as one: the product
        # of their 1 + exp(-r), its power of two set apart at each row so that it stays in
        # [1, 2), and one log at the end (a log a row was half of the pass); two products,
        # even and odd positions, whose chains of multiplications overlap. Their rounding,
        # below 2.3e-13 relative over a chunk, is 2.3e-13 absolute in the log, next to a
        # chunk's loss of order 100. Past exp's range (r < -709), and rows of other weights,
        # their own terms.
        if e <= 1e300 and weight[row] == 1.0:
            products[j & 1] = split_exponent(products[j & 1] * (1.0 + e), &exponents[j & 1])
            linear += r * (1.0 - y[row])
            continue
        if e <= 1e300:
            value = log(1.0 + e) + r * (1.0 - y[row])
        else:
            value = (r if r > 0.0 else 0.0) + log1p(exp(-fabs(r))) - y[row] * r
        total += weight[row] * value
    sums[0] = (total + (log(products[0] * products[1]) + (exponents[0] + exponents[1]) * LN2)
               + linear)
    sums[1] = weight_sum


cdef void multinomial_fused_chunk(const intp_t* y, const double* raw, intp_t n_classes,
                                  const double* weight, double* gradient, double* hessian,
                                  intp_t first, intp_t last, bint all_scored,
                                  const intp_t* rows, intp_t first_scored, intp_t last_scored,
                                  double* sums) noexcept nogil:
    """``multinomial_gradients`` of rows ``first:last``, then the loss of the scored ones
    from each row's largest raw value and sum of shifted exponentials."""
    cdef double largest[FUSED_CHUNK]
    cdef double exp_sum[FUSED_CHUNK]
    cdef double total = 0.0, weight_sum = 0.0
    cdef intp_t j, row
    softmax_chunk(y, raw, weight, gradient, hessian, n_classes, first, last, largest, exp_sum)
    if all_scored:
        first_scored, last_scored = first, last
    for j in range(first_scored, last_scored):
        row = j if all_scored else rows[j]
        total += weight[row] * (log(exp_sum[row - first]) + largest[row - first]
                                - raw[row * n_classes + y[row]])
        weight_sum += weight[row]
    sums[0] = total
    sums[1] = weight_sum


cdef double fused_gradients_and_loss(const void* y, const double* raw, intp_t n_classes,
                                     const double* weight, double* gradient, double* hessian,
                                     intp_t n, const intp_t[::1] rows, int n_threads,
                                     bint multinomial) except? -1.0:
    """The chunks of ``binomial_chunk`` or ``multinomial_fused_chunk`` over n rows, on
    ``n_threads`` from MIN_PARALLEL_ROWS values; the weighted mean loss of ``rows``
    (increasing; None: all) from their sums added in chunk order."""
    cdef intp_t c, first, last, n_chunks = (n + FUSED_CHUNK - 1) // FUSED_CHUNK
    cdef bint all_scored = rows is None
    if n == 0:
        return 0.0
    starts_array = (np.zeros(n_chunks + 1, dtype=np.intp) if all_scored
                    else scored_starts(rows, n, n_chunks))
    cdef const intp_t[::1] starts = starts_array
    cdef const intp_t* scored = &rows[0] if not all_scored and rows.shape[0] > 0 else NULL
    chunk_sums = np.zeros((n_chunks, 2))
    cdef double[:, ::1] sums = chunk_sums
    with nogil:
        for c in prange(n_chunks, schedule='static', num_threads=max(n_threads, 1),
                        use_threads_if=n_threads > 1 and n * n_classes >= MIN_PARALLEL_ROWS):
            first = c * FUSED_CHUNK
            last = min(first + FUSED_CHUNK, n)
            if multinomial:
                multinomial_fused_chunk(<const intp_t*>y, raw, n_classes, weight, gradient,
                                        hessian, first, last, all_scored, scored, starts[c],
                                        starts[c + 1], &sums[c, 0])
            else:
                binomial_chunk(<const double*>y, raw, weight, gradient, hessian, first, last,
                               all_scored, scored, starts[c], starts[c + 1], &sums[c, 0])
    return mean_of_chunks(sums)


def binomial_gradients_and_loss(const double[::1] y, const double[::1] raw,
                                const double[::1] weight, double[::1] gradient,
                                double[::1] hessian, const intp_t[::1] rows=None,
                                int n_threads=1):
    """``binomial_gradients`` and ``binomial_loss`` at the same ``raw`` in one pass: the
    same gradients and hessians, and the weighted mean loss over ``rows`` (increasing; None:
    all), the loss reusing the gradients' exponentials. Summed by fixed chunks of rows: the
    same value on any number of threads."""
    cdef intp_t n = y.shape[0]
    if raw.shape[0] != n or weight.shape[0] != n or gradient.shape[0] != n or hessian.shape[0] != n:
        raise ValueError("binomial_gradients_and_loss: arrays of different lengths.")
    if n == 0:
        return 0.0
    return fused_gradients_and_loss(&y[0], &raw[0], 1, &weight[0], &gradient[0], &hessian[0],
                                    n, rows, n_threads, False)


def multinomial_gradients_and_loss(const intp_t[::1] y, const double[:, ::1] raw,
                                   const double[::1] weight, double[:, ::1] gradient,
                                   double[:, ::1] hessian, const intp_t[::1] rows=None,
                                   int n_threads=1):
    """``multinomial_gradients`` and ``multinomial_loss`` at the same ``raw`` in one pass
    (as ``binomial_gradients_and_loss``): the loss of a scored row costs one log."""
    cdef intp_t n = y.shape[0], n_classes = raw.shape[1], i
    if (raw.shape[0] != n or weight.shape[0] != n or gradient.shape[0] != n
            or hessian.shape[0] != n or gradient.shape[1] != n_classes
            or hessian.shape[1] != n_classes):
        raise ValueError("multinomial_gradients_and_loss: arrays of different shapes.")
    if n == 0:
        return 0.0
    for i in range(n):
        if not 0 <= y[i] < n_classes:
            raise ValueError("multinomial_gradients_and_loss: a label is out of range.")
    return fused_gradients_and_loss(&y[0], &raw[0, 0], n_classes, &weight[0], &gradient[0, 0],
                                    &hessian[0, 0], n, rows, n_threads, True)
