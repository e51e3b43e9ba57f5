"""Ensembles of trees grown on skedu's shared tree engine: forests, AdaBoost and gradient
boosting."""

from ._forest import (ExtraTreesClassifier, ExtraTreesRegressor, RandomForestClassifier,
                      RandomForestRegressor)
from ._gradient_boosting import GradientBoostingClassifier, GradientBoostingRegressor
from ._weight_boosting import AdaBoostClassifier, AdaBoostRegressor

__all__ = ["RandomForestClassifier", "RandomForestRegressor", "ExtraTreesClassifier",
           "ExtraTreesRegressor", "AdaBoostClassifier", "AdaBoostRegressor",
           "GradientBoostingClassifier", "GradientBoostingRegressor"]
