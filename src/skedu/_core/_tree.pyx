"""Prediction over flat node arrays: one set of kernels for a single tree and for whole ensembles.

Fitted trees are stored as ``TreeNode`` records (``TREE_NODE_DTYPE``, 30 bytes); the grower's
working ``Node`` (``NODE_DTYPE``) is converted by :func:`compact_nodes`. An ensemble is the
concatenation of its trees' node arrays with ``tree_offsets`` marking where each tree starts
(child indices are local to their tree). Rows are processed in blocks, each block going through
one tree before the next, so a tree's nodes stay in cache; blocks run in parallel. Every kernel
reads float32 rows (thresholds) or uint8 binned rows (``bin_threshold``, bin 255 = missing);
sparse matrices are read as CSR rows (see the end of this file).
"""

import numpy as np
from scipy.sparse import issparse

from cython.parallel import prange, threadid
from libc.stdint cimport int32_t, int64_t, uint8_t

from ._types cimport Node, TreeNode

cdef Node dummy_node
cdef TreeNode dummy_tree_node
# The grower's working node, and the compact node that fitted models store.
NODE_DTYPE = np.asarray(<Node[:1]>(&dummy_node)).dtype
TREE_NODE_DTYPE = np.asarray(<TreeNode[:1]>(&dummy_tree_node)).dtype

ctypedef fused value_t:
    float
    double

# Rows per block: a few thousand rows of 8-byte leaf ids fit in L1 with a small tree.
cdef intp_t BLOCK_ROWS = 256
# Fewer (row, tree) traversals than this run on one thread: each costs tens of nanoseconds.
cdef intp_t MIN_PARALLEL_ROWS = 50000


def float32_at_most(thresholds):
    """The largest float32 not above each float64 threshold.

    For every float32 ``x``, ``x <= float32_at_most(t)`` exactly when ``x <= t``: a tree stored
    with float32 thresholds sends every float32 row where the float64 tree does.
    """
    thresholds = np.asarray(thresholds, dtype=np.float64)
    with np.errstate(over="ignore"):
        rounded = thresholds.astype(np.float32)
        up = rounded.astype(np.float64) > thresholds
        rounded[up] = np.nextafter(rounded[up], np.float32(-np.inf))
    return rounded


def compact_nodes(grown):
    """Convert the grower's ``NODE_DTYPE`` nodes to the stored ``TREE_NODE_DTYPE``.

    Thresholds become the largest float32 not above them (same predictions on float32 data),
    impurity and weights float32, counts int32; depth and gain are dropped (see
    :func:`node_depths` and ``FlatTree.split_gains``).
    """
    if grown.dtype != NODE_DTYPE:
        raise TypeError(f"nodes must have dtype NODE_DTYPE, got {grown.dtype}.")
    int32_max = np.iinfo(np.int32).max
    if len(grown) > int32_max or (len(grown) and grown["n_node_samples"].max() > int32_max):
        raise ValueError("A stored tree holds at most 2**31 - 1 nodes and samples per node.")
    nodes = np.empty(len(grown), dtype=TREE_NODE_DTYPE)
    for name in ("left_child", "right_child", "feature", "bin_threshold", "n_node_samples"):
        nodes[name] = grown[name]
    nodes["threshold"] = float32_at_most(grown["threshold"])
    nodes["flags"] = grown["missing_go_left"] != 0
    nodes["impurity"] = grown["impurity"]
    nodes["weighted_n_node_samples"] = grown["weighted_n_node_samples"]
    return nodes


def _stored(nodes):
    """``nodes`` as TREE_NODE_DTYPE (grower nodes are converted)."""
    nodes = np.asarray(nodes)
    if nodes.dtype == NODE_DTYPE:
        return compact_nodes(nodes)
    if nodes.dtype != TREE_NODE_DTYPE:
        raise TypeError(f"nodes must have dtype TREE_NODE_DTYPE or NODE_DTYPE, got {nodes.dtype}.")
    return nodes


cdef void apply_block(const row_t[:, ::1] X, const TreeNode* nodes, const intp_t* tree_offsets,
                      intp_t n_trees, bint local, intp_t block,
                      intp_t[:, ::1] leaves) noexcept nogil:
    cdef intp_t t, i, offset, start = block * BLOCK_ROWS
    cdef intp_t end = min(start + BLOCK_ROWS, X.shape[0])
    for t in range(n_trees):
        offset = tree_offsets[t]
        for i in range(start, end):
            leaves[i, t] = find_leaf(&X[i, 0], nodes + offset) + (0 if local else offset)


