"""One epoch of stochastic / mini-batch gradient descent for linear models.

Every one-vs-rest model sees the same rows in the same order, so the models are independent: each
thread trains a block of them (``prange`` over blocks), passing every chunk of rows through all
the models of its block while the chunk is in cache. Each model's sequence of updates is the
same whatever the thread count or chunk size, and so is the result.

Two update paths share the row access and the losses:

- plain SGD keeps each weight vector as ``scale * v`` so the L2 decay of a step is one multiply,
  touches only the non-zeros of a sparse row, applies L1 by the cumulative penalty of Tsuruoka et
  al. (2009) and averages (ASGD) with Bottou's lazy trick;
- momentum, RMSProp and Adam keep per-weight moments, so every step updates every weight: they
  accumulate the batch gradient in a dense buffer and then sweep all weights once per batch.
"""

from cython.parallel cimport prange
from libc.math cimport pow, sqrt
from libc.stdint cimport int32_t, int64_t, uint64_t
from libc.stdlib cimport free, malloc
from libc.string cimport memset

from skedu._core._random cimport random_below
from skedu._core._sgd_loss cimport loss_derivative, loss_value
from skedu._core._sgd_types cimport ADAM, MOMENTUM, OPTIMAL, INVSCALING, RMSPROP, SGD
from skedu._core._types cimport floating

# CSR index arrays as scipy makes them: int32, or int64 for very large matrices
ctypedef fused index_t:
    int32_t
    int64_t

cdef extern from *:
    """
    #if defined(__GNUC__) || defined(__clang__)
    #define SKEDU_PREFETCH(address) __builtin_prefetch(address)
    #else
    #define SKEDU_PREFETCH(address) ((void) 0)
    #endif
    """
    void SKEDU_PREFETCH(const void* address) noexcept nogil

# Rows ahead whose memory is requested while the current row is processed.
cdef Py_ssize_t PREFETCH_DISTANCE = 2

# Row data a thread passes through all its one-vs-rest models at a time: about half of a
# typical per-core L2 cache, so the rows are still there for the next model.
cdef double CHUNK_BYTES = 131072.0

# Below this the scaled weights lose precision: fold the scale into the stored weights.
cdef double MIN_WEIGHT_SCALE = 1e-9


ctypedef struct SGDParams:
    int loss
    int optimizer
    int schedule
    double eta0
    double eta_max
    double power_t
    double alpha
    double optimal_init
    double alpha_l2
    double alpha_l1
    double beta1
    double beta2
    double optimizer_epsilon
    double epsilon
    Py_ssize_t batch_size
    long long average_start
    bint fit_intercept
    bint is_regression


cdef inline double _learning_rate(const SGDParams* params, long long step) noexcept nogil:
    """Step size of the 1-based optimiser step ``step``, at most ``params.eta_max``."""
    cdef double eta
    if params.schedule == OPTIMAL:
        eta = 1.0 / (params.alpha * (params.optimal_init + step - 1))
    elif params.schedule == INVSCALING:
        eta = params.eta0 / pow(<double> step, params.power_t)
    else:
        eta = params.eta0
    return eta if eta < params.eta_max else params.eta_max


cdef inline double _label(const SGDParams* params, double target,
                          double positive_class) noexcept nogil:
    if params.is_regression:
        return target
    return 1.0 if target == positive_class else -1.0


cdef inline void _row(const floating* dense, const floating* data, const index_t* indices,
                      const index_t* indptr, Py_ssize_t n_features, Py_ssize_t i,
                      const floating** values, const index_t** columns,
                      Py_ssize_t* nnz) noexcept nogil:
    """Point at row ``i``: ``columns`` is NULL for a dense row (all ``n_features`` values)."""
    if dense != NULL:
        values[0] = dense + i * n_features
        columns[0] = NULL
        nnz[0] = n_features
    else:
        values[0] = data + indptr[i]
        columns[0] = indices + indptr[i]
        nnz[0] = indptr[i + 1] - indptr[i]


