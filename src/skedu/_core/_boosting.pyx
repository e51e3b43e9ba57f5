"""AdaBoost's per-round work after a tree has grown: the learner's weighted error, its weight,
and the new (normalised, clipped) sample weights, in one pass or three over the rows.

SAMME (classification) reads each training row's leaf, which the grower reports, and the
leaf's class; AdaBoost.R2 (regression) reads each row's prediction. Both follow scikit-learn's
``AdaBoostClassifier`` / ``AdaBoostRegressor`` round: the weights are normalised after the update
and clipped below at machine epsilon (rows of zero weight stay at zero), ready for the next round.

The loops are serial: a round touches each row a few times (tens of microseconds for 50k rows,
against milliseconds for the tree), and a serial sum keeps the weights, hence the model,
independent of the thread count.
"""

from cython.parallel import prange
from libc.float cimport DBL_EPSILON
from libc.math cimport NAN, exp, fabs, isfinite, log, pow
from libc.stdlib cimport free, malloc

from ._types cimport EXPONENTIAL, SQUARE, intp_t

# Boosting's training predictions are updated on several threads from this many rows (a row
# is a nanosecond or two; between two trees the threads are awake, and a region costs a few
# microseconds).
cdef intp_t MIN_PARALLEL_UPDATE = 16384


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


def samme_round(const intp_t[::1] leaves, const intp_t[::1] leaf_class, const intp_t[::1] y,
                double[::1] weights, double learning_rate, intp_t n_classes, bint update):
    """Weighted error and learner weight of one SAMME round; reweight the rows in place.

    Parameters
    ----------
    leaves : ndarray of shape (n_samples,), intp
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


def add_leaf_values(double[:, ::1] raw, const intp_t[:, ::1] leaves, values, int n_threads=1):
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
