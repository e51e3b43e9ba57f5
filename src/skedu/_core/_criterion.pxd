# Split scores over accumulated sums: one formula per criterion, chosen once per search.
#
# A side with channel sums G_k and hessian sum H scores
#   gini, squared_error:  sum_k G_k^2 / H            (weighted Gini / variance decrease)
#   entropy:              sum_k G_k log2(G_k / H)    (minus the weighted entropy, in bits)
#   second_order:         sum_k G_k^2 / (H + lambda)
# and a split gains score(left) + score(right) - score(node), which for the CART criteria equals
# the weighted impurity decrease W_node*imp_node - W_left*imp_left - W_right*imp_right.

from libc.math cimport log, M_LN2
from ._types cimport intp_t, CRITERION_ENTROPY, CRITERION_SECOND_ORDER, CRITERION_SQUARED_ERROR



cdef inline double side_score(const double* sums, double hessian, intp_t n_channels,
                              int criterion, double l2_regularization) noexcept nogil:
    cdef double score = 0.0
    cdef intp_t k
    if criterion == CRITERION_ENTROPY:
        if hessian <= 0.0:
            return 0.0
        for k in range(n_channels):
            if sums[k] > 0.0:
                score += sums[k] * log(sums[k] / hessian)
        return score / M_LN2
    if criterion == CRITERION_SECOND_ORDER:
        hessian = hessian + l2_regularization
    if hessian <= 0.0:
        return 0.0
    for k in range(n_channels):
        score += sums[k] * sums[k]
    return score / hessian


cdef inline double node_impurity(const double* sums, double hessian, double sum_squares,
                                 intp_t n_channels, int criterion,
                                 double l2_regularization) noexcept nogil:
    """Impurity of a node as scikit-learn reports it (second order: the node's objective)."""
    cdef double fraction, impurity = 0.0
    cdef intp_t k
    if criterion == CRITERION_SECOND_ORDER:
        return -0.5 * side_score(sums, hessian, n_channels, criterion, l2_regularization)
    if hessian <= 0.0:
        return 0.0
    if criterion == CRITERION_ENTROPY:
        for k in range(n_channels):
            if sums[k] > 0.0:
                fraction = sums[k] / hessian
                impurity -= fraction * log(fraction) / M_LN2
        return impurity
    if criterion == CRITERION_SQUARED_ERROR:
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


cdef inline double leaf_value(double channel_sum, double hessian, int criterion,
                              double l2_regularization) noexcept nogil:
    """CART: the weighted mean (class fraction); second order: the Newton step -G/(H+lambda)."""
    if criterion == CRITERION_SECOND_ORDER:
        return -channel_sum / (hessian + l2_regularization)
    if hessian <= 0.0:
        return 0.0
    return channel_sum / hessian
