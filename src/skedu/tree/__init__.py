"""Decision trees: CART classification and regression on skedu's shared tree engine."""

from ._classes import DecisionTreeClassifier, DecisionTreeRegressor
from ._export import export_graphviz, export_text, plot_tree

__all__ = ["DecisionTreeClassifier", "DecisionTreeRegressor", "export_graphviz", "export_text",
           "plot_tree"]
