"""Text, Graphviz and matplotlib renderings of fitted skedu trees, identical to scikit-learn's.

A skedu tree's ``tree_`` reads like scikit-learn's ``Tree`` (same arrays, node numbers and
``value`` semantics), so ``export_graphviz`` and ``plot_tree`` are scikit-learn's own renderers
applied to it. scikit-learn's ``export_text`` tells classifiers from regressors by their class,
so its logic is reproduced here with ``is_classifier`` (adapted from scikit-learn,
BSD-3-Clause). Every function also takes a forest's ``estimators_[i]``.
"""

from io import StringIO
from numbers import Integral

import numpy as np
from sklearn import tree as sklearn_tree
from sklearn.base import is_classifier
from sklearn.utils._param_validation import HasMethods, Interval, StrOptions, validate_params
from sklearn.utils.validation import check_array, check_is_fitted

from ._classes import DecisionTreeClassifier, DecisionTreeRegressor
from ._flat_tree import TREE_LEAF, TREE_UNDEFINED

__all__ = ["export_graphviz", "export_text", "plot_tree"]

_TREES = [DecisionTreeClassifier, DecisionTreeRegressor]


@validate_params(
    {
        "decision_tree": _TREES,
        "feature_names": ["array-like", None],
        "class_names": ["array-like", None],
        "max_depth": [Interval(Integral, 0, None, closed="left"), None],
        "spacing": [Interval(Integral, 1, None, closed="left"), None],
        "decimals": [Interval(Integral, 0, None, closed="left"), None],
        "show_weights": ["boolean"],
    },
    prefer_skip_nested_validation=True,
)
def export_text(decision_tree, *, feature_names=None, class_names=None, max_depth=10,
                spacing=3, decimals=2, show_weights=False):
    """The rules of a fitted decision tree as indented text (scikit-learn's ``export_text``).

    Parameters
    ----------
    decision_tree : DecisionTreeClassifier or DecisionTreeRegressor
        A fitted skedu tree (a forest's ``estimators_[i]`` too).
    feature_names : array-like of str, default=None
        Names of the features; ``feature_i`` when None.
    class_names : array-like, default=None
        Names of the classes in ascending order (classifier only); ``classes_`` when None.
    max_depth : int, default=10
        Deeper nodes are summarised as "truncated branch".
    spacing : int, default=3
        Width of one indentation step.
    decimals : int, default=2
        Decimals of thresholds and values.
    show_weights : bool, default=False
        Show the weighted class counts of each leaf (classifier).

    Returns
    -------
    report : str

    Examples
    --------
    >>> from sklearn.datasets import load_iris
    >>> from skedu.tree import DecisionTreeClassifier, export_text
    >>> X, y = load_iris(return_X_y=True)
    >>> tree = DecisionTreeClassifier(max_depth=1, random_state=0).fit(X, y)
    >>> print(export_text(tree, feature_names=["sl", "sw", "pl", "pw"]))
    |--- pl <= 2.45
    |   |--- class: 0
    |--- pl >  2.45
    |   |--- class: 1
    <BLANKLINE>
    """
    if feature_names is not None:
        feature_names = check_array(feature_names, ensure_2d=False, dtype=None,
                                    ensure_min_samples=0)
    if class_names is not None:
        class_names = check_array(class_names, ensure_2d=False, dtype=None,
                                  ensure_min_samples=0)
    check_is_fitted(decision_tree)
    tree_ = decision_tree.tree_
    classifier = is_classifier(decision_tree)
    if classifier:
        if class_names is None:
            class_names = decision_tree.classes_
        elif len(class_names) != len(decision_tree.classes_):
            raise ValueError(
                "When `class_names` is an array, it should contain as many items as "
                f"`decision_tree.classes_`. Got {len(class_names)} while the tree was fitted "
                f"with {len(decision_tree.classes_)} classes.")
    if feature_names is not None and len(feature_names) != tree_.n_features:
        raise ValueError("feature_names must contain %d elements, got %d"
                         % (tree_.n_features, len(feature_names)))
    if classifier:
        value_fmt = "{}{} weights: {}\n" if show_weights else "{}{}{}\n"
    else:
        value_fmt = "{}{} value: {}\n"
    # Arrays read once: node lookups below are then O(1).
    features, thresholds = tree_.feature, tree_.threshold
    children_left, children_right = tree_.children_left, tree_.children_right
    values, weights = tree_.value, tree_.weighted_n_node_samples
    if feature_names is not None:
        names = [feature_names[i] if i != TREE_UNDEFINED else None for i in features]
    else:
        names = ["feature_{}".format(i) for i in features]
    report = StringIO()

    def add_leaf(value, weighted_n_node_samples, class_name, indent):
        text = ""
        if classifier:
            if show_weights:
                text = "[" + ", ".join("{1:.{0}f}".format(decimals, v * weighted_n_node_samples)
                                       for v in value) + "]"
            text += " class: " + str(class_name)
        else:
            text = "[" + ", ".join("{1:.{0}f}".format(decimals, v) for v in value) + "]"
        report.write(value_fmt.format(indent, "", text))

    def recurse(node, depth):
        indent = ("|" + " " * spacing) * depth
        indent = indent[:-spacing] + "-" * spacing
        value = values[node][0] if tree_.n_outputs == 1 else values[node].T[0]
        class_name = np.argmax(value)
        if tree_.n_classes[0] != 1 and tree_.n_outputs == 1:
            class_name = class_names[class_name]
        if depth <= max_depth + 1:
            if features[node] != TREE_UNDEFINED:
                threshold = "{1:.{0}f}".format(decimals, thresholds[node])
                report.write("{} {} <= {}\n".format(indent, names[node], threshold))
                recurse(children_left[node], depth + 1)
                report.write("{} {} >  {}\n".format(indent, names[node], threshold))
                recurse(children_right[node], depth + 1)
            else:
                add_leaf(value, weights[node], class_name, indent)
        else:
            subtree_depth = _subtree_depth(children_left, children_right, node)
            if subtree_depth == 1:
                add_leaf(value, weights[node], class_name, indent)
            else:
                report.write("{} {}\n".format(indent, "truncated branch of depth %d"
                                              % subtree_depth))

    recurse(0, 1)
    return report.getvalue()


