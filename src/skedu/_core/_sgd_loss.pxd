"""Losses of the SGD epoch loop, as inline functions of the margin.

``prediction`` is w·x + b, ``label`` is ±1 for classification and the target for regression.
Each loss has its value and its derivative with respect to ``prediction``; the codes are the
``Loss`` enum of ``_sgd_types.pxd``.
"""

from libc.math cimport exp, fabs, log1p

from skedu._core._sgd_types cimport EPSILON_INSENSITIVE, HINGE, LOG_LOSS, SQUARED_HINGE


cdef inline double loss_value(int loss, double prediction, double label,
                              double epsilon) noexcept nogil:
    cdef double z
    if loss == HINGE:
        z = 1.0 - label * prediction
        return z if z > 0.0 else 0.0
    if loss == SQUARED_HINGE:
        z = 1.0 - label * prediction
        return z * z if z > 0.0 else 0.0
    if loss == LOG_LOSS:
        z = label * prediction
        # log(1 + exp(-z)) without overflow for large |z|
        if z > 18.0:
            return exp(-z)
        if z < -18.0:
            return -z
        return log1p(exp(-z))
    z = fabs(label - prediction) - epsilon
    if z <= 0.0:
        return 0.0
    return z if loss == EPSILON_INSENSITIVE else z * z


cdef inline double loss_derivative(int loss, double prediction, double label,
                                   double epsilon) noexcept nogil:
    cdef double z
    if loss == HINGE:
        return -label if label * prediction < 1.0 else 0.0
    if loss == SQUARED_HINGE:
        z = 1.0 - label * prediction
        return -2.0 * label * z if z > 0.0 else 0.0
    if loss == LOG_LOSS:
        z = label * prediction
        if z > 18.0:
            return -label * exp(-z)
        if z < -18.0:
            return -label
        return -label / (1.0 + exp(z))
    z = label - prediction
    if loss == EPSILON_INSENSITIVE:
        if z > epsilon:
            return -1.0
        if z < -epsilon:
            return 1.0
        return 0.0
    if z > epsilon:
        return -2.0 * (z - epsilon)
    if z < -epsilon:
        return -2.0 * (z + epsilon)
    return 0.0
