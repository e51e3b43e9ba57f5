"""scikit-learn's estimator contract for every tree and splitter."""

from sklearn.utils.estimator_checks import parametrize_with_checks

from skedu.tree import DecisionTreeClassifier, DecisionTreeRegressor

ESTIMATORS = [
    DecisionTreeClassifier(random_state=0),
    DecisionTreeClassifier(splitter="hist", random_state=0),
    DecisionTreeClassifier(max_leaf_nodes=8, random_state=0),
    DecisionTreeClassifier(splitter="random", random_state=0),
    DecisionTreeRegressor(random_state=0),
    DecisionTreeRegressor(splitter="hist", random_state=0),
    DecisionTreeRegressor(splitter="random", random_state=0),
]


@parametrize_with_checks(ESTIMATORS)
def test_sklearn_compatible(estimator, check):
    check(estimator)
