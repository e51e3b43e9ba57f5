"""Prediction over flat node arrays: one set of kernels for a single tree and for whole ensembles.

Fitted trees are stored as ``TreeNode`` records (``TREE_NODE_DTYPE``, 30 bytes); the grower's
working ``Node`` (``NODE_DTYPE``) is converted by :func:`compact_nodes`. An ensemble is the
concatenation of its trees' node arrays with ``tree_offsets`` marking where each tree starts
(child indices are local to their tree). Rows are processed in blocks, each block going through
one tree before the next, so a tree's nodes stay in cache; blocks run in parallel. Dense rows
are walked over 16-byte ``WalkNode`` copies of the nodes (``walk_nodes``, kept by
``FlatEnsemble``), eight rows in lock-step; the sums of boosted trees (one value each, at most 8
levels) over 8-byte ``LevelNode`` records laid out level by level (``level_nodes``). Every
kernel reads float32 rows (thresholds) or uint8 binned rows (``bin_threshold``, bin 255 =
missing); sparse matrices are read as CSR rows over the stored nodes (see the end of this
file).
"""

import numpy as np
from scipy.sparse import issparse

from cython.parallel import prange, threadid
from libc.stdint cimport INT32_MAX, int32_t, int64_t, uint8_t, uint32_t

from libc.float cimport FLT_MAX
from libc.math cimport INFINITY, nextafterf
from libc.stdlib cimport free, malloc

from ._types cimport LEAF, MISSING_BIN, MISSING_GO_LEFT, Node, TreeNode


# What prediction reads of a node, 16 bytes (four to a cache line, against 30 for ``TreeNode``):
# a walk is a chain of dependent loads, so the fewer lines a tree spans, the more of it stays
# in cache. Built from the stored nodes when needed (``walk_nodes``), never stored. A leaf
# points to itself on both sides, so rows can be walked in lock-step without a leaf test.
cdef packed struct WalkNode:
    int32_t left_child
    int32_t right_child
    uint32_t feature            # bit 31 (WALK_MISSING_LEFT): missing values go left
    float threshold             # binned rows: the bin threshold, as a float

# Depth-limited trees laid out level by level (``level_nodes``): a tree of depth D is a complete
# binary tree of 2**D - 1 split records, node p's children at 2p + 1 and 2p + 2, then 2**D leaf
# values. A row's position is arithmetic, not a loaded child index, and a record is 8 bytes
# (eight to a cache line). A leaf above the last level becomes splits that send every row left
# (threshold +inf, missing values left) and its value fills the leaves below it.
cdef packed struct LevelNode:
    uint32_t feature            # bit 31 (WALK_MISSING_LEFT): missing values go left
    float threshold             # binned rows: the bin threshold, as a float

# A model's level layouts as a kernel reads them (``level_nodes``' arrays).
cdef struct LevelTrees:
    const LevelNode* records
    const intp_t* record_starts
    const double* leaves
    const intp_t* leaf_starts

cdef uint32_t WALK_MISSING_LEFT = 0x80000000u
cdef uint32_t WALK_FEATURE_MASK = 0x7FFFFFFFu
# Rows walked in lock-step through a tree: their independent chains of loads overlap.
cdef enum:
    WALK_GROUP = 8

cdef Node dummy_node
cdef TreeNode dummy_tree_node
cdef WalkNode dummy_walk_node
cdef LevelNode dummy_level_node
# The grower's working node, the compact node that fitted models store, prediction's node.
NODE_DTYPE = np.asarray(<Node[:1]>(&dummy_node)).dtype
TREE_NODE_DTYPE = np.asarray(<TreeNode[:1]>(&dummy_tree_node)).dtype
WALK_NODE_DTYPE = np.asarray(<WalkNode[:1]>(&dummy_walk_node)).dtype
LEVEL_NODE_DTYPE = np.asarray(<LevelNode[:1]>(&dummy_level_node)).dtype

ctypedef fused value_t:
    float
    double

# Rows per block: a block goes through one tree before the next, so the tree's nodes are
# fetched once per block and then mostly hit in cache while the rows stream through (reading
# rows in order is what the prefetcher does best); measured on W-rf, the larger the block the
# faster, up to whole thread's shares of the rows.
cdef enum:
    BLOCK_ROWS = 16384
    MIN_BLOCK_ROWS = 64
    BLOCK_CACHE_BYTES = 262144
    SMALL_TREE_BYTES = 65536
