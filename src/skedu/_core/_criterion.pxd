# Split scores over accumulated sums: one formula per criterion, chosen once per search. Every
# rule that differs between the criteria (CART's and boosting's second-order score) is here.
#
# A side with channel sums G_k and hessian sum H scores
#   gini, squared_error:  sum_k G_k^2 / H                 (weighted Gini / variance decrease)
#   entropy:              sum_k G_k log2(G_k / H)         (minus the weighted entropy, in bits)
#   friedman_mse:         (sum_k G_k)^2 / H               (Friedman's improvement: the outputs'
#                                                          sums are added before squaring)
#   poisson:              sum_k G_k log(G_k / H)          (minus the half Poisson deviance, up
#                                                          to terms every split shares); -inf
#                                                          when some G_k <= eps (zero mean)
#   second_order:         1/2 sum_k G_k^2 / (H + lambda)  (XGBoost's convention)
# Absolute error is no function of sums: its splitters (``_absolute_error.pyx``) score a side by
# minus its weighted absolute error around the weighted median, and nodes store medians.
# and a split's raw gain is score(left) + score(right) - score(node). For the CART criteria that
# is the weighted impurity decrease summed over the outputs; ``split_gain_scale`` turns it into
# scikit-learn's improvement times the root weight (outputs averaged, Friedman's own formula),
# the unit of ``required_gain`` and of best-first order. For second order it is XGBoost's gain
# before gamma, so gamma (``min_split_gain``) passes through unscaled: a second-order split is
# kept when gain > gamma.
#
# Classification rows may come as labels (the channel of their class, per output) instead of
# one-hot gradient rows: the label sweeps keep running sums of ``class_term`` over the classes
# (``label_side_score``), so that a candidate split costs O(1) whatever the number of classes.

from libc.float cimport DBL_EPSILON
from libc.math cimport INFINITY, log, M_LN2
from ._types cimport intp_t, ABSOLUTE_ERROR, ENTROPY, FRIEDMAN_MSE, POISSON, SECOND_ORDER, SQUARED_ERROR


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
    if criterion == POISSON:
        if hessian <= 0.0:
            return 0.0
        for k in range(n_channels):
            # scikit-learn's rule: no child with a zero mean (its deviance is infinite).
            if sums[k] <= DBL_EPSILON:
                return -INFINITY
            score += sums[k] * log(sums[k] / hessian)
        return score
    if criterion == SECOND_ORDER:
        hessian = hessian + l2_regularization
    if hessian <= 0.0:
        return 0.0
    if criterion == FRIEDMAN_MSE:
        for k in range(n_channels):
            score += sums[k]
        return score * score / hessian
    for k in range(n_channels):
        score += sums[k] * sums[k]
    if criterion == SECOND_ORDER:
        return 0.5 * score / hessian
    return score / hessian


cdef inline bint side_allowed(double hessian, int criterion) noexcept nogil:
    """CART children need positive weight; boosting's hessians may sum to zero (lambda > 0)."""
    return criterion == SECOND_ORDER or hessian > 0.0


cdef inline double node_impurity(const double* sums, double hessian, double sum_squares,
                                 intp_t n_channels, intp_t n_outputs, int criterion,
                                 double l2_regularization) noexcept nogil:
    """Impurity of a node as scikit-learn reports it (the mean over outputs); second order:
    the node's objective -1/2 sum_k G_k^2 / (H + lambda), so that a split's gain is
    imp(node) - imp(left) - imp(right). ``sum_squares`` is the sum of the rows' ``squares``
    term (squared error, Friedman, Poisson)."""
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
        return impurity / n_outputs
    if criterion == SQUARED_ERROR or criterion == FRIEDMAN_MSE:
        impurity = sum_squares / hessian
        for k in range(n_channels):
            fraction = sums[k] / hessian
            impurity -= fraction * fraction
        return max(impurity, 0.0) / n_channels
    if criterion == POISSON:
        # Half Poisson deviance: sum_i w_i y_i log(y_i / mean) / W, the rest cancels.
        for k in range(n_channels):
            if sums[k] <= DBL_EPSILON:
                return INFINITY
            impurity -= sums[k] * log(sums[k] / hessian)
        return max(sum_squares + impurity, 0.0) / (hessian * n_channels)
    # Gini, per output 1 - sum_k p_k^2; every output's fractions sum to one.
    impurity = n_outputs
    for k in range(n_channels):
        fraction = sums[k] / hessian
        impurity -= fraction * fraction
    return impurity / n_outputs


