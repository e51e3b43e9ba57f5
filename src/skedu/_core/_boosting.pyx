"""AdaBoost's per-round work after a tree has grown: the learner's weighted error, its weight,
and the new (normalised, clipped) sample weights, in one pass or three over the rows.

SAMME (classification) reads each training row's leaf, which the grower reports, and the
leaf's class; AdaBoost.R2 (regression) reads each row's prediction. Both follow scikit-learn's
``AdaBoostClassifier`` / ``AdaBoostRegressor`` round: the weights are normalised after the update
and clipped below at machine epsilon (rows of zero weight stay at zero), ready for the next round.

The loops are serial: a round touches each row a few times (tens of microseconds for 50k rows,
against milliseconds for the tree), and a serial sum keeps the weights, hence the model,
independent of the thread count.

Gradient boosting's per-round work besides the trees is here too: leaf values scaled by the
learning rate, the training predictions updated from each row's leaf, and the optional
quantisation of the gradients and hessians (``quantize_gradients``).
"""

from cython.parallel import prange
from libc.float cimport DBL_EPSILON, DBL_MAX
from libc.stdint cimport int32_t, int64_t, uint64_t
from libc.math cimport INFINITY, NAN, exp, fabs, frexp, isfinite, ldexp, log, pow
from libc.stdlib cimport free, malloc

from ._histogram cimport pack_statistics
from ._types cimport EXPONENTIAL, SQUARE, intp_t

# Boosting's training predictions are updated on several threads from this many rows (a row
# is a nanosecond or two; between two trees the threads are awake, and a region costs a few
# microseconds).
cdef intp_t MIN_PARALLEL_UPDATE = 16384
# Quantised boosting's finest step: 1 / 2**14 of the largest gradient (or hessian), when the
# rows allow it (``quantize_gradients``).
cdef intp_t MAX_QUANTIZATION_LEVELS = 1 << 14
# Values (rows times columns) a thread rounds at a time: a chunk's gradients and hessians
# stay cached between its passes over the columns.
cdef intp_t QUANTIZATION_CHUNK = 16384


cdef double normalise_and_clip(double[::1] weights, double total) noexcept nogil:
    """Divide by ``total`` and raise positive weights to at least epsilon (scikit-learn's
    clip before each round); return ``total``, or leave the weights when it is unusable."""
    cdef intp_t i
    if not isfinite(total) or total <= 0.0:
        return total
    for i in range(weights.shape[0]):
        if weights[i] > 0.0:
            weights[i] = max(weights[i] / total, DBL_EPSILON)
    return total


def samme_round(const int32_t[::1] leaves, const intp_t[::1] leaf_class, const intp_t[::1] y,
                double[::1] weights, double learning_rate, intp_t n_classes, bint update):
    """Weighted error and learner weight of one SAMME round; reweight the rows in place.

    Parameters
    ----------
    leaves : ndarray of shape (n_samples,), int32
        Leaf (node id local to the tree) of each row; -1 for rows the tree did not see
        (rows of zero weight, which stay at zero).
    leaf_class : ndarray of shape (n_nodes,), intp
        Class each node predicts (the argmax of its class fractions).
    y : ndarray of shape (n_samples,), intp
        Encoded class of each row.
    weights : ndarray of shape (n_samples,), float64
        The round's sample weights D_m; replaced by D_{m+1} when the round is usable and
        ``update`` is set.
    learning_rate : float
    n_classes : int
    update : bool
        False in the last round (scikit-learn leaves the weights then).

    Returns
    -------
    error : float
        ``sum(w * wrong) / sum(w)``.
    alpha : float
        ``learning_rate * (log((1 - e) / e) + log(K - 1))``; 1.0 for a perfect learner (error
        0, weights left), NaN for one no better than chance (``e >= 1 - 1/K``, weights left).
    total : float
        Sum of the reweighted weights before normalisation (1.0 when nothing was updated); not
        finite or not positive means the weights were left as they were after the update.
    """
    cdef intp_t i, n = weights.shape[0]
    cdef double wrong = 0.0, total = 0.0, error, alpha, factor
    if leaves.shape[0] != n or y.shape[0] != n:
        raise ValueError("samme_round: leaves, y and weights need one entry per row.")
    if n_classes < 2:
        raise ValueError("samme_round: n_classes must be at least 2.")
    with nogil:
        for i in range(n):
            if leaves[i] < 0:
                continue
            total += weights[i]
            if leaf_class[leaves[i]] != y[i]:
                wrong += weights[i]
    if total <= 0.0:
        raise ValueError("samme_round: the weights sum to zero.")
    error = wrong / total
    if error <= 0.0:
        return 0.0, 1.0, 1.0
    if error >= 1.0 - 1.0 / n_classes:
        return error, NAN, 1.0
    alpha = learning_rate * (log((1.0 - error) / error) + log(n_classes - 1.0))
    if not update:
        return error, alpha, 1.0
    # Misclassified rows are multiplied by exp(alpha); the others keep their weight.
    factor = exp(alpha)
    total = 0.0
    with nogil:
        for i in range(n):
            if leaves[i] >= 0 and weights[i] > 0.0 and leaf_class[leaves[i]] != y[i]:
                weights[i] *= factor
            total += weights[i]
        normalise_and_clip(weights, total)
    return error, alpha, total