cdef inline void _prefetch_row(const floating* dense, const floating* data,
                               const index_t* indices, const index_t* indptr,
                               Py_ssize_t n_features, Py_ssize_t i) noexcept nogil:
    """Ask for row ``i`` ahead of time: shuffled rows defeat the hardware prefetcher."""
    cdef const char* start
    cdef const char* index_start
    cdef Py_ssize_t n_bytes, offset
    if dense != NULL:
        start = <const char*> (dense + i * n_features)
        n_bytes = n_features * sizeof(floating)
    else:
        start = <const char*> (data + indptr[i])
        n_bytes = (indptr[i + 1] - indptr[i]) * sizeof(floating)
        index_start = <const char*> (indices + indptr[i])
        for offset in range(0, (indptr[i + 1] - indptr[i]) * sizeof(index_t), 64):
            SKEDU_PREFETCH(index_start + offset)
    for offset in range(0, n_bytes, 64):
        SKEDU_PREFETCH(start + offset)


cdef inline double _row_dot(const floating* values, const index_t* columns, Py_ssize_t nnz,
                            const double* weights) noexcept nogil:
    cdef Py_ssize_t j = 0
    cdef double sum0 = 0.0, sum1 = 0.0, sum2 = 0.0, sum3 = 0.0
    if columns == NULL:
        # four independent sums let the CPU overlap the additions of a dense row
        while j + 4 <= nnz:
            sum0 += values[j] * weights[j]
            sum1 += values[j + 1] * weights[j + 1]
            sum2 += values[j + 2] * weights[j + 2]
            sum3 += values[j + 3] * weights[j + 3]
            j += 4
        while j < nnz:
            sum0 += values[j] * weights[j]
            j += 1
        return (sum0 + sum1) + (sum2 + sum3)
    for j in range(nnz):
        sum0 += values[j] * weights[columns[j]]
    return sum0


cdef inline void _row_axpy(double factor, const floating* values, const index_t* columns,
                           Py_ssize_t nnz, double* weights) noexcept nogil:
    """weights += factor * row."""
    cdef Py_ssize_t j
    if columns == NULL:
        for j in range(nnz):
            weights[j] += factor * values[j]
    else:
        for j in range(nnz):
            weights[columns[j]] += factor * values[j]


cdef inline void _cumulative_l1(double* coef, double* l1_applied, double scale, double l1_total,
                                const index_t* columns, Py_ssize_t n_columns,
                                double* average_coef, double average_a) noexcept nogil:
    """Clip the weights of ``columns`` towards 0 until each has received ``l1_total`` of L1.

    ``l1_applied[j]`` is the (signed) penalty weight j has received so far; clipping at zero
    keeps a weight from crossing it. Applying twice with the same total changes nothing.
    ``average_coef`` (NULL when not averaging) is compensated like in a gradient step.
    """
    cdef Py_ssize_t jj, j
    cdef double before, after
    for jj in range(n_columns):
        j = jj if columns == NULL else columns[jj]
        before = coef[j]
        after = before
        if scale * before > 0.0:
            after = before - (l1_total + l1_applied[j]) / scale
            if after < 0.0:
                after = 0.0
        elif scale * before < 0.0:
            after = before + (l1_total - l1_applied[j]) / scale
            if after > 0.0:
                after = 0.0
        coef[j] = after
        l1_applied[j] += scale * (after - before)
        if average_coef != NULL:
            average_coef[j] -= average_a * (after - before)


cdef inline double _soft_threshold(double value, double threshold) noexcept nogil:
    if value > threshold:
        return value - threshold
    if value < -threshold:
        return value + threshold
    return 0.0


cdef inline double _optimizer_step(const SGDParams* params, double gradient, double* moment1,
                                   double* moment2, double eta, double bias1,
                                   double bias2) noexcept nogil:
    """The amount to subtract from one weight whose gradient is ``gradient``."""
    if params.optimizer == MOMENTUM:
        moment1[0] = params.beta1 * moment1[0] + gradient
        return eta * moment1[0]
    if params.optimizer == RMSPROP:
        moment2[0] = params.beta2 * moment2[0] + (1.0 - params.beta2) * gradient * gradient
        return eta * gradient / (sqrt(moment2[0]) + params.optimizer_epsilon)
    moment1[0] = params.beta1 * moment1[0] + (1.0 - params.beta1) * gradient
    moment2[0] = params.beta2 * moment2[0] + (1.0 - params.beta2) * gradient * gradient
    return eta * (moment1[0] / bias1) / (sqrt(moment2[0] / bias2) + params.optimizer_epsilon)


