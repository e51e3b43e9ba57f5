"""CART fit time of two builds of skedu on W-cart, alternating in fresh processes.

``python -m benchmarks.compare_builds BEFORE_SRC AFTER_SRC [--repeats N]``: each argument is a
folder that holds a built ``skedu`` package (for example ``src`` of a checkout compiled with
``python setup.py build_ext --inplace``). Every fit runs in a fresh interpreter with that folder
first on ``PYTHONPATH``; the two builds alternate so that machine noise hits both alike. Prints
the median fit seconds of each and their ratio.
"""

import argparse
import json
import os
import subprocess
import sys

import numpy as np

FIT = r'''
import sys, time, json
from sklearn.datasets import make_classification, make_regression
task, splitter, depth = sys.argv[1], sys.argv[2], None if sys.argv[3] == "None" else int(sys.argv[3])
make = make_classification if task == "classification" else make_regression
extra = {"n_informative": 30} if task == "classification" else {}
X, y = make(100000, n_features=50, random_state=3, **extra)
from skedu import tree
model = (tree.DecisionTreeClassifier if task == "classification" else tree.DecisionTreeRegressor)(
    splitter=splitter, max_depth=depth, random_state=0, n_jobs=2)
start = time.perf_counter(); model.fit(X, y); print(json.dumps(time.perf_counter() - start))
'''

CONFIGS = [("classification", "best", "None"), ("classification", "hist", "None"),
           ("classification", "best", "10"), ("classification", "hist", "10"),
           ("regression", "best", "None"), ("regression", "hist", "10")]


def main():
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("before")
    parser.add_argument("after")
    parser.add_argument("--repeats", type=int, default=5)
    args = parser.parse_args()
    print("| task | splitter | max_depth | before s | after s | after / before |")
    print("|---|---|---|---|---|---|")
    for task, splitter, depth in CONFIGS:
        times = {"before": [], "after": []}
        for _ in range(args.repeats):
            for name in ("before", "after"):
                env = dict(os.environ, PYTHONPATH=os.path.abspath(getattr(args, name)))
                completed = subprocess.run([sys.executable, "-c", FIT, task, splitter, depth],
                                           env=env, capture_output=True, text=True, check=True)
                times[name].append(json.loads(completed.stdout.strip().splitlines()[-1]))
        before, after = np.median(times["before"]), np.median(times["after"])
        print(f"| {task} | {splitter} | {depth} | {before:.2f} | {after:.2f} | {after / before:.2f} |",
              flush=True)


if __name__ == "__main__":
    main()
