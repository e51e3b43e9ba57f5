"""Minimal cost-complexity pruning (Breiman et al.'s weakest-link pruning) of a grown tree.

With R(t) = impurity(t) * weight(t) / weight(root), a subtree rooted at t is pruned when the
effective alpha (R(t) - R(leaves under t)) / (n_leaves under t - 1) is the smallest in the tree
and at most ``ccp_alpha``; repeated until the root is a leaf or every alpha is larger. This is
the sequence scikit-learn computes, so the same tree gives the same path and the same pruning.
"""

import numpy as np

from libc.math cimport INFINITY

from ._types cimport intp_t, TreeNode, LEAF


def prune(const TreeNode[::1] nodes, double ccp_alpha, bint record_path):
    """Weakest-link pruning of a tree whose children always have larger ids than their parent.

    Parameters
    ----------
    nodes : TREE_NODE_DTYPE array
        Stored nodes; impurities and weights are read as float64.
    ccp_alpha : float
        Prune while the weakest link's effective alpha is at most this (``inf``: to the root).
    record_path : bool
        Also return the pruning path.

    Returns
    -------
    is_leaf : ndarray of bool, shape (n_nodes,)
        Nodes that are leaves of the pruned tree.
    in_tree : ndarray of bool, shape (n_nodes,)
        Nodes that remain in the pruned tree.
    alphas, impurities : ndarray of float64
        The pruning path (effective alphas, and total leaf impurity of each subtree); empty
        when ``record_path`` is False.
    """
    cdef intp_t n_nodes = nodes.shape[0], i, node, best_node, parent
    cdef double root_weight = nodes[0].weighted_n_node_samples, best_alpha, alpha
    is_leaf_array = np.zeros(n_nodes, dtype=np.uint8)
    in_tree_array = np.ones(n_nodes, dtype=np.uint8)
    cdef unsigned char[::1] is_leaf = is_leaf_array
    cdef unsigned char[::1] in_tree = in_tree_array
    cdef double[::1] node_risk = np.empty(n_nodes)
    cdef double[::1] branch_risk = np.zeros(n_nodes)
    cdef intp_t[::1] n_leaves = np.zeros(n_nodes, dtype=np.intp)
    cdef intp_t[::1] parents = np.full(n_nodes, -1, dtype=np.intp)
    alphas = [0.0]
    impurities = []

    with nogil:
        for node in range(n_nodes):
            node_risk[node] = (<double>nodes[node].impurity
                               * <double>nodes[node].weighted_n_node_samples / root_weight)
            if nodes[node].left_child == LEAF:
                is_leaf[node] = 1
            else:
                parents[nodes[node].left_child] = node
                parents[nodes[node].right_child] = node
        # Children have larger ids than parents, so a reverse sweep is bottom-up.
        for node in range(n_nodes - 1, -1, -1):
            if is_leaf[node]:
                branch_risk[node] = node_risk[node]
                n_leaves[node] = 1
            if node > 0:
                branch_risk[parents[node]] += branch_risk[node]
                n_leaves[parents[node]] += n_leaves[node]
    impurities.append(branch_risk[0])

    while not is_leaf[0]:
        best_alpha = INFINITY
        best_node = 0
        with nogil:
            for node in range(n_nodes):
                if in_tree[node] and not is_leaf[node]:
                    alpha = (node_risk[node] - branch_risk[node]) / (n_leaves[node] - 1)
                    if alpha < best_alpha:
                        best_alpha = alpha
                        best_node = node
        if best_alpha > ccp_alpha:
            break
        if record_path:
            alphas.append(best_alpha)
        with nogil:
            # Collapse best_node. Descendants have larger ids and every ancestor of one lies at
            # or below best_node, so one forward sweep finds them; a node whose parent left
            # the tree earlier is already out, and marking it again is harmless.
            for node in range(best_node + 1, n_nodes):
                parent = parents[node]
                if parent == best_node or (parent > best_node and not in_tree[parent]):
                    in_tree[node] = 0
            parent = parents[best_node]
            while parent >= 0:
                branch_risk[parent] += node_risk[best_node] - branch_risk[best_node]
                n_leaves[parent] -= n_leaves[best_node] - 1
                parent = parents[parent]
            is_leaf[best_node] = 1
            branch_risk[best_node] = node_risk[best_node]
            n_leaves[best_node] = 1
        if record_path:
            impurities.append(branch_risk[0])

    if not record_path:
        alphas = []
    return (is_leaf_array.astype(bool), in_tree_array.astype(bool), np.array(alphas, dtype=np.float64),
            np.array(impurities if record_path else [], dtype=np.float64))