cdef void _fold_scale(double* coef, double* average_coef, Py_ssize_t n_features, double* scale,
                      double* average_a, double* average_b) noexcept nogil:
    """Store the plain weights (scale 1) and the plain average (a = 0, b = 1)."""
    cdef Py_ssize_t j
    if average_coef != NULL:
        for j in range(n_features):
            average_coef[j] = (average_coef[j] + average_a[0] * coef[j]) / average_b[0]
        average_a[0] = 0.0
        average_b[0] = 1.0
    for j in range(n_features):
        coef[j] *= scale[0]
    scale[0] = 1.0


ctypedef struct PlainCursor:
    # plain SGD's per-model running state between chunks of rows of one epoch
    double scale
    double average_a
    double average_b
    double total_loss
    bint averaging


cdef void _plain_sgd_start(PlainCursor* cursor, const SGDParams* params,
                           long long step) noexcept nogil:
    cursor.scale = 1.0
    cursor.average_a = 0.0
    cursor.average_b = 1.0
    cursor.total_loss = 0.0
    # averaging may have started in an earlier epoch (its state is then folded: a = 0, b = 1)
    cursor.averaging = params.average_start > 0 and step > params.average_start


cdef void _plain_sgd_finish(PlainCursor* cursor, double* coef, double* average_coef,
                            Py_ssize_t n_features, double* loss_sum) noexcept nogil:
    _fold_scale(coef, average_coef if cursor.averaging else NULL, n_features, &cursor.scale,
                &cursor.average_a, &cursor.average_b)
    loss_sum[0] = cursor.total_loss


cdef long long _plain_sgd_rows(
    const floating* dense, const floating* data, const index_t* indices,
    const index_t* indptr, Py_ssize_t n_samples, Py_ssize_t n_features,
    const double* y, const double* sample_weight, const double* row_caps,
    const Py_ssize_t* order, Py_ssize_t first, Py_ssize_t last,
    double positive_class, double* coef, double* intercept, double* average_coef,
    double* average_intercept, double* l1_applied, double* l1_total,
    double* batch_updates, PlainCursor* cursor, const SGDParams* params, long long step,
) noexcept nogil:
    """Plain SGD for one model over ``order[first:last]``; returns the next step.

    ``first`` is at a batch boundary. During the epoch the stored weights are ``coef = v`` with
    w = scale * v. The average is ``(average_coef + average_a * v) / average_b`` (Bottou 2012,
    "Stochastic gradient descent tricks"), so a sparse step updates the average at the row's
    non-zeros only. ``row_caps`` (NULL for none) bounds the step of each row's loss term: a
    row never moves its own prediction past the minimum of its loss.
    """
    cdef double scale = cursor.scale
    cdef double average_a = cursor.average_a, average_b = cursor.average_b
    cdef double total_loss = cursor.total_loss
    cdef bint averaging = cursor.averaging
    cdef double eta, row_eta, prediction, label, update, intercept_update, decay, mu
    cdef Py_ssize_t start = first, stop, r, i, j, nnz, n_batch
    cdef long long n_averaged
    cdef const floating* values
    cdef const index_t* columns

    while start < last:
        stop = start + params.batch_size
        if stop > last:
            stop = last
        n_batch = stop - start
        eta = _learning_rate(params, step)

        # the gradient of the whole batch is taken at the weights before the step
        for r in range(n_batch):
            i = order[start + r]
            if start + r + PREFETCH_DISTANCE < n_samples:
                _prefetch_row(dense, data, indices, indptr, n_features,
                              order[start + r + PREFETCH_DISTANCE])
            _row(dense, data, indices, indptr, n_features, i, &values, &columns, &nnz)
            prediction = scale * _row_dot(values, columns, nnz, coef) + intercept[0]
            label = _label(params, y[i], positive_class)
            total_loss += sample_weight[i] * loss_value(params.loss, prediction, label,
                                                        params.epsilon)
            row_eta = eta
            if row_caps != NULL and row_caps[i] < eta:
                row_eta = row_caps[i]
            batch_updates[r] = (-row_eta * sample_weight[i] / n_batch
                                * loss_derivative(params.loss, prediction, label, params.epsilon))

        if params.alpha_l2 > 0.0:
            decay = 1.0 - eta * params.alpha_l2
            scale *= decay if decay > 0.0 else 0.0
            if scale < MIN_WEIGHT_SCALE:
                _fold_scale(coef, average_coef if averaging else NULL, n_features, &scale,
                            &average_a, &average_b)

        intercept_update = 0.0
        for r in range(n_batch):
            update = batch_updates[r]
            if update != 0.0:
                i = order[start + r]
                _row(dense, data, indices, indptr, n_features, i, &values, &columns, &nnz)
                _row_axpy(update / scale, values, columns, nnz, coef)
                if averaging:
                    # keeps (average_coef + average_a * v) unchanged by this change of v
                    _row_axpy(-average_a * update / scale, values, columns, nnz, average_coef)
                intercept_update += update
        if params.fit_intercept:
            intercept[0] += intercept_update

        if params.alpha_l1 > 0.0:
            l1_total[0] += eta * params.alpha_l1
            if dense != NULL:
                _cumulative_l1(coef, l1_applied, scale, l1_total[0], <const index_t*> NULL,
                               n_features, average_coef if averaging else NULL, average_a)
            else:
                for r in range(n_batch):
                    i = order[start + r]
                    _row(dense, data, indices, indptr, n_features, i, &values, &columns, &nnz)
                    _cumulative_l1(coef, l1_applied, scale, l1_total[0], columns, nnz,
                                   average_coef if averaging else NULL, average_a)

        if params.average_start > 0 and step >= params.average_start:
            n_averaged = step - params.average_start + 1
            # polynomial-decay averaging: step t weighs in proportion to t (Shamir & Zhang,
            # 2013), which forgets the large early steps faster than the plain mean
            mu = 2.0 / (n_averaged + 1)
            if n_averaged == 1:
                memset(average_coef, 0, n_features * sizeof(double))
                average_a = 0.0
                average_b = 1.0
                averaging = True
            else:
                average_b /= 1.0 - mu
            average_a += mu * average_b * scale
            average_intercept[0] += mu * (intercept[0] - average_intercept[0])
        step += 1
        start = stop

    cursor.scale = scale
    cursor.average_a = average_a
    cursor.average_b = average_b
    cursor.total_loss = total_loss
    cursor.averaging = averaging
    return step