def _apply(const row_t[:, ::1] X, const TreeNode[::1] nodes, const intp_t[::1] tree_offsets,
           bint local, int n_threads):
    cdef intp_t n_rows = X.shape[0], n_trees = tree_offsets.shape[0], block
    cdef intp_t n_blocks = (n_rows + BLOCK_ROWS - 1) // BLOCK_ROWS
    leaves_array = np.empty((n_rows, n_trees), dtype=np.intp)
    cdef intp_t[:, ::1] leaves = leaves_array
    if n_rows == 0 or n_trees == 0:
        return leaves_array
    with nogil:
        if n_threads > 1 and n_rows * n_trees >= MIN_PARALLEL_ROWS:
            for block in prange(n_blocks, schedule='static', num_threads=n_threads):
                apply_block(X, &nodes[0], &tree_offsets[0], n_trees, local, block, leaves)
        else:
            for block in range(n_blocks):
                apply_block(X, &nodes[0], &tree_offsets[0], n_trees, local, block, leaves)
    return leaves_array


def apply_trees(X, nodes, tree_offsets, int n_threads, bint local=False):
    """Leaf reached by every row in every tree.

    Parameters
    ----------
    X : ndarray of shape (n_samples, n_features), C-contiguous, or sparse matrix
        float32 values, or uint8 bins (255 = missing) for trees grown on binned data; a
        sparse matrix is read as CSR rows (unstored values are 0).
    nodes : ndarray of TREE_NODE_DTYPE (or the grower's NODE_DTYPE, converted)
        Every tree's nodes one after the other.
    tree_offsets : ndarray of shape (n_trees,), intp
        Index in ``nodes`` of each tree's root.
    n_threads : int
    local : bool, default=False
        Return ids local to each tree instead of indices into ``nodes``.

    Returns
    -------
    leaves : ndarray of shape (n_samples, n_trees), intp
    """
    if issparse(X):
        return _apply_csr(*_csr_parts(X), _stored(nodes), tree_offsets, local, n_threads)
    return _apply(X, _stored(nodes), tree_offsets, local, n_threads)


cdef void sum_block(const row_t[:, ::1] X, const TreeNode* nodes, const value_t[:, ::1] values,
                    const intp_t* tree_offsets, const double* tree_weights,
                    const intp_t* tree_output, intp_t n_trees, intp_t block,
                    double[:, ::1] out) noexcept nogil:
    cdef intp_t t, i, k, leaf, first, start = block * BLOCK_ROWS
    cdef intp_t end = min(start + BLOCK_ROWS, X.shape[0]), n_values = values.shape[1]
    cdef double weight = 1.0
    for t in range(n_trees):
        first = 0 if tree_output == NULL else tree_output[t]
        if tree_weights != NULL:
            weight = tree_weights[t]
        for i in range(start, end):
            leaf = tree_offsets[t] + find_leaf(&X[i, 0], nodes + tree_offsets[t])
            for k in range(n_values):
                out[i, first + k] += weight * values[leaf, k]


def _sum(const row_t[:, ::1] X, const TreeNode[::1] nodes, const value_t[:, ::1] values,
         const intp_t[::1] tree_offsets, const double[::1] tree_weights,
         const intp_t[::1] tree_output, double[:, ::1] out, int n_threads):
    cdef intp_t n_rows = X.shape[0], n_trees = tree_offsets.shape[0], block
    cdef intp_t n_blocks = (n_rows + BLOCK_ROWS - 1) // BLOCK_ROWS
    cdef const double* weights = NULL if tree_weights is None else &tree_weights[0]
    cdef const intp_t* output = NULL if tree_output is None else &tree_output[0]
    with nogil:
        if n_threads > 1 and n_rows * n_trees >= MIN_PARALLEL_ROWS:
            for block in prange(n_blocks, schedule='static', num_threads=n_threads):
                sum_block(X, &nodes[0], values, &tree_offsets[0], weights, output, n_trees,
                          block, out)
        else:
            for block in range(n_blocks):
                sum_block(X, &nodes[0], values, &tree_offsets[0], weights, output, n_trees,
                          block, out)


