"""Ensembles of skedu trees: gradient-boosted trees with second-order splits and leaves."""

from ._gradient_boosting import GradientBoostingClassifier, GradientBoostingRegressor

__all__ = ["GradientBoostingClassifier", "GradientBoostingRegressor"]
