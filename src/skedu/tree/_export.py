"""Text rendering of a fitted tree."""

import numpy as np
from sklearn.utils.validation import check_is_fitted

from ._flat_tree import TREE_LEAF


def export_text(decision_tree, *, feature_names=None, class_names=None, max_depth=10,
                spacing=3, decimals=2, show_weights=False):
    """The rules of a fitted skedu decision tree as indented text.

    Parameters
    ----------
    decision_tree : DecisionTreeClassifier or DecisionTreeRegressor
        A fitted tree.
    feature_names : list of str, default=None
        Names of the features; ``feature_names_in_`` or ``feature_i`` when None.
    class_names : list of str, default=None
        Names of the classes (classifier only); ``classes_`` when None.
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
    check_is_fitted(decision_tree, "tree_")
    tree = decision_tree.tree_
    if feature_names is None:
        feature_names = getattr(decision_tree, "feature_names_in_", None)
    if feature_names is None:
        feature_names = [f"feature_{i}" for i in range(tree.n_features)]
    if len(feature_names) != tree.n_features:
        raise ValueError(f"feature_names has {len(feature_names)} names, the tree "
                         f"{tree.n_features} features.")
    if max_depth < 0 or spacing <= 0 or decimals < 0:
        raise ValueError("max_depth and decimals must be >= 0 and spacing > 0.")
    classes = getattr(decision_tree, "classes_", None)
    if class_names is None and classes is not None:
        class_names = classes
    # Field arrays read once: node lookups below are then O(1).
    children_left, children_right = tree.children_left, tree.children_right
    features, thresholds = tree.feature, tree.threshold.astype(np.float64)
    node_weights, all_values = tree.weighted_n_node_samples.astype(np.float64), tree.value
    depths = tree.node_depths()
    lines = []

    def leaf_text(node):
        values = all_values[node]
        if classes is None:
            shown = ", ".join(f"{v:.{decimals}f}" for v in values)
            return f"value: [{shown}]"
        text = f"class: {class_names[int(np.argmax(values))]}"
        if show_weights:
            weights = values * node_weights[node]
            text = f"weights: [{', '.join(f'{w:.{decimals}f}' for w in weights)}] {text}"
        return text

    def walk(node, depth):
        indent = ("|" + " " * spacing) * depth + "|" + "-" * spacing + " "
        if children_left[node] == TREE_LEAF:
            lines.append(indent + leaf_text(node))
            return
        if depth >= max_depth + 1:
            subtree_depth = _subtree_depth(children_left, children_right, depths, node)
            lines.append(indent + "truncated branch of depth " + str(subtree_depth))
            return
        name = feature_names[features[node]]
        threshold = f"{thresholds[node]:.{decimals}f}"
        lines.append(f"{indent}{name} <= {threshold}")
        walk(children_left[node], depth + 1)
        lines.append(f"{indent}{name} >  {threshold}")
        walk(children_right[node], depth + 1)

    walk(0, 0)
    return "\n".join(lines) + "\n"


def _subtree_depth(children_left, children_right, depths, node):
    stack, deepest = [node], 0
    while stack:
        current = stack.pop()
        deepest = max(deepest, depths[current] - depths[node])
        if children_left[current] != TREE_LEAF:
            stack += [children_left[current], children_right[current]]
    return int(deepest) + 1
