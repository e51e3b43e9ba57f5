"""Losses of the SGD epoch loop, as inline functions of the margin.

``prediction`` is w·x + b, ``label`` is ±1 for classification and the target for regression.
Each loss has its value and its derivative with respect to ``prediction``; the codes match
``skedu.svm._params.LOSS_CODES``.
"""

from libc.math cimport exp, fabs, log1p

cdef enum:
    HINGE = 0
    SQUARED_HINGE = 1
    LOG_LOSS = 2
    EPSILON_INSENSITIVE = 3
    SQUARED_EPSILON_INSENSITIVE = 4


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
