# Split scores over accumulated sums: one formula per criterion, chosen once per search. Every
# rule that differs between the CART criteria and boosting's second-order score is here.
#
# A side with channel sums G_k and hessian sum H scores
#   gini, squared_error:  sum_k G_k^2 / H                 (weighted Gini / variance decrease)
#   entropy:              sum_k G_k log2(G_k / H)         (minus the weighted entropy, in bits)
#   second_order:         1/2 sum_k G_k^2 / (H + lambda)  (XGBoost's convention)
# and a split gains score(left) + score(right) - score(node). For the CART criteria that is the
# weighted impurity decrease W_node*imp_node - W_left*imp_left - W_right*imp_right; for second
# order it is XGBoost's gain before gamma, so gamma (``min_split_gain``) passes through unscaled:
# a second-order split is kept when gain > gamma.

from libc.float cimport DBL_EPSILON
from libc.math cimport log, M_LN2
from ._types cimport intp_t, ENTROPY, SECOND_ORDER, SQUARED_ERROR


cdef inline double side_score(const double* sums, double hessian, intp_t n_channels,
                              int criterion, double l2_regularization) noexcept nogil:
    cdef double score = 0.0
    cdef intp_t k
    if criterion == ENTROPY:
        if hessian <= 0.0:
            return 0.0
        for k in range(n_channels):
            if sums[k] > 0.0:
                score += sums[k] * log(sums[k] / hessian)
        return score / M_LN2
    if criterion == SECOND_ORDER:
        hessian = hessian + l2_regularization
    if hessian <= 0.0:
        return 0.0
    for k in range(n_channels):
        score += sums[k] * sums[k]
    if criterion == SECOND_ORDER:
        return 0.5 * score / hessian
    return score / hessian


cdef inline bint side_allowed(double hessian, int criterion) noexcept nogil:
    """CART children need positive weight; boosting's hessians may sum to zero (lambda > 0)."""
    return criterion == SECOND_ORDER or hessian > 0.0


cdef inline double node_impurity(const double* sums, double hessian, double sum_squares,
                                 intp_t n_channels, int criterion,
                                 double l2_regularization) noexcept nogil:
    """Impurity of a node as scikit-learn reports it; second order: the node's objective
    -1/2 sum_k G_k^2 / (H + lambda), so that a split's gain is imp(node) - imp(left) - imp(right)."""
    cdef double fraction, impurity = 0.0
    cdef intp_t k
    if criterion == SECOND_ORDER:
        return -side_score(sums, hessian, n_channels, criterion, l2_regularization)
    if hessian <= 0.0:
        return 0.0
    if criterion == ENTROPY:
        for k in range(n_channels):
            if sums[k] > 0.0:
                fraction = sums[k] / hessian
                impurity -= fraction * log(fraction) / M_LN2
        return impurity
    if criterion == SQUARED_ERROR:
        impurity = sum_squares / hessian
        for k in range(n_channels):
            fraction = sums[k] / hessian
            impurity -= fraction * fraction
        return max(impurity, 0.0) / n_channels
    impurity = 1.0
    for k in range(n_channels):
        fraction = sums[k] / hessian
        impurity -= fraction * fraction
    return impurity


cdef inline bint impurity_known(int criterion, bint has_squares) noexcept nogil:
    """Whether node_impurity is a true impurity (zero means pure, nothing to split): squared
    error needs the rows' squares; boosting's node objective is no impurity."""
    if criterion == SQUARED_ERROR:
        return has_squares
    return criterion != SECOND_ORDER


cdef inline double pure_children_gain(double impurity, double weight, intp_t n_channels,
                                      int criterion) noexcept nogil:
    """The gain of a split into pure children (no split gains more): the whole weighted
    impurity, times the number of outputs that squared error's impurity averages over."""
    return (impurity * weight * (n_channels if criterion == SQUARED_ERROR else 1)
            * (1.0 - 1e-10))


cdef inline double required_gain(int criterion, double min_split_gain,
                                 double min_impurity_decrease, double root_weight) noexcept nogil:
    """The gain a split must reach (see ``gain_suffices``)."""
    if criterion == SECOND_ORDER:
        return min_split_gain
    # scikit-learn's rule: a split must decrease impurity per unit of root weight by
    # min_impurity_decrease, up to rounding; zero-gain splits are allowed.
    return max(min_split_gain, (min_impurity_decrease - DBL_EPSILON) * root_weight)


cdef inline bint gain_suffices(double gain, double required, int criterion) noexcept nogil:
    # XGBoost keeps a split when gain - gamma > 0; scikit-learn when decrease >= its minimum.
    if criterion == SECOND_ORDER:
        return gain > required
    return gain >= required


cdef inline double leaf_value(double channel_sum, double hessian, int criterion,
                              double l2_regularization) noexcept nogil:
    """CART: the weighted mean (class fraction); second order: the Newton step -G/(H+lambda)."""
    if criterion == SECOND_ORDER:
        if hessian + l2_regularization <= 0.0:
            return 0.0
        return -channel_sum / (hessian + l2_regularization)
    if hessian <= 0.0:
        return 0.0
    return channel_sum / hessian
