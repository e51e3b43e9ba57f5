"""W-cart tree size: bytes per node and pickle size of fitted CART trees against scikit-learn's.

``python -m benchmarks.bench_tree_memory [--quick] [--threads N]``: the W-cart data sets
(BENCHMARKS.md), trees grown to full depth once per model; "stored B/node" counts the node and
value arrays a fitted tree holds, "pickle B/node" the whole pickled estimator over its node count.
Predict times (predict_proba for classification) are medians of 5 runs taken alternately;
ratios are skedu over scikit-learn in the same run.
"""

import pickle

from sklearn import tree as sk_tree

from benchmarks._common import benchmark_main, markdown_table, package_version, time_alternately
from benchmarks.bench_tree import _data
from skedu import tree as skedu_tree


def _stored_bytes(model):
    tree = model.tree_
    if hasattr(tree, "nodes"):  # skedu's FlatTree
        return tree.nodes.nbytes + tree.values.nbytes
    state = tree.__getstate__()  # scikit-learn's Tree
    return state["nodes"].nbytes + state["values"].nbytes


def run(quick=False, n_threads=2):
    """Fit each model once per task, then measure sizes and predict times; the Markdown table."""
    n_train, n_test = (20_000, 5_000) if quick else (100_000, 20_000)
    rows = []
    for task in ("classification", "regression"):
        X, y, X_test, _ = _data(task, n_train, n_test)
        classification = task == "classification"
        sk_class = sk_tree.DecisionTreeClassifier if classification else sk_tree.DecisionTreeRegressor
        our_class = skedu_tree.DecisionTreeClassifier if classification else skedu_tree.DecisionTreeRegressor
        models = {
            "sklearn": sk_class(random_state=0).fit(X, y),
            "skedu best": our_class(random_state=0, n_jobs=n_threads).fit(X, y),
            "skedu hist": our_class(splitter="hist", random_state=0, n_jobs=n_threads).fit(X, y),
        }
        method = "predict_proba" if classification else "predict"
        times, _ = time_alternately(
            {name: (lambda m=model: getattr(m, method)(X_test)) for name, model in models.items()},
            repeats=5)
        reference = models["sklearn"]
        reference_pickle = len(pickle.dumps(reference)) / reference.tree_.node_count
        for name, model in models.items():
            n_nodes = model.tree_.node_count
            pickled = len(pickle.dumps(model))
            rows.append({
                "task": task, "model": name, "nodes": n_nodes,
                "stored B/node": _stored_bytes(model) / n_nodes,
                "pickle B/node": pickled / n_nodes, "pickle MB": pickled / 1e6,
                "size ratio": pickled / n_nodes / reference_pickle,
                "predict s": times[name], "predict ratio": times[name] / times["sklearn"],
            })
    header = (f"W-cart full depth, {n_train} train / {n_test} test rows, 50 features, "
              f"{n_threads} threads for skedu's predict; scikit-learn "
              f"{package_version('scikit-learn')}; ratios = skedu / scikit-learn (same run)\n\n")
    columns = ["task", "model", "nodes", "stored B/node", "pickle B/node", "pickle MB",
               "size ratio", "predict s", "predict ratio"]
    return header + markdown_table(rows, columns)


if __name__ == "__main__":
    benchmark_main(run, __doc__)