cdef long long _adaptive_rows(
    const floating* dense, const floating* data, const index_t* indices,
    const index_t* indptr, Py_ssize_t n_samples, Py_ssize_t n_features,
    const double* y, const double* sample_weight, const Py_ssize_t* order,
    Py_ssize_t first, Py_ssize_t last,
    double positive_class, double* coef, double* intercept, double* moment1, double* moment2,
    double* intercept_moments, double* average_coef, double* average_intercept,
    double* gradient, double* loss_sum, const SGDParams* params, long long step,
) noexcept nogil:
    """Momentum, RMSProp or Adam for one model over ``order[first:last]``; returns the next step.

    ``first`` is at a batch boundary; the losses are added to ``loss_sum``. ``gradient`` is all
    zeros on entry and is left all zeros.
    """
    cdef double eta, prediction, label, slope, intercept_gradient, weight_gradient, mu
    cdef double bias1 = 1.0, bias2 = 1.0
    cdef double total_loss = 0.0
    cdef Py_ssize_t start = first, stop, r, i, j, nnz, n_batch
    cdef long long n_averaged
    cdef const floating* values
    cdef const index_t* columns

    while start < last:
        stop = start + params.batch_size
        if stop > last:
            stop = last
        n_batch = stop - start
        eta = _learning_rate(params, step)

        intercept_gradient = 0.0
        for r in range(n_batch):
            i = order[start + r]
            if start + r + PREFETCH_DISTANCE < n_samples:
                _prefetch_row(dense, data, indices, indptr, n_features,
                              order[start + r + PREFETCH_DISTANCE])
            _row(dense, data, indices, indptr, n_features, i, &values, &columns, &nnz)
            prediction = _row_dot(values, columns, nnz, coef) + intercept[0]
            label = _label(params, y[i], positive_class)
            total_loss += sample_weight[i] * loss_value(params.loss, prediction, label,
                                                        params.epsilon)
            slope = (sample_weight[i] / n_batch
                     * loss_derivative(params.loss, prediction, label, params.epsilon))
            if slope != 0.0:
                _row_axpy(slope, values, columns, nnz, gradient)
                intercept_gradient += slope

        if params.optimizer == ADAM:
            bias1 = 1.0 - pow(params.beta1, <double> step)
            bias2 = 1.0 - pow(params.beta2, <double> step)
        for j in range(n_features):
            weight_gradient = gradient[j] + params.alpha_l2 * coef[j]
            gradient[j] = 0.0
            coef[j] -= _optimizer_step(params, weight_gradient, &moment1[j], &moment2[j], eta,
                                       bias1, bias2)
            if params.alpha_l1 > 0.0:
                # proximal (soft-threshold) step for the L1 part, decoupled from the moments
                coef[j] = _soft_threshold(coef[j], eta * params.alpha_l1)
        if params.fit_intercept:
            intercept[0] -= _optimizer_step(params, intercept_gradient, &intercept_moments[0],
                                            &intercept_moments[1], eta, bias1, bias2)

        if params.average_start > 0 and step >= params.average_start:
            n_averaged = step - params.average_start + 1
            mu = 2.0 / (n_averaged + 1)
            for j in range(n_features):
                average_coef[j] += mu * (coef[j] - average_coef[j])
            average_intercept[0] += mu * (intercept[0] - average_intercept[0])
        step += 1
        start = stop

    loss_sum[0] += total_loss
    return step


