"""Fitted trees of an ensemble as stand-alone skedu trees, built on access."""

from ..tree._flat_tree import tree_n_classes


def tree_estimators(ensemble, trees, make_tree, random_states, max_features):
    """The trees of a flat ensemble as fitted skedu trees that predict on their own.

    Parameters
    ----------
    ensemble : estimator
        The fitted ensemble: gives ``n_features_in_``, ``feature_names_in_`` when it has them,
        and its ``_set_tree_attributes(tree)`` (classes, outputs).
    trees : FlatEnsemble
        The stored trees; each estimator gets a view of one (no copy).
    make_tree : callable
        Returns an unfitted tree with the ensemble's tree parameters.
    random_states : sequence of int
        The ``random_state`` each tree was grown with.
    max_features : int
        The ``max_features_`` of every tree.

    Returns
    -------
    estimators : list of DecisionTreeClassifier or DecisionTreeRegressor
    """
    estimators = []
    for t in range(trees.n_trees):
        tree = make_tree().set_params(random_state=int(random_states[t]))
        tree.tree_ = trees[t]
        tree.n_features_in_ = ensemble.n_features_in_
        tree.max_features_ = max_features
        if hasattr(ensemble, "feature_names_in_"):
            tree.feature_names_in_ = ensemble.feature_names_in_
        ensemble._set_tree_attributes(tree)
        tree.tree_.n_classes = tree_n_classes(tree)
        estimators.append(tree)
    return estimators