def sum_tree_values(X, nodes, values, tree_offsets, tree_weights, out, int n_threads,
                    tree_output=None):
    """``out[i, tree_output[t] + k] += tree_weights[t] * values[leaf_t(i), k]`` over the trees.

    The one summation kernel of the ensembles: forests (every tree has the K channels of
    ``out``; ``tree_output`` None), boosting (one channel per tree, ``tree_output[t]`` the class
    the tree adds to) and staged predictions (pass the first m offsets).

    Parameters
    ----------
    X : ndarray of shape (n_samples, n_features), float32 or uint8 bins, C-contiguous
        Or a sparse matrix of values, read as CSR rows.
    nodes : ndarray of TREE_NODE_DTYPE (or NODE_DTYPE) of every tree
    values : ndarray of shape (n_nodes_total, n_values), float32 or float64, C-contiguous
    tree_offsets : ndarray of shape (n_trees,), intp
    tree_weights : ndarray of shape (n_trees,), float64, or None (all 1)
    out : ndarray of shape (n_samples, n_outputs), float64, written in place
    n_threads : int
    tree_output : ndarray of shape (n_trees,), intp, or None (all 0)
        First column of ``out`` each tree adds to.
    """
    nodes = _stored(nodes)
    tree_offsets = np.ascontiguousarray(tree_offsets, dtype=np.intp)
    n_trees = len(tree_offsets)
    if values.ndim != 2 or len(values) != len(nodes):
        raise ValueError("values must have shape (n_nodes, n_values).")
    if out.ndim != 2 or out.shape[0] != X.shape[0]:
        raise ValueError("out must have shape (n_samples, n_outputs).")
    if tree_weights is not None:
        tree_weights = np.ascontiguousarray(tree_weights, dtype=np.float64)
        if len(tree_weights) != n_trees:
            raise ValueError("tree_weights must have one entry per tree.")
    if tree_output is not None:
        tree_output = np.ascontiguousarray(tree_output, dtype=np.intp)
        if len(tree_output) != n_trees:
            raise ValueError("tree_output must have one entry per tree.")
        if n_trees and (tree_output.min() < 0 or tree_output.max() + values.shape[1] > out.shape[1]):
            raise ValueError("tree_output sends values outside the columns of out.")
    elif values.shape[1] > out.shape[1]:
        raise ValueError("out has fewer columns than values.")
    if X.shape[0] == 0 or n_trees == 0:
        return
    if issparse(X):
        _sum_csr(*_csr_parts(X), nodes, values, tree_offsets, tree_weights, tree_output, out,
                 n_threads)
        return
    _sum(X, nodes, values, tree_offsets, tree_weights, tree_output, out, n_threads)


cdef intp_t path_length(const row_t* row, const TreeNode* nodes) noexcept nogil:
    cdef int32_t node = 0
    cdef intp_t length = 1
    while nodes[node].left_child != LEAF:
        node = next_node(row, &nodes[node])
        length += 1
    return length


def _decision_path(const row_t[:, ::1] X, const TreeNode[::1] nodes,
                   const intp_t[::1] tree_offsets):
    cdef intp_t n_rows = X.shape[0], n_trees = tree_offsets.shape[0], i, t, position
    cdef int32_t node
    cdef const TreeNode* tree
    indptr_array = np.zeros(n_rows + 1, dtype=np.intp)
    cdef intp_t[::1] indptr = indptr_array
    with nogil:
        for i in range(n_rows):
            indptr[i + 1] = indptr[i]
            for t in range(n_trees):
                indptr[i + 1] += path_length(&X[i, 0], &nodes[tree_offsets[t]])
    indices_array = np.empty(indptr_array[n_rows], dtype=np.intp)
    cdef intp_t[::1] indices = indices_array
    with nogil:
        for i in range(n_rows):
            position = indptr[i]
            for t in range(n_trees):
                tree = &nodes[tree_offsets[t]]
                node = 0
                while True:
                    indices[position] = tree_offsets[t] + node
                    position += 1
                    if tree[node].left_child == LEAF:
                        break
                    node = next_node(&X[i, 0], &tree[node])
    return indptr_array, indices_array


def decision_path(X, nodes, tree_offsets=None):
    """Nodes each row passes through, as CSR ``(indptr, indices)``.

    Parameters
    ----------
    X : ndarray of shape (n_samples, n_features), float32 or uint8 bins, C-contiguous
        Or a sparse matrix of values, read as CSR rows.
    nodes : ndarray of TREE_NODE_DTYPE (or NODE_DTYPE)
    tree_offsets : ndarray of shape (n_trees,), intp, default=None
        Roots of the trees (None: one tree rooted at 0).

    Returns
    -------
    indptr : ndarray of shape (n_samples + 1,), intp
    indices : ndarray of shape (indptr[-1],), intp
        Node ids (indices into ``nodes``), each tree's path in root-to-leaf order, trees in order.
    """
    if tree_offsets is None:
        tree_offsets = np.zeros(1 if len(nodes) else 0, dtype=np.intp)
    tree_offsets = np.ascontiguousarray(tree_offsets, dtype=np.intp)
    if issparse(X):
        return _decision_path_csr(*_csr_parts(X), _stored(nodes), tree_offsets)
    return _decision_path(X, _stored(nodes), tree_offsets)