# Trees up to MAX_FIXED_DEPTH levels are walked a fixed number of steps, their depth
# (``tree_depths``); callers that do not keep the depths get them for models of at most
# SMALL_MODEL_BYTES of walk nodes.
cdef intp_t SMALL_MODEL_BYTES = 262144
cdef intp_t MAX_FIXED_DEPTH = 12
# Fewer (row, tree) traversals than this run on one thread: each costs tens of nanoseconds.
cdef intp_t MIN_PARALLEL_ROWS = 50000
# Deepest trees laid out level by level: 255 records and 256 leaves (4 kB) at depth 8. Sparse
# deep trees pad many leaves: models whose layout would take more than LEVEL_MAX_GROWTH times
# their walk nodes' bytes keep the walk (a chain of 8 levels: 4 kB against 272 bytes).
cdef intp_t MAX_LEVEL_DEPTH = 8
cdef intp_t LEVEL_MAX_GROWTH = 4


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
    if len(grown) > INT32_MAX:
        raise ValueError("A stored tree holds at most 2**31 - 1 nodes and samples per node.")
    nodes = np.empty(len(grown), dtype=TREE_NODE_DTYPE)
    cdef const Node[::1] source = np.ascontiguousarray(grown)
    cdef TreeNode[::1] target = nodes
    cdef intp_t i, largest = 0
    cdef float threshold
    # One compiled pass: boosting stores a small tree every round, where a numpy operation
    # per field cost more than growing it.
    with nogil:
        for i in range(source.shape[0]):
            target[i].left_child = <int32_t>source[i].left_child
            target[i].right_child = <int32_t>source[i].right_child
            target[i].feature = <int32_t>source[i].feature
            # float32_at_most, element by element (outside float32's range explicitly: the
            # conversion of such a double is undefined in C).
            if source[i].threshold >= FLT_MAX:
                threshold = INFINITY if source[i].threshold == INFINITY else FLT_MAX
            elif source[i].threshold < -FLT_MAX:
                threshold = -INFINITY
            else:
                threshold = <float>source[i].threshold
                if threshold > source[i].threshold:
                    threshold = nextafterf(threshold, -INFINITY)
            target[i].threshold = threshold
            target[i].flags = MISSING_GO_LEFT if source[i].missing_go_left != 0 else 0
            target[i].bin_threshold = source[i].bin_threshold
            target[i].impurity = <float>source[i].impurity
            target[i].n_node_samples = <int32_t>source[i].n_node_samples
            largest = max(largest, source[i].n_node_samples)
            target[i].weighted_n_node_samples = <float>source[i].weighted_n_node_samples
    if largest > INT32_MAX:
        raise ValueError("A stored tree holds at most 2**31 - 1 nodes and samples per node.")
    return nodes


def _stored(nodes):
    """``nodes`` as TREE_NODE_DTYPE (grower nodes are converted)."""
    nodes = np.asarray(nodes)
    if nodes.dtype == NODE_DTYPE:
        return compact_nodes(nodes)
    if nodes.dtype != TREE_NODE_DTYPE:
        raise TypeError(f"nodes must have dtype TREE_NODE_DTYPE or NODE_DTYPE, got {nodes.dtype}.")
    return nodes


cdef inline bint goes_left(const row_t* row, uint32_t feature, float threshold) noexcept nogil:
    """Whether ``row`` goes left at a split of ``feature`` (bit 31: missing values go left)
    and ``threshold``. Branch-free: which side a row takes is a coin flip to the branch
    predictor."""
    cdef bint go_left
    if row_t is float:
        go_left = ((row[feature & WALK_FEATURE_MASK] <= threshold)
                   | ((row[feature & WALK_FEATURE_MASK] != row[feature & WALK_FEATURE_MASK])
                      & (feature >> 31)))
    else:
        go_left = ((<float>row[feature & WALK_FEATURE_MASK] <= threshold)
                   | ((row[feature & WALK_FEATURE_MASK] == MISSING_BIN) & (feature >> 31)))
    return go_left