cdef inline double scaled_loss(double error, int loss) noexcept nogil:
    if loss == SQUARE:
        return error * error
    if loss == EXPONENTIAL:
        return 1.0 - exp(-error)
    return error


def r2_round(const double[::1] predictions, const double[::1] y, double[::1] weights,
             int loss, double learning_rate, bint update):
    """Weighted loss and learner weight of one AdaBoost.R2 round; reweight the rows in place.

    Parameters
    ----------
    predictions : ndarray of shape (n_samples,), float64
        The round's learner's prediction on every training row.
    y : ndarray of shape (n_samples,), float64
    weights : ndarray of shape (n_samples,), float64
        The round's sample weights; rows of zero weight are ignored and stay at zero.
    loss : BoostingLoss
        Per-row loss of the error scaled by the largest error of the round.
    learning_rate : float
    update : bool
        False in the last round.

    Returns
    -------
    error : float
        ``sum(w * loss)`` (the weights sum to one).
    alpha : float
        ``learning_rate * log(1 / beta)`` with ``beta = e / (1 - e)``; 1.0 for a perfect
        learner, NaN when ``e >= 0.5`` (weights left in both cases).
    total : float
        As in :func:`samme_round`.
    """
    cdef intp_t i, n = weights.shape[0]
    cdef double largest = 0.0, error = 0.0, scale = 1.0, beta, alpha, total = 0.0, exponent
    if predictions.shape[0] != n or y.shape[0] != n:
        raise ValueError("r2_round: predictions, y and weights need one entry per row.")
    with nogil:
        for i in range(n):
            if weights[i] > 0.0:
                largest = max(largest, fabs(predictions[i] - y[i]))
        # Errors are scaled to [0, 1] by the largest one (left as they are when all are 0).
        if largest != 0.0:
            scale = largest
        for i in range(n):
            if weights[i] > 0.0:
                error += weights[i] * scaled_loss(fabs(predictions[i] - y[i]) / scale, loss)
    if error <= 0.0:
        return 0.0, 1.0, 1.0
    if error >= 0.5:
        return error, NAN, 1.0
    beta = error / (1.0 - error)
    alpha = learning_rate * log(1.0 / beta)
    if not update:
        return error, alpha, 1.0
    # A row's weight shrinks by beta ** ((1 - loss) * learning_rate): well-predicted rows most.
    with nogil:
        for i in range(n):
            if weights[i] > 0.0:
                exponent = (1.0 - scaled_loss(fabs(predictions[i] - y[i]) / scale, loss))
                weights[i] *= pow(beta, exponent * learning_rate)
            total += weights[i]
        normalise_and_clip(weights, total)
    return error, alpha, total


