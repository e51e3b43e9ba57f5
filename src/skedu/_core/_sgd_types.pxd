# Codes of the losses, optimisers and learning-rate schedules of the SGD kernel, defined once.
# Python reads them from the compiled module (``skedu._core._sgd_types.Loss`` etc.), each
# member named as the estimator's string parameter in upper case.

cpdef enum Loss:
    HINGE = 0
    SQUARED_HINGE = 1
    LOG_LOSS = 2
    EPSILON_INSENSITIVE = 3
    SQUARED_EPSILON_INSENSITIVE = 4

cpdef enum Optimizer:
    SGD = 0
    MOMENTUM = 1
    RMSPROP = 2
    ADAM = 3

cpdef enum Schedule:
    CONSTANT = 0
    OPTIMAL = 1
    INVSCALING = 2