cdef inline double* _model_row(double[:, ::1] array, Py_ssize_t k) noexcept nogil:
    """Row ``k`` of a per-model array, or NULL when the array has no columns (unused)."""
    if array.shape[1] == 0:
        return NULL
    return &array[k, 0]


def sgd_epoch(
    const floating[:, ::1] X_dense,
    const floating[::1] X_data,
    const index_t[::1] X_indices,
    const index_t[::1] X_indptr,
    const double[::1] y,
    const double[::1] sample_weight,
    const double[::1] row_caps,
    const Py_ssize_t[::1] order,
    const double[::1] positive_class,
    double[:, ::1] coef,
    double[::1] intercept,
    double[:, ::1] moment1,
    double[:, ::1] moment2,
    double[:, ::1] intercept_moments,
    double[:, ::1] average_coef,
    double[::1] average_intercept,
    double[:, ::1] l1_applied,
    double[::1] l1_total,
    double[:, ::1] work,
    double[::1] loss_sums,
    SGDParams params,
    long long step,
    int n_threads,
):
    """Run one epoch for every model; return the optimiser step count after it.

    Parameters
    ----------
    X_dense : ndarray of shape (n_samples, n_features) or (0, n_features), float32 or float64
        The rows when dense; empty when the rows are given as CSR.
    X_data, X_indices, X_indptr : ndarrays
        CSR rows (indices and indptr both int32 or both int64); empty when ``X_dense`` is
        used.
    y : ndarray of shape (n_samples,)
        Class index (classification) or target (regression).
    sample_weight : ndarray of shape (n_samples,)
        Weight of each row's loss (sample weight times class weight).
    row_caps : ndarray of shape (n_samples,) or (0,)
        Plain SGD only: the largest step size of each row's loss term (empty: no bound).
    order : ndarray of shape (n_samples,)
        The rows in the order they are visited this epoch.
    positive_class : ndarray of shape (n_models,)
        The class index that model k sees as +1 (ignored for regression).
    coef, intercept : ndarrays of shape (n_models, n_features) and (n_models,)
        Updated in place.
    moment1, moment2 : ndarrays of shape (n_models, n_features) or (n_models, 0)
        Optimiser moments (momentum / Adam m, RMSProp / Adam v), updated in place.
    intercept_moments : ndarray of shape (n_models, 2)
        The same two moments for the intercepts.
    average_coef, average_intercept : ndarrays of shape (n_models, n_features or 0), (n_models,)
        Averaged weights (ASGD), updated in place when ``params.average_start > 0``.
    l1_applied : ndarray of shape (n_models, n_features) or (n_models, 0)
        Cumulative L1 penalty received by each weight (plain SGD with L1 only).
    l1_total : ndarray of shape (n_models,)
        Cumulative L1 penalty every weight should have received.
    work : ndarray of shape (n_models, max(batch_size, n_features))
        Scratch space: batch updates (plain SGD) or the dense gradient (other optimisers),
        which must be all zeros on entry and is left all zeros.
    loss_sums : ndarray of shape (n_models,)
        Written: weighted sum of each model's losses over the epoch, each taken before its step.
    params : dict
        Fields of ``SGDParams``.
    step : int
        1-based count of the optimiser step that comes next.
    n_threads : int
        Threads across models.

    Returns
    -------
    step : int
    """
    cdef Py_ssize_t n_models = coef.shape[0]
    cdef Py_ssize_t n_features = coef.shape[1]
    cdef Py_ssize_t n_samples = order.shape[0]
    cdef Py_ssize_t k
    cdef long long next_step = step
    cdef const floating* dense = NULL
    cdef const floating* data = NULL
    cdef const index_t* indices = NULL
    cdef const index_t* indptr = NULL
    if X_dense.shape[0] > 0:
        dense = &X_dense[0, 0]
    else:
        indptr = &X_indptr[0]
        if X_data.shape[0] > 0:
            data = &X_data[0]
            indices = &X_indices[0]
    if n_samples == 0:
        return step
    cdef const double* caps = &row_caps[0] if row_caps.shape[0] > 0 else NULL

    cdef bint plain = params.optimizer == SGD
    cdef Py_ssize_t n_blocks = min(max(n_threads, 1), n_models)
    cdef Py_ssize_t block, k_first, k_last, chunk_start, chunk_stop
    cdef long long chunk_step, block_step
    cdef double row_bytes
    if dense != NULL:
        row_bytes = n_features * sizeof(floating)
    else:
        row_bytes = ((<double> indptr[X_indptr.shape[0] - 1] / (X_indptr.shape[0] - 1))
                     * (sizeof(floating) + sizeof(index_t)))
    cdef Py_ssize_t chunk = _chunk_rows(params.batch_size, row_bytes,
                                        (n_models + n_blocks - 1) // n_blocks, n_samples)
    cdef PlainCursor* cursors = <PlainCursor*> malloc(n_models * sizeof(PlainCursor))
    if cursors == NULL:
        raise MemoryError()

    try:
        # each thread trains a block of models chunk by chunk, so a chunk of rows read from
        # memory serves every model of the block while it is in cache
        for block in prange(n_blocks, nogil=True, schedule="static", num_threads=n_blocks):
            k_first = block * n_models // n_blocks
            k_last = (block + 1) * n_models // n_blocks
            for k in range(k_first, k_last):
                _plain_sgd_start(&cursors[k], &params, step)
                loss_sums[k] = 0.0
            chunk_start = 0
            chunk_step = step
            block_step = step
            while chunk_start < n_samples:
                chunk_stop = chunk_start + chunk
                if chunk_stop > n_samples:
                    chunk_stop = n_samples
                for k in range(k_first, k_last):
                    if plain:
                        block_step = _plain_sgd_rows(
                            dense, data, indices, indptr, n_samples, n_features, &y[0],
                            &sample_weight[0], caps, &order[0], chunk_start, chunk_stop,
                            positive_class[k], &coef[k, 0], &intercept[k],
                            _model_row(average_coef, k), &average_intercept[k],
                            _model_row(l1_applied, k), &l1_total[k], &work[k, 0], &cursors[k],
                            &params, chunk_step)
                    else:
                        block_step = _adaptive_rows(
                            dense, data, indices, indptr, n_samples, n_features, &y[0],
                            &sample_weight[0], &order[0], chunk_start, chunk_stop,
                            positive_class[k], &coef[k, 0], &intercept[k],
                            _model_row(moment1, k), _model_row(moment2, k),
                            &intercept_moments[k, 0], _model_row(average_coef, k),
                            &average_intercept[k], &work[k, 0], &loss_sums[k], &params,
                            chunk_step)
                chunk_step = block_step
                chunk_start = chunk_stop
            if plain:
                for k in range(k_first, k_last):
                    _plain_sgd_finish(&cursors[k], &coef[k, 0], _model_row(average_coef, k),
                                      n_features, &loss_sums[k])
            next_step = chunk_step
    finally:
        free(cursors)
    return next_step


cdef Py_ssize_t _chunk_rows(Py_ssize_t batch_size, double row_bytes,
                            Py_ssize_t models_per_block, Py_ssize_t n_samples) noexcept nogil:
    """Rows a thread passes through all its models at a time: whole batches, about
    ``CHUNK_BYTES`` of row data; the whole epoch when a thread has a single model."""
    cdef Py_ssize_t n_batches
    if models_per_block <= 1:
        return n_samples
    n_batches = <Py_ssize_t> (CHUNK_BYTES / (row_bytes * batch_size + 1.0))
    return (n_batches if n_batches > 1 else 1) * batch_size


def shuffle_order(Py_ssize_t[::1] order, uint64_t seed):
    """Shuffle ``order`` in place (Fisher-Yates with the splitmix64 stream seeded by ``seed``)."""
    cdef Py_ssize_t i, j
    cdef uint64_t state = seed
    with nogil:
        for i in range(order.shape[0] - 1, 0, -1):
            j = random_below(&state, i + 1)
            order[i], order[j] = order[j], order[i]


def loss_sums(
    const floating[:, ::1] X_dense,
    const floating[::1] X_data,
    const index_t[::1] X_indices,
    const index_t[::1] X_indptr,
    const double[::1] y,
    const double[::1] sample_weight,
    const Py_ssize_t[::1] rows,
    const double[::1] positive_class,
    const double[:, ::1] coef,
    const double[::1] intercept,
    double[::1] sums,
    SGDParams params,
    int n_threads,
):
    """Weighted loss of every model summed over ``rows``, written to ``sums``.

    The data arguments are those of ``sgd_epoch``; the losses are the kernel's own, so this is
    the data term of the objective the epochs minimise, at ``coef`` and ``intercept``.
    """
    cdef Py_ssize_t n_models = coef.shape[0]
    cdef Py_ssize_t n_features = coef.shape[1]
    cdef Py_ssize_t n_rows = rows.shape[0]
    cdef Py_ssize_t k, r, i, nnz
    cdef double total, prediction, label
    cdef const floating* dense = NULL
    cdef const floating* data = NULL
    cdef const index_t* indices = NULL
    cdef const index_t* indptr = NULL
    cdef const floating* values
    cdef const index_t* columns
    if X_dense.shape[0] > 0:
        dense = &X_dense[0, 0]
    else:
        indptr = &X_indptr[0]
        if X_data.shape[0] > 0:
            data = &X_data[0]
            indices = &X_indices[0]
    if n_models == 0:
        return
    for k in prange(n_models, nogil=True, schedule="static",
                    num_threads=min(max(n_threads, 1), n_models)):
        total = 0.0
        for r in range(n_rows):
            i = rows[r]
            _row(dense, data, indices, indptr, n_features, i, &values, &columns, &nnz)
            prediction = _row_dot(values, columns, nnz, &coef[k, 0]) + intercept[k]
            label = _label(&params, y[i], positive_class[k])
            total = total + sample_weight[i] * loss_value(params.loss, prediction, label,
                                                          params.epsilon)
        sums[k] = total


def row_squared_norms(
    const floating[:, ::1] X_dense,
    const floating[::1] X_data,
    const index_t[::1] X_indices,
    const index_t[::1] X_indptr,
    double[::1] out,
):
    """Write ``|x_i|²`` of every row to ``out`` (the data arguments are those of ``sgd_epoch``)."""
    cdef Py_ssize_t n_rows = out.shape[0]
    cdef Py_ssize_t n_features = X_dense.shape[1]
    cdef Py_ssize_t i, j, start, stop
    cdef double total
    with nogil:
        for i in range(n_rows):
            total = 0.0
            if X_dense.shape[0] > 0:
                for j in range(n_features):
                    total += X_dense[i, j] * X_dense[i, j]
            else:
                start = X_indptr[i]
                stop = X_indptr[i + 1]
                for j in range(start, stop):
                    total += X_data[j] * X_data[j]
            out[i] = total