def scaled_leaf_values(const double[:, ::1] values, double scale):
    """The first column of a tree's leaf values times ``scale`` (the learning rate), as a new
    (n_nodes, 1) float64 array; None when a value is not finite. One compiled call: between
    two trees numpy's code is cold, and a copy, a product and a finiteness test took some
    40 us a round of 20,000 x 20 instead of 5."""
    import numpy as np

    cdef intp_t i, n = values.shape[0]
    cdef bint finite = True
    scaled_array = np.empty((n, 1), dtype=np.float64)
    cdef double[:, ::1] scaled = scaled_array
    if n > 0 and values.shape[1] == 0:
        raise ValueError("scaled_leaf_values: the values have no column.")
    for i in range(n):
        scaled[i, 0] = values[i, 0] * scale
        finite = finite and isfinite(scaled[i, 0])
    return scaled_array if finite else None


def add_leaf_values(double[:, ::1] raw, const int32_t[:, ::1] leaves, values, int n_threads=1):
    """``raw[i, k] += values[k][leaves[k, i], 0]`` for every channel k and every row whose leaf
    is known (boosting's update of the training predictions from the leaf each row fell into
    in each of the round's trees), in one pass over the rows, without numpy's temporaries;
    rows of leaf -1 (the tree was not grown on them) are left as they are. ``values[k]`` is a
    C-contiguous (n_nodes, n_outputs) float64 array. Rows in parallel from MIN_PARALLEL_UPDATE
    (each row on its own: the same sums)."""
    cdef intp_t i, k, leaf, n = raw.shape[0], n_channels = leaves.shape[0], n_bad = 0
    cdef const double[:, ::1] channel_values
    if leaves.shape[1] != n or n_channels != raw.shape[1] or len(values) != n_channels:
        raise ValueError("add_leaf_values: leaves, values and raw predictions do not match.")
    # Each tree's values (kept alive by ``values``), its node count and row stride.
    cdef const double** tree_values = <const double**>malloc(max(n_channels, 1) * sizeof(double*))
    cdef intp_t* shapes = <intp_t*>malloc(max(2 * n_channels, 1) * sizeof(intp_t))
    if tree_values == NULL or shapes == NULL:
        free(tree_values)
        free(shapes)
        raise MemoryError()
    try:
        for k in range(n_channels):
            channel_values = values[k]
            shapes[2 * k] = channel_values.shape[0]
            shapes[2 * k + 1] = channel_values.shape[1]
            tree_values[k] = &channel_values[0, 0] if shapes[2 * k] > 0 else NULL
        with nogil:
            for i in prange(n, schedule='static', num_threads=max(n_threads, 1),
                            use_threads_if=n_threads > 1 and n >= MIN_PARALLEL_UPDATE):
                for k in range(n_channels):
                    leaf = leaves[k, i]
                    if leaf == -1:
                        continue
                    if leaf < 0 or leaf >= shapes[2 * k]:
                        n_bad += 1
                        continue
                    raw[i, k] += tree_values[k][leaf * shapes[2 * k + 1]]
    finally:
        free(tree_values)
        free(shapes)
    if n_bad > 0:
        raise ValueError(f"add_leaf_values: {n_bad} leaf indices out of range.")



cdef double quantization_step(double largest, intp_t levels) noexcept nogil:
    """The smallest power of two at least ``largest / levels`` (1 when ``largest`` is 0)."""
    cdef int exponent
    if largest <= 0.0:
        return 1.0
    frexp(largest / levels, &exponent)
    return ldexp(1.0, exponent)


cdef bint column_extremes(const double* values, intp_t n, intp_t stride,
                          double* extremes) noexcept nogil:
    """``extremes``: the smallest and the largest of ``values[::stride][:n]``; False when one
    is not finite. Two rows at a time into two pairs of extremes, kept in registers: one chain
    of maxima is bound by its latency."""
    cdef intp_t i
    cdef double a, b, low_a = INFINITY, low_b = INFINITY, high_a = -INFINITY, high_b = -INFINITY
    cdef int not_finite = 0
    for i in range(0, n - 1, 2):
        a = values[i * stride]
        b = values[(i + 1) * stride]
        low_a = a if a < low_a else low_a
        low_b = b if b < low_b else low_b
        high_a = a if a > high_a else high_a
        high_b = b if b > high_b else high_b
        not_finite |= (not (fabs(a) <= DBL_MAX)) | (not (fabs(b) <= DBL_MAX))
    if n % 2:
        a = values[(n - 1) * stride]
        low_a = a if a < low_a else low_a
        high_a = a if a > high_a else high_a
        not_finite |= not (fabs(a) <= DBL_MAX)
    extremes[0] = min(low_a, low_b)
    extremes[1] = max(high_a, high_b)
    return not not_finite


