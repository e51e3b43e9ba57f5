"""Test entry points of the split scores, which kernels cimport inline from ``_criterion.pxd``."""



def side_score_for_tests(const double[::1] sums, double hessian, int criterion,
                         double l2_regularization=0.0):
    """``side_score`` of one side with channel sums ``sums`` and hessian sum ``hessian``."""
    return side_score(&sums[0], hessian, sums.shape[0], criterion, l2_regularization)


def node_impurity_for_tests(const double[::1] sums, double hessian, double sum_squares,
                            int criterion, double l2_regularization=0.0):
    """``node_impurity`` of a node with the given sums."""
    return node_impurity(&sums[0], hessian, sum_squares, sums.shape[0], criterion,
                         l2_regularization)


def leaf_value_for_tests(double channel_sum, double hessian, int criterion,
                         double l2_regularization=0.0):
    """``leaf_value`` of one channel."""
    return leaf_value(channel_sum, hessian, criterion, l2_regularization)


def split_rules_for_tests(double gain, double required, int criterion, double hessian):
    """``gain_suffices`` and ``side_allowed`` of one case."""
    return bool(gain_suffices(gain, required, criterion)), bool(side_allowed(hessian, criterion))