cdef inline int32_t walk_step(const row_t* row, const WalkNode* node) noexcept nogil:
    """The child ``row`` goes to; a leaf's is the leaf itself."""
    return (node.left_child if goes_left(row, node.feature, node.threshold)
            else node.right_child)


cdef void walk_rows(const row_t* X, intp_t n_columns, intp_t start, intp_t end,
                    const WalkNode* tree, intp_t depth, int32_t* leaves) noexcept nogil:
    """``leaves[i - start]``: the leaf (local id) that row ``i`` of ``start:end`` reaches.

    ``depth`` > 0: the tree's depth, and every group of rows takes exactly that many steps
    (a leaf leads to itself), with no test of whether one still moves; 0: unknown."""
    cdef int32_t current[WALK_GROUP]
    cdef int32_t following
    cdef intp_t i, j, step
    cdef bint moved
    i = start
    while depth > 0 and i + WALK_GROUP <= end:
        for j in range(WALK_GROUP):
            current[j] = 0
        for step in range(depth):
            for j in range(WALK_GROUP):
                current[j] = walk_step(X + (i + j) * n_columns, &tree[current[j]])
        for j in range(WALK_GROUP):
            leaves[i - start + j] = current[j]
        i += WALK_GROUP
    while i + WALK_GROUP <= end:
        for j in range(WALK_GROUP):
            current[j] = 0
        moved = True
        while moved:
            moved = False
            for j in range(WALK_GROUP):
                following = walk_step(X + (i + j) * n_columns, &tree[current[j]])
                moved = moved | (following != current[j])
                current[j] = following
        for j in range(WALK_GROUP):
            leaves[i - start + j] = current[j]
        i += WALK_GROUP
    while i < end:
        current[0] = 0
        while tree[current[0]].left_child != current[0]:
            current[0] = walk_step(X + i * n_columns, &tree[current[0]])
        leaves[i - start] = current[0]
        i += 1


cdef void add_level_tree(const row_t* X, intp_t n_columns, intp_t start, intp_t end,
                         const LevelNode* tree, intp_t depth, const double* tree_leaves,
                         double[:, ::1] out, intp_t column) noexcept nogil:
    """``out[i, column] += tree_leaves[leaf]`` for rows ``start:end`` of a tree laid out level
    by level: a row's next position is 2p + 1 or 2p + 2, and its leaf's value is added where
    the walk ends (written to a leaf array and read back, as ``walk_rows`` does, it was 6%
    slower on W-gbdt-multi)."""
    cdef intp_t position[WALK_GROUP]
    cdef intp_t i = start, j, step, first_leaf = (<intp_t>1 << depth) - 1
    while i + WALK_GROUP <= end:
        for j in range(WALK_GROUP):
            position[j] = 0
        for step in range(depth):
            for j in range(WALK_GROUP):
                position[j] = 2 * position[j] + 2 - goes_left(
                    X + (i + j) * n_columns, tree[position[j]].feature,
                    tree[position[j]].threshold)
        for j in range(WALK_GROUP):
            out[i + j, column] += tree_leaves[position[j] - first_leaf]
        i += WALK_GROUP
    while i < end:
        position[0] = 0
        for step in range(depth):
            position[0] = 2 * position[0] + 2 - goes_left(
                X + i * n_columns, tree[position[0]].feature, tree[position[0]].threshold)
        out[i, column] += tree_leaves[position[0] - first_leaf]
        i += 1


cdef void fill_walk_nodes(const TreeNode* nodes, intp_t n_nodes, const intp_t* tree_offsets,
                          intp_t n_trees, bint binned, WalkNode* walk) noexcept nogil:
    cdef intp_t t, node, offset, end
    for t in range(n_trees):
        offset = tree_offsets[t]
        end = tree_offsets[t + 1] if t + 1 < n_trees else n_nodes
        for node in range(offset, end):
            if nodes[node].left_child == LEAF:
                walk[node].left_child = <int32_t>(node - offset)
                walk[node].right_child = <int32_t>(node - offset)
                walk[node].feature = 0
                walk[node].threshold = 0.0
            else:
                walk[node].left_child = nodes[node].left_child
                walk[node].right_child = nodes[node].right_child
                walk[node].feature = <uint32_t>nodes[node].feature
                if nodes[node].flags & MISSING_GO_LEFT:
                    walk[node].feature |= WALK_MISSING_LEFT
                walk[node].threshold = (<float>nodes[node].bin_threshold if binned
                                        else nodes[node].threshold)