cdef bint columns_extremes(const double* values, intp_t n, intp_t n_columns, int n_threads,
                           double* extremes) noexcept nogil:
    """``extremes[2 k]``, ``extremes[2 k + 1]``: the smallest and the largest of column k of
    the row-major ``values`` (n, n_columns); False when one is not finite. By chunks of
    rows on ``n_threads`` threads, every column of a chunk while it is cached (min and max:
    the same result for any number of threads)."""
    cdef intp_t c, k, first, chunk = max(QUANTIZATION_CHUNK // n_columns, 1)
    cdef intp_t n_chunks = (n + chunk - 1) // chunk
    cdef double* chunk_extremes = <double*>malloc(n_chunks * n_columns * 3 * sizeof(double))
    cdef double* found
    cdef bint finite = True
    if chunk_extremes == NULL:
        # No room for the chunks' extremes: each column in one pass.
        for k in range(n_columns):
            finite = column_extremes(values + k, n, n_columns, extremes + 2 * k) and finite
        return finite
    for c in prange(n_chunks, schedule='static', num_threads=max(n_threads, 1),
                    use_threads_if=n_threads > 1 and n > MIN_PARALLEL_UPDATE):
        first = c * chunk
        for k in range(n_columns):
            found = chunk_extremes + 3 * (c * n_columns + k)
            found[2] = column_extremes(values + first * n_columns + k, min(chunk, n - first),
                                       n_columns, found)
    for k in range(n_columns):
        extremes[2 * k] = INFINITY
        extremes[2 * k + 1] = -INFINITY
        for c in range(n_chunks):
            found = chunk_extremes + 3 * (c * n_columns + k)
            finite = finite and found[2] != 0.0
            extremes[2 * k] = min(extremes[2 * k], found[0])
            extremes[2 * k + 1] = max(extremes[2 * k + 1], found[1])
    free(chunk_extremes)
    return finite


cdef inline double nearest_integer(double value) noexcept nogil:
    # Round half to even for |value| < 2**51 without a branch (``rint`` tests the range
    # first): adding 1.5 * 2**52 leaves no fraction bits.
    return (value + 6755399441055744.0) - 6755399441055744.0


cdef void quantize_chunk(double* gradients, double* hessians, intp_t n, intp_t n_channels,
                         intp_t n_hessian_columns, const double* steps,
                         uint64_t* packed, intp_t n_samples) noexcept nogil:
    """Round ``n`` rows (row-major, from ``gradients`` and ``hessians``) to their columns'
    steps (``steps[2 k]``, ``steps[2 k + 1]``: powers of two, so the quotients and products
    are exact; a positive hessian keeps at least one step) and write channel k's row i packed
    at ``packed[k * n_samples + i]``."""
    cdef intp_t i, k, h
    # The steps and their inverses in registers: the stores to the rows may alias ``steps``,
    # which would be reloaded and divided by every row.
    cdef double units, hessian, step, inverse, hessian_inverse
    for k in range(n_hessian_columns):
        step = steps[2 * k + 1]
        inverse = 1.0 / step
        for i in range(n):
            hessian = hessians[i * n_hessian_columns + k]
            units = nearest_integer(hessian * inverse)
            units = 1.0 if units == 0.0 and hessian > 0.0 else units
            hessians[i * n_hessian_columns + k] = units * step
    for k in range(n_channels):
        h = k if n_hessian_columns > 1 else 0
        step = steps[2 * k]
        inverse = 1.0 / step
        hessian_inverse = 1.0 / steps[2 * h + 1]
        for i in range(n):
            units = nearest_integer(gradients[i * n_channels + k] * inverse)
            gradients[i * n_channels + k] = units * step
            packed[k * n_samples + i] = pack_statistics(
                <int64_t>units, <int64_t>(hessians[i * n_hessian_columns + h] * hessian_inverse))


def quantize_gradients(double[:, ::1] gradients, hessians, intp_t n_rows, int n_threads=1,
                       packed_out=None):
    """Round every channel's gradients and hessians, in place, to integer multiples of a power
    of two (LightGBM's quantised training, with more levels), and pack each row's two integers
    in one word, ``gradient * 2**32 + hessian``: every sum of them is then exact, whatever its
    order, and the tree engine adds a row's statistics to a histogram as one integer
    (``_histogram.build_packed_histograms``).

    A channel's step is the smallest power of two with at most ``levels`` steps to its largest
    gradient (hessian) in magnitude, ``levels = min(2**14, (2**31 - 1) // n_rows)``: a sum over
    ``n_rows`` rows stays within 31 bits. Values are rounded to the nearest step (half to
    even); a positive hessian keeps at least one step (its row still holds weight); unit
    hessians stay 1. Two passes over the rows, by chunks, on ``n_threads`` threads: the same
    values for any number.

    Parameters
    ----------
    gradients : ndarray of shape (n_samples, n_channels), float64
    hessians : ndarray of shape (n_samples,) or (n_samples, n_channels), float64, C-contiguous
        One hessian shared by every channel, or one per channel.
    n_rows : int
        The most rows a tree grows on.
    n_threads : int
    packed_out : ndarray of shape (n_channels, n_samples), uint64, or None
        Where to write the packed rows (reused across rounds); None: allocated.

    Returns
    -------
    scales : ndarray of shape (n_channels, 2)
        Each channel's (gradient step, hessian step).
    packed : ndarray of shape (n_channels, n_samples), uint64
        Each channel's packed rows.

    Returns None, with nothing rounded, when a gradient or hessian is not finite or a hessian
    is negative.
    """
    import numpy as np

    cdef intp_t n = gradients.shape[0], n_channels = gradients.shape[1], c, k, first
    cdef intp_t levels = min(MAX_QUANTIZATION_LEVELS, max((2 ** 31 - 1) // max(n_rows, 1), 1))
    cdef double[:, ::1] hessian_view = (hessians if hessians.ndim == 2
                                        else hessians.reshape(-1, 1))
    cdef intp_t n_hessian_columns = hessian_view.shape[1]
    cdef intp_t chunk = max(QUANTIZATION_CHUNK // n_channels, 1)
    cdef intp_t n_chunks = (n + chunk - 1) // chunk
    if hessian_view.shape[0] != n or n_hessian_columns not in (1, n_channels):
        raise ValueError("quantize_gradients: hessians of another shape than the gradients")
    if packed_out is None or packed_out.shape != (n_channels, n):
        packed_out = np.empty((n_channels, n), dtype=np.uint64)
    cdef uint64_t[:, ::1] packed = packed_out
    # steps[k] = (gradient step, hessian step) of channel k (hessians: column k or the shared).
    steps_array = np.ones((n_channels, 2))
    cdef double[:, ::1] steps = steps_array
    extremes_array = np.empty((max(n_channels, n_hessian_columns), 2))
    cdef double[:, ::1] extremes = extremes_array
    if n == 0:
        return steps_array, packed_out
    # Every column's step before any is rounded: None leaves them all as they were.
    if not columns_extremes(&gradients[0, 0], n, n_channels, n_threads, &extremes[0, 0]):
        return None
    for k in range(n_channels):
        steps[k, 0] = quantization_step(max(-extremes[k, 0], extremes[k, 1]), levels)
    if (not columns_extremes(&hessian_view[0, 0], n, n_hessian_columns, n_threads,
                             &extremes[0, 0]) or np.any(extremes_array[:n_hessian_columns, 0] < 0)):
        return None
    for k in range(n_hessian_columns):
        if not (extremes[k, 0] == 1.0 and extremes[k, 1] == 1.0):
            steps[k, 1] = quantization_step(extremes[k, 1], levels)
    if n_hessian_columns == 1:
        steps_array[:, 1] = steps_array[0, 1]
    for c in prange(n_chunks, schedule='static', num_threads=max(n_threads, 1),
                    use_threads_if=n_threads > 1 and n > MIN_PARALLEL_UPDATE, nogil=True):
        first = c * chunk
        quantize_chunk(&gradients[first, 0], &hessian_view[first, 0],
                       min(chunk, n - first), n_channels, n_hessian_columns,
                       &steps[0, 0], &packed[0, first], n)
    return steps_array, packed_out