def node_depths(const TreeNode[::1] nodes, const intp_t[::1] tree_offsets):
    """Depth of every node (0 at each root); children must have larger ids than their parent."""
    cdef intp_t n_nodes = nodes.shape[0], n_trees = tree_offsets.shape[0], t, node, end, offset
    depths_array = np.zeros(n_nodes, dtype=np.int32)
    cdef int32_t[::1] depths = depths_array
    with nogil:
        for t in range(n_trees):
            offset = tree_offsets[t]
            end = tree_offsets[t + 1] if t + 1 < n_trees else n_nodes
            for node in range(offset, end):
                if nodes[node].left_child != LEAF:
                    depths[offset + nodes[node].left_child] = depths[node] + 1
                    depths[offset + nodes[node].right_child] = depths[node] + 1
    return depths_array


# -- CSR rows ---------------------------------------------------------------------------------
# Sparse rows are scattered, one at a time, into a zeroed dense row of the thread (n_features
# float32) that every tree then reads as a dense row; the row's stored entries are zeroed again
# afterwards. A row costs its stored values, not n_features; no dense copy of X is made.

ctypedef fused index_t:
    int32_t
    int64_t


cdef inline void scatter_row(const float[::1] data, const index_t[::1] indices,
                             const index_t[::1] indptr, intp_t i, float* row,
                             bint clear) noexcept nogil:
    cdef index_t j
    for j in range(indptr[i], indptr[i + 1]):
        row[indices[j]] = 0.0 if clear else data[j]


cdef void apply_csr_block(const float[::1] data, const index_t[::1] indices,
                          const index_t[::1] indptr, float* row, const TreeNode* nodes,
                          const intp_t* tree_offsets, intp_t n_trees, bint local, intp_t block,
                          intp_t[:, ::1] leaves) noexcept nogil:
    cdef intp_t t, i, start = block * BLOCK_ROWS
    cdef intp_t end = min(start + BLOCK_ROWS, indptr.shape[0] - 1)
    for i in range(start, end):
        scatter_row(data, indices, indptr, i, row, False)
        for t in range(n_trees):
            leaves[i, t] = (find_leaf(row, nodes + tree_offsets[t])
                            + (0 if local else tree_offsets[t]))
        scatter_row(data, indices, indptr, i, row, True)


def _apply_csr(const float[::1] data, const index_t[::1] indices, const index_t[::1] indptr,
               intp_t n_features, const TreeNode[::1] nodes, const intp_t[::1] tree_offsets,
               bint local, int n_threads):
    cdef intp_t n_rows = indptr.shape[0] - 1, n_trees = tree_offsets.shape[0], block
    cdef intp_t n_blocks = (n_rows + BLOCK_ROWS - 1) // BLOCK_ROWS
    leaves_array = np.empty((n_rows, n_trees), dtype=np.intp)
    cdef intp_t[:, ::1] leaves = leaves_array
    if n_rows == 0 or n_trees == 0:
        return leaves_array
    if not (n_threads > 1 and n_rows * n_trees >= MIN_PARALLEL_ROWS):
        n_threads = 1
    cdef float[:, ::1] rows = np.zeros((n_threads, max(n_features, 1)), dtype=np.float32)
    with nogil:
        if n_threads > 1:
            for block in prange(n_blocks, schedule='static', num_threads=n_threads):
                apply_csr_block(data, indices, indptr, &rows[threadid(), 0], &nodes[0],
                                &tree_offsets[0], n_trees, local, block, leaves)
        else:
            for block in range(n_blocks):
                apply_csr_block(data, indices, indptr, &rows[0, 0], &nodes[0],
                                &tree_offsets[0], n_trees, local, block, leaves)
    return leaves_array