def walk_nodes(nodes, tree_offsets, bint binned=False):
    """The nodes as prediction walks them (``WALK_NODE_DTYPE``, 16 bytes): children, feature
    with the missing-values flag in bit 31, threshold (the bin threshold for ``binned`` rows);
    leaves point to themselves.

    Parameters
    ----------
    nodes : ndarray of TREE_NODE_DTYPE (or NODE_DTYPE)
    tree_offsets : ndarray of shape (n_trees,), intp
    binned : bool, default=False
        For uint8 binned rows instead of float32 values.

    Returns
    -------
    walk : ndarray of WALK_NODE_DTYPE, same length as ``nodes``
    """
    cdef const TreeNode[::1] stored = _stored(nodes)
    cdef const intp_t[::1] offsets = np.ascontiguousarray(tree_offsets, dtype=np.intp)
    walk_array = np.zeros(stored.shape[0], dtype=WALK_NODE_DTYPE)
    cdef WalkNode[::1] walk = walk_array
    if stored.shape[0] > 0 and offsets.shape[0] > 0:
        with nogil:
            fill_walk_nodes(&stored[0], stored.shape[0], &offsets[0], offsets.shape[0], binned,
                            &walk[0])
    return walk_array


def _checked_walk(walk, nodes, tree_offsets, binned):
    if walk is None:
        return walk_nodes(nodes, tree_offsets, binned)
    if walk.dtype != WALK_NODE_DTYPE or len(walk) != len(nodes):
        raise ValueError("walk must be walk_nodes(nodes, ...) of the same nodes.")
    return np.ascontiguousarray(walk)


cdef inline intp_t block_rows(intp_t n_rows, int n_threads, intp_t row_bytes,
                              intp_t model_bytes, intp_t n_trees) noexcept nogil:
    # Two blocks per thread (scheduled dynamically): a thread that waits for a core on a busy
    # machine holds up the others less. A block's rows are read again by every tree, so wide
    # rows come in blocks that stay cached, of BLOCK_CACHE_BYTES when the trees are small
    # (boosting: a tree's nodes, read again by every block, are a few kB); trees of more than
    # SMALL_TREE_BYTES (forests) are the larger re-read, and blocks of a model's size keep
    # the number of blocks down. W-gbdt-multi's 1,000 trees of 2 kB on 50,000 rows of 160
    # bytes, 2 threads: blocks of 2 MB (the model's size) 270 ms, of 256 kB 233-243 ms.
    cdef intp_t rows = (n_rows + 2 * n_threads - 1) // (2 * n_threads)
    cdef intp_t cache_bytes = BLOCK_CACHE_BYTES
    if model_bytes > SMALL_TREE_BYTES * max(n_trees, 1):
        cache_bytes = max(cache_bytes, model_bytes)
    cdef intp_t cached_rows = cache_bytes // max(row_bytes, 1)
    cdef intp_t n_blocks
    if rows > cached_rows:
        # Smaller blocks, as many as a multiple of the threads (equal shares).
        n_blocks = (n_rows + cached_rows - 1) // max(cached_rows, 1)
        n_blocks = (n_blocks + n_threads - 1) // n_threads * n_threads
        rows = (n_rows + n_blocks - 1) // n_blocks
    return max(MIN_BLOCK_ROWS, min(<intp_t>BLOCK_ROWS, rows))


cdef bint fill_tree_depths(const WalkNode* walk, intp_t n_nodes, const intp_t* tree_offsets,
                           intp_t n_trees, intp_t* depths) noexcept nogil:
    """``depths[t]``: tree t's depth, or 0 past ``MAX_FIXED_DEPTH``, for ``walk_rows`` to walk
    trees up to that depth a fixed number of steps (shallow trees: every row takes about as
    many). False if out of memory."""
    cdef intp_t t, node, offset, end, deepest
    cdef int32_t* node_depth = <int32_t*>malloc(max(n_nodes, 1) * sizeof(int32_t))
    if node_depth == NULL:
        return False
    for t in range(n_trees):
        offset = tree_offsets[t]
        end = tree_offsets[t + 1] if t + 1 < n_trees else n_nodes
        deepest = 0
        node_depth[offset] = 0
        # Children come after their parent (checked when the trees were stored).
        for node in range(offset, end):
            if walk[node].left_child != node - offset:
                node_depth[offset + walk[node].left_child] = node_depth[node] + 1
                node_depth[offset + walk[node].right_child] = node_depth[node] + 1
            deepest = max(deepest, <intp_t>node_depth[node])
        depths[t] = deepest if deepest <= MAX_FIXED_DEPTH else 0
    free(node_depth)
    return True


