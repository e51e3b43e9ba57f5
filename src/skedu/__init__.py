"""skedu: scikit-learn compatible estimators with compiled OpenMP kernels.

Estimators live in their modules, as in scikit-learn:

- :mod:`skedu.tree`: ``DecisionTreeClassifier``, ``DecisionTreeRegressor``, ``export_text``
- :mod:`skedu.ensemble`: ``GradientBoostingClassifier``, ``GradientBoostingRegressor``
- :mod:`skedu.discriminant_analysis`: ``LinearDiscriminantAnalysis``
- :mod:`skedu.svm`: ``LinearSVC``
- :mod:`skedu.frequent_patterns`: ``FPGrowth``, ``fpgrowth``, ``association_rules``

:func:`skedu.show_versions` prints what a bug report needs.
"""

__version__ = "0.1.0"

__all__ = ["show_versions"]


def __getattr__(name):
    # Imported on first use, so that ``import skedu`` loads neither the kernels nor threadpoolctl.
    if name == "show_versions":
        from .utils._show_versions import show_versions

        return show_versions
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")


def __dir__():
    return sorted(list(globals()) + __all__)