cdef void sum_csr_block(const float[::1] data, const index_t[::1] indices,
                        const index_t[::1] indptr, float* row, const TreeNode* nodes,
                        const value_t[:, ::1] values, const intp_t* tree_offsets,
                        const double* tree_weights, const intp_t* tree_output, intp_t n_trees,
                        intp_t block, double[:, ::1] out) noexcept nogil:
    cdef intp_t t, i, k, leaf, first, start = block * BLOCK_ROWS
    cdef intp_t end = min(start + BLOCK_ROWS, indptr.shape[0] - 1), n_values = values.shape[1]
    cdef double weight = 1.0
    for i in range(start, end):
        scatter_row(data, indices, indptr, i, row, False)
        for t in range(n_trees):
            first = 0 if tree_output == NULL else tree_output[t]
            if tree_weights != NULL:
                weight = tree_weights[t]
            leaf = tree_offsets[t] + find_leaf(row, nodes + tree_offsets[t])
            for k in range(n_values):
                out[i, first + k] += weight * values[leaf, k]
        scatter_row(data, indices, indptr, i, row, True)


def _sum_csr(const float[::1] data, const index_t[::1] indices, const index_t[::1] indptr,
             intp_t n_features, const TreeNode[::1] nodes, const value_t[:, ::1] values,
             const intp_t[::1] tree_offsets, const double[::1] tree_weights,
             const intp_t[::1] tree_output, double[:, ::1] out, int n_threads):
    cdef intp_t n_rows = indptr.shape[0] - 1, n_trees = tree_offsets.shape[0], block
    cdef intp_t n_blocks = (n_rows + BLOCK_ROWS - 1) // BLOCK_ROWS
    cdef const double* weights = NULL if tree_weights is None else &tree_weights[0]
    cdef const intp_t* output = NULL if tree_output is None else &tree_output[0]
    if not (n_threads > 1 and n_rows * n_trees >= MIN_PARALLEL_ROWS):
        n_threads = 1
    cdef float[:, ::1] rows = np.zeros((n_threads, max(n_features, 1)), dtype=np.float32)
    with nogil:
        if n_threads > 1:
            for block in prange(n_blocks, schedule='static', num_threads=n_threads):
                sum_csr_block(data, indices, indptr, &rows[threadid(), 0], &nodes[0], values,
                              &tree_offsets[0], weights, output, n_trees, block, out)
        else:
            for block in range(n_blocks):
                sum_csr_block(data, indices, indptr, &rows[0, 0], &nodes[0], values,
                              &tree_offsets[0], weights, output, n_trees, block, out)


def _decision_path_csr(const float[::1] data, const index_t[::1] indices,
                       const index_t[::1] indptr, intp_t n_features, const TreeNode[::1] nodes,
                       const intp_t[::1] tree_offsets):
    cdef intp_t n_rows = indptr.shape[0] - 1, n_trees = tree_offsets.shape[0], i, t, position
    cdef int32_t node
    cdef const TreeNode* tree
    cdef float[::1] row = np.zeros(max(n_features, 1), dtype=np.float32)
    indptr_array = np.zeros(n_rows + 1, dtype=np.intp)
    cdef intp_t[::1] paths = indptr_array
    with nogil:
        for i in range(n_rows):
            scatter_row(data, indices, indptr, i, &row[0], False)
            paths[i + 1] = paths[i]
            for t in range(n_trees):
                paths[i + 1] += path_length(&row[0], &nodes[tree_offsets[t]])
            scatter_row(data, indices, indptr, i, &row[0], True)
    indices_array = np.empty(indptr_array[n_rows], dtype=np.intp)
    cdef intp_t[::1] nodes_out = indices_array
    with nogil:
        for i in range(n_rows):
            scatter_row(data, indices, indptr, i, &row[0], False)
            position = paths[i]
            for t in range(n_trees):
                tree = &nodes[tree_offsets[t]]
                node = 0
                while True:
                    nodes_out[position] = tree_offsets[t] + node
                    position += 1
                    if tree[node].left_child == LEAF:
                        break
                    node = next_node(&row[0], &tree[node])
            scatter_row(data, indices, indptr, i, &row[0], True)
    return indptr_array, indices_array


def _csr_parts(X):
    """A CSR matrix's (data float32, indices, indptr of one integer dtype, n_features)."""
    X = X.tocsr()
    if not X.has_canonical_format:
        # Duplicates add up, as in a dense copy; the caller's matrix is left alone.
        X = X.copy()
        X.sum_duplicates()
    data = np.ascontiguousarray(X.data, dtype=np.float32)
    index_dtype = np.int64 if np.int64 in (X.indices.dtype, X.indptr.dtype) else np.int32
    return (data, np.ascontiguousarray(X.indices, dtype=index_dtype),
            np.ascontiguousarray(X.indptr, dtype=index_dtype), X.shape[1])