def tree_depths(walk, tree_offsets):
    """Each tree's depth for the fixed-step walk (0: walk until no row moves), from
    ``walk_nodes(nodes, tree_offsets)``; callers that predict many times keep it.

    Parameters
    ----------
    walk : ndarray of WALK_NODE_DTYPE
    tree_offsets : ndarray of shape (n_trees,), intp

    Returns
    -------
    depths : ndarray of shape (n_trees,), intp
    """
    cdef const WalkNode[::1] nodes = walk
    cdef const intp_t[::1] offsets = np.ascontiguousarray(tree_offsets, dtype=np.intp)
    depths_array = np.zeros(offsets.shape[0], dtype=np.intp)
    cdef intp_t[::1] depths = depths_array
    cdef bint done = True
    if nodes.shape[0] > 0 and offsets.shape[0] > 0:
        with nogil:
            done = fill_tree_depths(&nodes[0], nodes.shape[0], &offsets[0], offsets.shape[0],
                                    &depths[0])
    if not done:
        raise MemoryError("no memory for the trees' depths")
    return depths_array


def _checked_depths(depths, walk, tree_offsets):
    """``depths`` given by the caller, or computed for models small enough that a pass over
    their nodes costs nothing next to the walk (the fixed-step walk pays off for any model,
    but a large model's depths are worth computing only once, by its owner)."""
    if depths is None:
        if len(walk) * WALK_NODE_DTYPE.itemsize > SMALL_MODEL_BYTES:
            return np.zeros(len(tree_offsets), dtype=np.intp)
        return tree_depths(walk, tree_offsets)
    depths = np.ascontiguousarray(depths, dtype=np.intp)
    if depths.shape != (len(tree_offsets),) or (len(depths) and depths.min() < 0):
        raise ValueError("depths must be tree_depths(walk, tree_offsets) of the same trees.")
    return depths


cdef void apply_block(const row_t[:, ::1] X, const WalkNode* walk, const intp_t* tree_offsets,
                      const intp_t* depths, intp_t n_trees, bint local, intp_t start,
                      intp_t end, intp_t[:, ::1] leaves) noexcept nogil:
    cdef int32_t block_leaves[BLOCK_ROWS]
    cdef intp_t t, i, offset
    for t in range(n_trees):
        offset = tree_offsets[t]
        walk_rows(&X[0, 0], X.shape[1], start, end, walk + offset, depths[t], block_leaves)
        for i in range(start, end):
            leaves[i, t] = block_leaves[i - start] + (0 if local else offset)


def _apply(const row_t[:, ::1] X, const WalkNode[::1] walk, const intp_t[::1] tree_offsets,
           const intp_t[::1] depths, bint local, int n_threads):
    cdef intp_t n_rows = X.shape[0], n_trees = tree_offsets.shape[0], block
    cdef bint parallel = n_threads > 1 and n_rows * n_trees >= MIN_PARALLEL_ROWS
    cdef intp_t rows = block_rows(n_rows, n_threads if parallel else 1,
                                  X.shape[1] * sizeof(row_t), walk.shape[0] * sizeof(WalkNode),
                                  n_trees)
    cdef intp_t n_blocks = (n_rows + rows - 1) // rows
    leaves_array = np.empty((n_rows, n_trees), dtype=np.intp)
    cdef intp_t[:, ::1] leaves = leaves_array
    if n_rows == 0 or n_trees == 0:
        return leaves_array
    with nogil:
        if parallel:
            for block in prange(n_blocks, schedule='dynamic', num_threads=n_threads):
                apply_block(X, &walk[0], &tree_offsets[0], &depths[0], n_trees, local,
                            block * rows, min(block * rows + rows, n_rows), leaves)
        else:
            for block in range(n_blocks):
                apply_block(X, &walk[0], &tree_offsets[0], &depths[0], n_trees, local,
                            block * rows, min(block * rows + rows, n_rows), leaves)
    return leaves_array