cdef inline bint impurity_known(int criterion, bint has_squares) noexcept nogil:
    """Whether node_impurity is a true impurity (zero means pure, nothing to split): the
    regression criteria need the rows' squares term; boosting's node objective is no impurity."""
    if criterion == SQUARED_ERROR or criterion == FRIEDMAN_MSE or criterion == POISSON:
        return has_squares
    return criterion != SECOND_ORDER


cdef inline bint rows_carry_sums(int criterion) noexcept nogil:
    """Whether the gradient rows are summed (and scaled by row weights): absolute error's
    rows carry the targets themselves."""
    return criterion != ABSOLUTE_ERROR


cdef inline double pure_children_gain(double impurity, double weight, intp_t n_outputs,
                                      int criterion) noexcept nogil:
    """The raw gain of a split into pure children (no split gains more): the whole weighted
    impurity, times the number of outputs it averages over; unknown (inf) for Friedman's
    score, whose children may gain more than the outputs' impurities."""
    if criterion == FRIEDMAN_MSE:
        return INFINITY
    return impurity * weight * n_outputs * (1.0 - 1e-10)


cdef inline double split_gain_scale(int criterion, intp_t n_outputs,
                                    double root_weight) noexcept nogil:
    """Factor from a raw gain (sum of side scores) to the unit ``required_gain`` uses:
    scikit-learn's improvement times the root weight. The CART impurities average their
    outputs; Friedman's improvement is diff^2 / (n_outputs^2 W_L W_R W_node), that is the raw
    gain over n_outputs^2, not relative to the root weight."""
    if criterion == SECOND_ORDER:
        return 1.0
    if criterion == FRIEDMAN_MSE:
        return root_weight / (<double>n_outputs * n_outputs)
    return 1.0 / n_outputs


cdef inline double required_gain(int criterion, double min_split_gain,
                                 double min_impurity_decrease, double root_weight) noexcept nogil:
    """The (scaled) gain a split must reach (see ``gain_suffices``)."""
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
    """CART: the weighted mean (class fraction); second order: the Newton step -G/(H+lambda);
    absolute error: the node holds its weighted median already."""
    if criterion == ABSOLUTE_ERROR:
        return channel_sum
    if criterion == SECOND_ORDER:
        if hessian + l2_regularization <= 0.0:
            return 0.0
        return -channel_sum / (hessian + l2_regularization)
    if hessian <= 0.0:
        return 0.0
    return channel_sum / hessian


# -- label sweeps (gini and entropy): O(1) per row and candidate, whatever the class count ----

cdef inline double class_term(double count, int criterion) noexcept nogil:
    """A class's term in the running sum a side keeps: count^2 (gini), count log count
    (entropy)."""
    if criterion == ENTROPY:
        return count * log(count) if count > 0.0 else 0.0
    return count * count


cdef inline double label_side_score(double terms, double hessian, intp_t n_outputs,
                                    int criterion) noexcept nogil:
    """``side_score`` of a side whose ``class_term``s sum to ``terms``: the class counts of
    every output sum to ``hessian``, so sum_k G_k log(G_k / H) = terms - n_outputs H log H."""
    if hessian <= 0.0:
        return 0.0
    if criterion == ENTROPY:
        return (terms - n_outputs * hessian * log(hessian)) / M_LN2
    return terms / hessian