def _subtree_depth(children_left, children_right, node):
    """Levels of the subtree under ``node`` (1 for a leaf)."""
    stack, deepest = [(node, 1)], 0
    while stack:
        current, depth = stack.pop()
        deepest = max(deepest, depth)
        if children_left[current] != TREE_LEAF:
            stack += [(children_left[current], depth + 1), (children_right[current], depth + 1)]
    return deepest


@validate_params(
    {
        "decision_tree": _TREES,
        "out_file": [str, None, HasMethods("write")],
        "max_depth": [Interval(Integral, 0, None, closed="left"), None],
        "feature_names": ["array-like", None],
        "class_names": ["array-like", "boolean", None],
        "label": [StrOptions({"all", "root", "none"})],
        "filled": ["boolean"],
        "leaves_parallel": ["boolean"],
        "impurity": ["boolean"],
        "node_ids": ["boolean"],
        "proportion": ["boolean"],
        "rotate": ["boolean"],
        "rounded": ["boolean"],
        "special_characters": ["boolean"],
        "precision": [Interval(Integral, 0, None, closed="left"), None],
        "fontname": [str],
    },
    prefer_skip_nested_validation=True,
)
def export_graphviz(decision_tree, out_file=None, *, max_depth=None, feature_names=None,
                    class_names=None, label="all", filled=False, leaves_parallel=False,
                    impurity=True, node_ids=False, proportion=False, rotate=False, rounded=False,
                    special_characters=False, precision=3, fontname="helvetica"):
    """A fitted decision tree in Graphviz DOT format (scikit-learn's ``export_graphviz``).

    Parameters
    ----------
    decision_tree : DecisionTreeClassifier or DecisionTreeRegressor
        A fitted skedu tree (a forest's ``estimators_[i]`` too).
    out_file : object or str, default=None
        File object or name to write to; None returns the text.
    max_depth, feature_names, class_names, label, filled, leaves_parallel, impurity, \
node_ids, proportion, rotate, rounded, special_characters, precision, fontname
        As in :func:`sklearn.tree.export_graphviz`.

    Returns
    -------
    dot_data : str or None
        The DOT text when ``out_file`` is None.

    Examples
    --------
    >>> from sklearn.datasets import load_iris
    >>> from skedu.tree import DecisionTreeClassifier, export_graphviz
    >>> X, y = load_iris(return_X_y=True)
    >>> tree = DecisionTreeClassifier(max_depth=1, random_state=0).fit(X, y)
    >>> print(export_graphviz(tree).splitlines()[3])
    0 [label="x[2] <= 2.45\\ngini = 0.667\\nsamples = 150\\nvalue = [50, 50, 50]"] ;
    """
    return sklearn_tree.export_graphviz(
        decision_tree, out_file, max_depth=max_depth, feature_names=feature_names,
        class_names=class_names, label=label, filled=filled, leaves_parallel=leaves_parallel,
        impurity=impurity, node_ids=node_ids, proportion=proportion, rotate=rotate,
        rounded=rounded, special_characters=special_characters, precision=precision,
        fontname=fontname)


