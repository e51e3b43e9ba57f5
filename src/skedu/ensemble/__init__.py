"""Ensembles of trees grown on skedu's shared tree engine: forests and gradient boosting."""

from ._forest import (ExtraTreesClassifier, ExtraTreesRegressor, RandomForestClassifier,
                      RandomForestRegressor)
from ._gradient_boosting import GradientBoostingClassifier, GradientBoostingRegressor

__all__ = ["RandomForestClassifier", "RandomForestRegressor", "ExtraTreesClassifier",
           "ExtraTreesRegressor", "GradientBoostingClassifier", "GradientBoostingRegressor"]
