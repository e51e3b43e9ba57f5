"""Test entry points of the split scores, which kernels cimport inline from ``_criterion.pxd``."""



def side_score_for_tests(const double[::1] sums, double hessian, int criterion,
                         double l2_regularization=0.0):
    """``side_score`` of one side with channel sums ``sums`` and hessian sum ``hessian``."""
    return side_score(&sums[0], hessian, sums.shape[0], criterion, l2_regularization)


def node_impurity_for_tests(const double[::1] sums, double hessian, double sum_squares,
                            int criterion, double l2_regularization=0.0, intp_t n_outputs=1):
    """``node_impurity`` of a node with the given sums (``n_outputs`` outputs for gini and
    entropy; regression: one per channel)."""
    return node_impurity(&sums[0], hessian, sum_squares, sums.shape[0], n_outputs, criterion,
                         l2_regularization)


def leaf_value_for_tests(double channel_sum, double hessian, int criterion,
                         double l2_regularization=0.0):
    """``leaf_value`` of one channel."""
    return leaf_value(channel_sum, hessian, criterion, l2_regularization)


def split_rules_for_tests(double gain, double required, int criterion, double hessian):
    """``gain_suffices`` and ``side_allowed`` of one case."""
    return bool(gain_suffices(gain, required, criterion)), bool(side_allowed(hessian, criterion))


def split_gain_scale_for_tests(int criterion, intp_t n_outputs, double root_weight):
    """``split_gain_scale`` of one case."""
    return split_gain_scale(criterion, n_outputs, root_weight)


def label_side_score_for_tests(const double[::1] counts, intp_t n_outputs, int criterion):
    """``label_side_score`` of a side with class counts ``counts`` (n_outputs blocks, each
    summing to the side's weight), from the sum of their ``class_term``s."""
    cdef double terms = 0.0
    cdef intp_t k
    for k in range(counts.shape[0]):
        terms += class_term(counts[k], criterion)
    return label_side_score(terms, sum(counts) / n_outputs, n_outputs, criterion)