@validate_params(
    {
        "decision_tree": _TREES,
        "max_depth": [Interval(Integral, 0, None, closed="left"), None],
        "feature_names": ["array-like", None],
        "class_names": ["array-like", "boolean", None],
        "label": [StrOptions({"all", "root", "none"})],
        "filled": ["boolean"],
        "impurity": ["boolean"],
        "node_ids": ["boolean"],
        "proportion": ["boolean"],
        "rounded": ["boolean"],
        "precision": [Interval(Integral, 0, None, closed="left"), None],
        "ax": "no_validation",  # matplotlib validates it
        "fontsize": [Interval(Integral, 0, None, closed="left"), None],
    },
    prefer_skip_nested_validation=True,
)
def plot_tree(decision_tree, *, max_depth=None, feature_names=None, class_names=None,
              label="all", filled=False, impurity=True, node_ids=False, proportion=False,
              rounded=False, precision=3, ax=None, fontsize=None):
    """Draw a fitted decision tree with matplotlib (scikit-learn's ``plot_tree``).

    Needs matplotlib (``pip install "skedu[plot]"``).

    Parameters
    ----------
    decision_tree : DecisionTreeClassifier or DecisionTreeRegressor
        A fitted skedu tree (a forest's ``estimators_[i]`` too).
    max_depth, feature_names, class_names, label, filled, impurity, node_ids, proportion, \
rounded, precision, ax, fontsize
        As in :func:`sklearn.tree.plot_tree`.

    Returns
    -------
    annotations : list of matplotlib artists
        The annotation boxes of the nodes.
    """
    try:
        import matplotlib  # noqa: F401
    except ImportError as error:
        raise ImportError('plot_tree needs matplotlib, which skedu installs with its "plot" '
                          'extra: pip install "skedu[plot]".') from error
    # scikit-learn's plot_tree reads only ``tree_`` and ``criterion``; its check of the
    # estimator's class is skipped inside this validated call (prefer_skip_nested_validation).
    return sklearn_tree.plot_tree(
        decision_tree, max_depth=max_depth, feature_names=feature_names,
        class_names=class_names, label=label, filled=filled, impurity=impurity,
        node_ids=node_ids, proportion=proportion, rounded=rounded, precision=precision, ax=ax,
        fontsize=fontsize)
