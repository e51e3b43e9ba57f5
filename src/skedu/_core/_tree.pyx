"""Prediction over flat node arrays: one kernel for a single tree and for whole ensembles.

An ensemble is the concatenation of its trees' node arrays with ``tree_offsets`` marking where
each tree starts (child indices are local to their tree). Rows are processed in blocks, each
block going through one tree before the next, so a tree's nodes stay in cache; blocks run in
parallel.
"""

import numpy as np

from cython.parallel import prange
from ._types cimport LEAF

cdef Node dummy_node
NODE_DTYPE = np.asarray(<Node[:1]>(&dummy_node)).dtype

# Rows per block: a few thousand rows of 8-byte leaf ids fit in L1 with a small tree.
cdef intp_t BLOCK_ROWS = 256
# Fewer (row, tree) traversals than this run on one thread: each costs tens of nanoseconds.
cdef intp_t MIN_PARALLEL_ROWS = 50000


cdef intp_t find_leaf(const X_DTYPE_C* row, const Node* nodes) noexcept nogil:
    """Index (local to the tree) of the leaf that ``row`` reaches."""
    cdef intp_t node = 0
    while nodes[node].left_child != LEAF:
        node = next_node(row, &nodes[node])
    return node


cdef void apply_block(const X_DTYPE_C[:, ::1] X, const Node* nodes, const intp_t* tree_offsets,
                      intp_t n_trees, intp_t block, intp_t[:, ::1] leaves) noexcept nogil:
    cdef intp_t t, i, start = block * BLOCK_ROWS
    cdef intp_t end = min(start + BLOCK_ROWS, X.shape[0])
    for t in range(n_trees):
        for i in range(start, end):
            leaves[i, t] = tree_offsets[t] + find_leaf(&X[i, 0], nodes + tree_offsets[t])


def apply_trees(const X_DTYPE_C[:, ::1] X, const Node[::1] nodes, const intp_t[::1] tree_offsets,
                int n_threads):
    """Leaf reached by every row in every tree.

    Parameters
    ----------
    X : ndarray of shape (n_samples, n_features), float32, C-contiguous
    nodes : NODE_DTYPE array, every tree's nodes one after the other
    tree_offsets : ndarray of shape (n_trees,), intp
        Index in ``nodes`` of each tree's root.
    n_threads : int

    Returns
    -------
    leaves : ndarray of shape (n_samples, n_trees), intp
        Indices into ``nodes`` (global, offsets included).
    """
    cdef intp_t n_rows = X.shape[0], n_trees = tree_offsets.shape[0], block
    cdef intp_t n_blocks = (n_rows + BLOCK_ROWS - 1) // BLOCK_ROWS
    leaves_array = np.empty((n_rows, n_trees), dtype=np.intp)
    cdef intp_t[:, ::1] leaves = leaves_array
    if n_rows == 0:
        return leaves_array
    with nogil:
        if n_threads > 1 and n_rows * n_trees >= MIN_PARALLEL_ROWS:
            for block in prange(n_blocks, schedule='static', num_threads=n_threads):
                apply_block(X, &nodes[0], &tree_offsets[0], n_trees, block, leaves)
        else:
            for block in range(n_blocks):
                apply_block(X, &nodes[0], &tree_offsets[0], n_trees, block, leaves)
    return leaves_array


cdef void sum_block(const X_DTYPE_C[:, ::1] X, const Node* nodes, const double[:, ::1] values,
                    const intp_t* tree_offsets, const double* tree_weights, intp_t n_trees,
                    intp_t block, double[:, ::1] out) noexcept nogil:
    cdef intp_t t, i, k, leaf, start = block * BLOCK_ROWS
    cdef intp_t end = min(start + BLOCK_ROWS, X.shape[0]), n_channels = values.shape[1]
    for t in range(n_trees):
        for i in range(start, end):
            leaf = tree_offsets[t] + find_leaf(&X[i, 0], nodes + tree_offsets[t])
            for k in range(n_channels):
                out[i, k] += tree_weights[t] * values[leaf, k]


def sum_tree_values(const X_DTYPE_C[:, ::1] X, const Node[::1] nodes,
                    const double[:, ::1] values, const intp_t[::1] tree_offsets,
                    const double[::1] tree_weights, double[:, ::1] out, int n_threads):
    """``out[i] += sum_t tree_weights[t] * values[leaf_t(i)]``: forest averages, boosted sums.

    Parameters
    ----------
    X : ndarray of shape (n_samples, n_features), float32
    nodes : NODE_DTYPE array of every tree
    values : ndarray of shape (n_nodes_total, n_channels)
    tree_offsets : ndarray of shape (n_trees,)
    tree_weights : ndarray of shape (n_trees,)
    out : ndarray of shape (n_samples, n_channels), float64, written in place
    n_threads : int
    """
    cdef intp_t n_rows = X.shape[0], n_trees = tree_offsets.shape[0], block
    cdef intp_t n_blocks = (n_rows + BLOCK_ROWS - 1) // BLOCK_ROWS
    if n_rows == 0 or n_trees == 0:
        return
    with nogil:
        if n_threads > 1 and n_rows * n_trees >= MIN_PARALLEL_ROWS:
            for block in prange(n_blocks, schedule='static', num_threads=n_threads):
                sum_block(X, &nodes[0], values, &tree_offsets[0], &tree_weights[0], n_trees,
                          block, out)
        else:
            for block in range(n_blocks):
                sum_block(X, &nodes[0], values, &tree_offsets[0], &tree_weights[0], n_trees,
                          block, out)


def decision_path(const X_DTYPE_C[:, ::1] X, const Node[::1] nodes):
    """Nodes each row passes through in one tree, as CSR ``(indptr, indices)``.

    Returns
    -------
    indptr : ndarray of shape (n_samples + 1,), intp
    indices : ndarray of shape (indptr[-1],), intp
        Node ids in root-to-leaf order.
    """
    cdef intp_t n_rows = X.shape[0], i, node, position
    indptr_array = np.zeros(n_rows + 1, dtype=np.intp)
    cdef intp_t[::1] indptr = indptr_array
    with nogil:
        for i in range(n_rows):
            indptr[i + 1] = indptr[i] + nodes[find_leaf(&X[i, 0], &nodes[0])].depth + 1
    indices_array = np.empty(indptr_array[n_rows], dtype=np.intp)
    cdef intp_t[::1] indices = indices_array
    with nogil:
        for i in range(n_rows):
            node = 0
            position = indptr[i]
            while True:
                indices[position] = node
                position += 1
                if nodes[node].left_child == LEAF:
                    break
                node = next_node(&X[i, 0], &nodes[node])
    return indptr_array, indices_array