def apply_trees(X, nodes, tree_offsets, int n_threads, bint local=False, walk=None,
                depths=None):
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
    walk : ndarray of WALK_NODE_DTYPE, default=None
        ``walk_nodes(nodes, tree_offsets, binned)`` when the caller keeps it (built if None;
        unused for sparse ``X``, read over the stored nodes).
    depths : ndarray of shape (n_trees,), intp, default=None
        ``tree_depths(walk, tree_offsets)`` when the caller keeps it (None: computed for small
        models, large ones walk until no row moves).

    Returns
    -------
    leaves : ndarray of shape (n_samples, n_trees), intp
    """
    tree_offsets = np.ascontiguousarray(tree_offsets, dtype=np.intp)
    if issparse(X):
        return _apply_csr(*_csr_parts(X), _stored(nodes), tree_offsets, local, n_threads)
    walk = _checked_walk(walk, nodes, tree_offsets, X.dtype == np.uint8)
    depths = _checked_depths(depths, walk, tree_offsets)
    return _apply(X, walk, tree_offsets, depths, local, n_threads)


cdef void sum_block(const row_t[:, ::1] X, const WalkNode* walk, const value_t[:, ::1] values,
                    const intp_t* tree_offsets, const intp_t* depths, const double* tree_weights,
                    const intp_t* tree_output, const LevelTrees* levels, intp_t n_trees,
                    intp_t start, intp_t end, double[:, ::1] out) noexcept nogil:
    # Every row adds the trees in their order, whatever the blocks: the same sums for any
    # block size and thread count. ``levels`` (or NULL): the trees' level layouts, walked
    # instead of ``walk`` (``depths`` are then the layouts' depths), their leaves' values read
    # from the layouts.
    cdef int32_t block_leaves[BLOCK_ROWS]
    cdef intp_t t, i, k, leaf, first, offset, n_values = values.shape[1]
    cdef double weight = 1.0
    for t in range(n_trees):
        first = 0 if tree_output == NULL else tree_output[t]
        if levels != NULL:
            add_level_tree(&X[0, 0], X.shape[1], start, end,
                           levels.records + levels.record_starts[t], depths[t],
                           levels.leaves + levels.leaf_starts[t], out, first)
            continue
        if tree_weights != NULL:
            weight = tree_weights[t]
        offset = tree_offsets[t]
        walk_rows(&X[0, 0], X.shape[1], start, end, walk + offset, depths[t], block_leaves)
        if n_values == 1 and tree_weights == NULL:
            # Boosting's trees: one value, no weight (the same sums: x * 1.0 is x).
            for i in range(start, end):
                out[i, first] += values[offset + block_leaves[i - start], 0]
            continue
        for i in range(start, end):
            leaf = offset + block_leaves[i - start]
            for k in range(n_values):
                out[i, first + k] += weight * values[leaf, k]


def _sum(const row_t[:, ::1] X, const WalkNode[::1] walk, const value_t[:, ::1] values,
         const intp_t[::1] tree_offsets, const intp_t[::1] depths, const double[::1] tree_weights,
         const intp_t[::1] tree_output, double[:, ::1] out, int n_threads,
         const LevelNode[::1] records=None, const intp_t[::1] record_starts=None,
         const double[::1] leaves=None, const intp_t[::1] leaf_starts=None):
    """``sum_block`` over blocks of rows, in parallel; with ``records`` (and the other arrays
    of ``level_nodes``, ``depths`` its depths), over the level layouts instead of ``walk``."""
    cdef intp_t n_rows = X.shape[0], n_trees = depths.shape[0], block
    cdef bint parallel = n_threads > 1 and n_rows * n_trees >= MIN_PARALLEL_ROWS
    cdef LevelTrees level_trees
    cdef const LevelTrees* levels = NULL
    cdef const WalkNode* walk_nodes = NULL
    cdef intp_t model_bytes
    if records is not None:
        level_trees.records = &records[0]
        level_trees.record_starts = &record_starts[0]
        level_trees.leaves = &leaves[0]
        level_trees.leaf_starts = &leaf_starts[0]
        levels = &level_trees
        model_bytes = records.shape[0] * sizeof(LevelNode) + leaves.shape[0] * sizeof(double)
    else:
        walk_nodes = &walk[0]
        model_bytes = walk.shape[0] * sizeof(WalkNode)
    cdef intp_t rows = block_rows(n_rows, n_threads if parallel else 1,
                                  X.shape[1] * sizeof(row_t), model_bytes, n_trees)
    cdef intp_t n_blocks = (n_rows + rows - 1) // rows
    cdef const double* weights = NULL if tree_weights is None else &tree_weights[0]
    cdef const intp_t* output = NULL if tree_output is None else &tree_output[0]
    with nogil:
        if parallel:
            for block in prange(n_blocks, schedule='dynamic', num_threads=n_threads):
                sum_block(X, walk_nodes, values, &tree_offsets[0], &depths[0], weights, output,
                          levels, n_trees, block * rows, min(block * rows + rows, n_rows), out)
        else:
            for block in range(n_blocks):
                sum_block(X, walk_nodes, values, &tree_offsets[0], &depths[0], weights, output,
                          levels, n_trees, block * rows, min(block * rows + rows, n_rows), out)


cdef intp_t level_depth(const TreeNode* nodes, intp_t* source) noexcept nogil:
    """The depth of the tree ``nodes`` (root first), or -1 past MAX_LEVEL_DEPTH. ``source``
    (2 ** (MAX_LEVEL_DEPTH + 1) - 1 entries) receives the node each position of the complete
    tree of that depth stands for: a leaf stands for every position below it."""
    cdef intp_t depth = 0, first = 0, width = 1, p, node
    cdef bint splits
    source[0] = 0
    while True:
        splits = False
        for p in range(first, first + width):
            splits = splits or nodes[source[p]].left_child != LEAF
        if not splits:
            return depth
        if depth == MAX_LEVEL_DEPTH:
            return -1
        for p in range(first, first + width):
            node = source[p]
            if nodes[node].left_child == LEAF:
                source[2 * p + 1] = node
                source[2 * p + 2] = node
            else:
                source[2 * p + 1] = nodes[node].left_child
                source[2 * p + 2] = nodes[node].right_child
        first += width
        width *= 2
        depth += 1


cdef void fill_levels(const TreeNode* nodes, const double* values, intp_t depth,
                      const intp_t* source, bint binned, LevelNode* records,
                      double* leaves) noexcept nogil:
    cdef intp_t p, node, n_records = (<intp_t>1 << depth) - 1
    for p in range(n_records):
        node = source[p]
        if nodes[node].left_child == LEAF:
            # Every row left, missing values too; the leaf's value fills the leaves below.
            records[p].feature = WALK_MISSING_LEFT
            records[p].threshold = INFINITY
            continue
        records[p].feature = <uint32_t>nodes[node].feature
        if nodes[node].flags & MISSING_GO_LEFT:
            records[p].feature |= WALK_MISSING_LEFT
        records[p].threshold = (<float>nodes[node].bin_threshold if binned
                                else nodes[node].threshold)
    for p in range(n_records + 1):
        leaves[p] = values[source[n_records + p]]


def level_nodes(nodes, leaf_values, tree_offsets, bint binned=False):
    """The trees laid out level by level (``LevelNode``), for ``sum_tree_values``' ``levels``;
    None when a tree is deeper than MAX_LEVEL_DEPTH (8), or when the layout would take more
    than LEVEL_MAX_GROWTH (4) times the bytes of the trees' walk nodes.

    Parameters
    ----------
    nodes : ndarray of TREE_NODE_DTYPE
    leaf_values : ndarray of shape (n_nodes,)
        One value per node (boosting's trees).
    tree_offsets : ndarray of shape (n_trees,), intp
    binned : bool, default=False
        For uint8 binned rows instead of float32 values.

    Returns
    -------
    levels : tuple or None
        ``(records, record_starts, leaves, leaf_starts, depths)``: the split records
        (LEVEL_NODE_DTYPE) and float64 leaf values of every tree, where tree t's start, and
        its depth; the per-tree arrays may be sliced together to select trees.
    """
    cdef const TreeNode[::1] stored = _stored(nodes)
    cdef const double[::1] values = np.ascontiguousarray(leaf_values, dtype=np.float64)
    cdef const intp_t[::1] offsets = np.ascontiguousarray(tree_offsets, dtype=np.intp)
    cdef intp_t t, n_trees = offsets.shape[0]
    depths_array = np.zeros(n_trees, dtype=np.intp)
    cdef intp_t[::1] depths = depths_array
    cdef intp_t* source = <intp_t*>malloc(((<intp_t>2 << MAX_LEVEL_DEPTH) - 1) * sizeof(intp_t))
    cdef bint too_deep = False
    if source == NULL:
        raise MemoryError()
    try:
        with nogil:
            for t in range(n_trees):
                depths[t] = level_depth(&stored[offsets[t]], source)
                too_deep = too_deep or depths[t] < 0
        if too_deep or n_trees == 0:
            return None
        sizes = np.left_shift(1, depths_array)
        level_bytes = (2 * int(sizes.sum()) - n_trees) * sizeof(LevelNode)
        if level_bytes > LEVEL_MAX_GROWTH * stored.shape[0] * sizeof(WalkNode):
            return None
        leaf_starts_array = (np.cumsum(sizes) - sizes).astype(np.intp)
        record_starts_array = leaf_starts_array - np.arange(n_trees, dtype=np.intp)
        records_array = np.empty(int(sizes.sum()) - n_trees, dtype=LEVEL_NODE_DTYPE)
        leaves_array = np.empty(int(sizes.sum()))
        if len(records_array) == 0:
            records_array = np.empty(1, dtype=LEVEL_NODE_DTYPE)
        fill_all_levels(stored, values, offsets, depths, record_starts_array,
                        leaf_starts_array, binned, records_array, leaves_array, source)
    finally:
        free(source)
    return records_array, record_starts_array, leaves_array, leaf_starts_array, depths_array


cdef void fill_all_levels(const TreeNode[::1] stored, const double[::1] values,
                          const intp_t[::1] offsets, const intp_t[::1] depths,
                          const intp_t[::1] record_starts, const intp_t[::1] leaf_starts,
                          bint binned, LevelNode[::1] records, double[::1] leaves,
                          intp_t* source) noexcept:
    cdef intp_t t
    with nogil:
        for t in range(offsets.shape[0]):
            level_depth(&stored[offsets[t]], source)
            fill_levels(&stored[offsets[t]], &values[offsets[t]], depths[t], source, binned,
                        &records[0] + record_starts[t], &leaves[0] + leaf_starts[t])


def sum_tree_values(X, nodes, values, tree_offsets, tree_weights, out, int n_threads,
                    tree_output=None, walk=None, depths=None, levels=None):
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
    walk : ndarray of WALK_NODE_DTYPE, default=None
        ``walk_nodes(nodes, tree_offsets, binned)`` when the caller keeps it (built if None;
        unused for sparse ``X``, read over the stored nodes).
    depths : ndarray of shape (n_trees,), intp, default=None
        ``tree_depths(walk, tree_offsets)`` of these trees when the caller keeps it (None:
        computed for small models, large ones walk until no row moves).
    levels : tuple, default=None
        ``level_nodes(nodes, values[:, 0], tree_offsets, binned)`` of these trees (its
        per-tree arrays sliced to them), for trees of one value without weights: dense
        ``X`` is then walked over it, with the same sums.
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
    if levels is not None and tree_weights is None and values.shape[1] == 1:
        records, record_starts, leaves, leaf_starts, level_depths = levels
        if not (len(record_starts) == len(leaf_starts) == len(level_depths) == n_trees):
            raise ValueError("levels must be level_nodes(...) of the same trees.")
        _sum(X, None, values, tree_offsets, level_depths, None, tree_output, out, n_threads,
             records, record_starts, leaves, leaf_starts)
        return
    walk = _checked_walk(walk, nodes, tree_offsets, X.dtype == np.uint8)
    depths = _checked_depths(depths, walk, tree_offsets)
    _sum(X, walk, values, tree_offsets, depths, tree_weights, tree_output, out, n_threads)


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
