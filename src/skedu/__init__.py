"""skedu: scikit-learn compatible estimators with compiled OpenMP kernels.

Estimators live in their modules, as in scikit-learn:

- :mod:`skedu.tree`: ``DecisionTreeClassifier``, ``DecisionTreeRegressor``, ``export_text``
- :mod:`skedu.ensemble`: ``GradientBoostingClassifier``, ``GradientBoostingRegressor``
- :mod:`skedu.discriminant_analysis`: ``LinearDiscriminantAnalysis``
- :mod:`skedu.svm`: ``LinearSVC``
- :mod:`skedu.frequent_patterns`: ``FPGrowth``, ``fpgrowth``, ``association_rules``
"""

__version__ = "0.1.0"
