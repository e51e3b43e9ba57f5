"""Naive numpy twins of the tree kernels, shared by the tree tests."""

import numpy as np


def naive_apply(nodes, X, binned=False):
    """Leaf (local id) each row of ``X`` reaches, walking all rows one level at a time.

    ``nodes`` is a structured array with ``left_child``, ``right_child``, ``feature``,
    ``threshold`` and ``bin_threshold`` (either dtype), missing values going left where
    ``missing_go_left`` (or bit 0 of ``flags``) is set. Comparisons are made in float64.
    """
    names = nodes.dtype.names
    missing_left = (nodes["missing_go_left"] if "missing_go_left" in names
                    else nodes["flags"] & 1).astype(bool)
    node = np.zeros(len(X), dtype=np.intp)
    rows = np.arange(len(X))
    while True:
        active = nodes["left_child"][node] != -1
        if not active.any():
            return node
        current = node[active]
        values = X[rows[active], nodes["feature"][current]]
        if binned:
            missing = values == 255
            go_left = values.astype(np.int64) <= nodes["bin_threshold"][current]
        else:
            values = values.astype(np.float64)
            missing = np.isnan(values)
            go_left = values <= nodes["threshold"][current].astype(np.float64)
        go_left = np.where(missing, missing_left[current], go_left)
        node[active] = np.where(go_left, nodes["left_child"][current],
                                nodes["right_child"][current])


def naive_path(nodes, x):
    """Node ids one float32 row passes through, root to leaf."""
    missing_left = (nodes["missing_go_left"] if "missing_go_left" in nodes.dtype.names
                    else nodes["flags"] & 1)
    path, node = [0], 0
    while nodes["left_child"][node] != -1:
        value = float(x[nodes["feature"][node]])
        if np.isnan(value):
            left = bool(missing_left[node])
        else:
            left = value <= float(nodes["threshold"][node])
        node = nodes["left_child"][node] if left else nodes["right_child"][node]
        path.append(int(node))
    return path
