"""scikit-learn's estimator contract for the gradient-boosting estimators."""

from sklearn.base import is_classifier
from sklearn.utils.estimator_checks import parametrize_with_checks

from skedu.ensemble import GradientBoostingClassifier, GradientBoostingRegressor

ESTIMATORS = [
    GradientBoostingClassifier(n_estimators=20, random_state=0),
    GradientBoostingClassifier(n_estimators=20, tree_method="exact", max_leaf_nodes=8,
                               random_state=0),
    GradientBoostingRegressor(n_estimators=20, random_state=0),
    GradientBoostingRegressor(n_estimators=20, loss="absolute_error", random_state=0),
    GradientBoostingClassifier(n_estimators=20, quantize_gradients=True, random_state=0),
    GradientBoostingRegressor(n_estimators=20, quantize_gradients=True, random_state=0),
]


def _expected_failures(estimator):
    # The check's data (15 rows, 30 features) has many splits of exactly equal gain; weighted
    # and repeated rows sum the same gradients in another order, so rounding picks another of
    # the tied splits and an unweighted row may fall on the other side (scikit-learn marks the
    # same check as failing for its gradient boosting). test_gradient_boosting.py checks the
    # equivalence on data without ties. Leaves refit to residual medians are not affected.
    if getattr(estimator, "loss", None) == "absolute_error":
        return {}
    reason = "ties between equal-gain splits are broken by rounding"
    failures = {"check_sample_weight_equivalence_on_dense_data": reason}
    if is_classifier(estimator):
        # On sparse data the check's regression targets happen to have no such ties.
        failures["check_sample_weight_equivalence_on_sparse_data"] = reason
    if estimator.quantize_gradients:
        # A weight of 2 doubles a row's gradient and hessian where a repeated row does not:
        # the quantisation steps follow the largest ones, so the other rows round otherwise.
        failures["check_sample_weight_equivalence_on_sparse_data"] = (
            "quantisation steps follow the largest weighted gradient and hessian")
    return failures


@parametrize_with_checks(ESTIMATORS, expected_failed_checks=_expected_failures)
def test_sklearn_compatible(estimator, check):
    check(estimator)
