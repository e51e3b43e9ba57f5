"""Tree growth, compiled and nogil end to end, so that a forest can grow trees inside ``prange``.

Every tree model grows here: rows carry K gradient channels and a hessian (CART: weighted one-hot
labels or targets and the weights; boosting: derivatives of the loss), and splits are scored
from sums over each side (``_criterion.pxd``). The rows of a node are contiguous in ``samples``
and partitioned in place at each split. Depth-first growth uses a stack; with ``max_leaf_nodes``
the frontier is a max-heap on gain (best-first). A node's best split is found when the node is
created, so the frontier only holds splittable nodes and, for the hist splitter, their
histograms: the smaller child's is built, the larger's is the parent's minus it.
"""

from libc.float cimport DBL_EPSILON
from libc.math cimport INFINITY, isnan
from libc.stdint cimport uint64_t
from libc.string cimport memcpy

from ._criterion cimport (gain_suffices, impurity_known, leaf_value, node_impurity,
                          pure_children_gain, required_gain, side_score)
from ._histogram cimport subtract_histograms
from ._split cimport init_context
from ._node_split cimport HISTOGRAM_MIN_ROWS, build_node_histogram, find_best_split
from ._types cimport (HIST, LEAF, MISSING_BIN, GrowData, GrowParams, Node, SplitContext,
                      SplitRecord, TreeArrays, intp_t)
from ._workspace cimport (PendingNode, Workspace, acquire_histogram, free_workspace,
                          init_workspace, new_node, pop_pending, push_pending,
                          release_histogram)

cdef double UNDEFINED_THRESHOLD = -2.0


cdef intp_t add_node(Workspace* ws, TreeArrays* tree, intp_t parent, bint is_left, intp_t start,
                     intp_t end, int depth) noexcept nogil:
    """Append a node for rows ``samples[start:end]`` with its sums (stored in ``values`` until
    the tree is finished) and impurity; link it to its parent."""
    cdef const GrowData* data = ws.data
    cdef intp_t n_channels = data.n_channels
    cdef intp_t node_id = new_node(tree, n_channels)
    cdef intp_t i, k, row
    cdef double hessian_sum = 0.0, square_sum = 0.0
    cdef double* sums
    cdef Node* node
    if node_id < 0:
        ws.failed = True
        return -1
    sums = tree.values + node_id * n_channels
    for k in range(n_channels):
        sums[k] = 0.0
    for i in range(start, end):
        row = ws.samples[i]
        for k in range(n_channels):
            sums[k] += ws.gradients[row * n_channels + k]
        hessian_sum += ws.hessians[row]
        if ws.squares != NULL:
            square_sum += ws.squares[row]
    node = &tree.nodes[node_id]
    node.left_child = LEAF
    node.right_child = LEAF
    node.feature = -2
    node.threshold = UNDEFINED_THRESHOLD
    node.n_node_samples = end - start
    node.weighted_n_node_samples = hessian_sum
    node.impurity = node_impurity(sums, hessian_sum, square_sum, n_channels,
                                  ws.params.criterion, ws.params.l2_regularization)
    node.gain = 0.0
    node.depth = depth
    node.missing_go_left = 0
    node.bin_threshold = 0
    if parent >= 0:
        if is_left:
            tree.nodes[parent].left_child = node_id
        else:
            tree.nodes[parent].right_child = node_id
    return node_id


cdef inline bint is_impurity_known(const Workspace* ws) noexcept nogil:
    return impurity_known(ws.params.criterion, ws.squares != NULL)


cdef void mark_leaf(Workspace* ws, intp_t node_id, intp_t start, intp_t end) noexcept nogil:
    """Record the leaf of the rows ``samples[start:end]`` when the caller asked for leaves."""
    cdef intp_t i
    if ws.leaves != NULL:
        for i in range(start, end):
            ws.leaves[ws.samples[i]] = node_id


cdef void consider_node(Workspace* ws, TreeArrays* tree, intp_t node_id, intp_t start,
                        intp_t end, int depth, double* histogram) noexcept nogil:
    """Find the node's best split; queue the node if it may be split, else leave it a leaf."""
    cdef const GrowParams* params = ws.params
    cdef Node* node = &tree.nodes[node_id]
    cdef intp_t n_rows = end - start
    cdef SplitContext context
    cdef PendingNode pending
    cdef bint is_leaf = (
        (params.max_depth >= 0 and depth >= params.max_depth)
        or n_rows < params.min_samples_split
        or n_rows < 2 * params.min_samples_leaf
        or node.weighted_n_node_samples < 2.0 * params.min_weight_leaf
        or (node.impurity <= DBL_EPSILON and is_impurity_known(ws))
    )
    if not is_leaf:
        if (params.splitter == HIST and histogram == NULL
                and n_rows >= HISTOGRAM_MIN_ROWS):
            histogram = acquire_histogram(ws)
            if histogram == NULL:
                ws.failed = True
                return
            build_node_histogram(ws, start, end, histogram)
        init_context(&context, tree.values + node_id * ws.data.n_channels,
                     node.weighted_n_node_samples, n_rows, ws.data.n_channels, params.criterion,
                     params.l2_regularization, params.min_samples_leaf, params.min_weight_leaf)
        if is_impurity_known(ws):
            context.perfect_gain = pure_children_gain(node.impurity,
                                                      node.weighted_n_node_samples,
                                                      context.n_channels, params.criterion)
        pending.split = find_best_split(ws, &context, start, end, histogram)
        is_leaf = (not pending.split.found
                   or not gain_suffices(pending.split.gain, ws.required_gain, params.criterion))
    if is_leaf:
        release_histogram(ws, histogram)
        mark_leaf(ws, node_id, start, end)
        return
    pending.node_id = node_id
    pending.start = start
    pending.end = end
    pending.depth = depth
    pending.histogram = histogram
    if not push_pending(ws, &pending):
        ws.failed = True


cdef inline bint goes_left(const Workspace* ws, const SplitRecord* split, intp_t row) noexcept nogil:
    cdef const GrowData* data = ws.data
    cdef float value
    cdef unsigned char bin_index
    if ws.params.splitter == HIST:
        bin_index = data.binned[split.feature * data.n_samples + row]
        if bin_index == MISSING_BIN:
            return split.missing_go_left
        return bin_index <= split.bin_threshold
    value = data.feature_values[split.feature * data.n_samples + row]
    if isnan(value):
        return split.missing_go_left
    return value <= split.threshold


cdef intp_t partition_rows(Workspace* ws, intp_t start, intp_t end,
                           const SplitRecord* split) noexcept nogil:
    """Reorder ``samples[start:end]`` so the left child's rows come first; return the middle."""
    # Stable: rows stay in increasing order (as the root's are), so that the split searches
    # of the children read every feature's column forwards, not at random.
    cdef intp_t i, row, n_left = 0, n_right = 0
    cdef intp_t* right_rows = ws.scratch_rows
    for i in range(start, end):
        row = ws.samples[i]
        if goes_left(ws, split, row):
            ws.samples[start + n_left] = row
            n_left += 1
        else:
            right_rows[n_right] = row
            n_right += 1
    memcpy(ws.samples + start + n_left, right_rows, n_right * sizeof(intp_t))
    return start + n_left


cdef void split_node(Workspace* ws, TreeArrays* tree, PendingNode* pending) noexcept nogil:
    cdef SplitRecord* split = &pending.split
    cdef intp_t start = pending.start, end = pending.end
    cdef intp_t middle = partition_rows(ws, start, end, split)
    cdef double* left_histogram = NULL
    cdef double* right_histogram = NULL
    cdef double* smaller
    cdef Node* node = &tree.nodes[pending.node_id]
    cdef intp_t left_id, right_id
    node.feature = split.feature
    node.threshold = split.threshold
    node.missing_go_left = split.missing_go_left
    node.bin_threshold = split.bin_threshold
    node.gain = split.gain
    if pending.histogram != NULL and max(middle - start, end - middle) < HISTOGRAM_MIN_ROWS:
        # Both children are small enough to search without histograms.
        release_histogram(ws, pending.histogram)
    elif pending.histogram != NULL:
        smaller = acquire_histogram(ws)
        if smaller == NULL:
            ws.failed = True
            return
        if middle - start <= end - middle:
            build_node_histogram(ws, start, middle, smaller)
            left_histogram = smaller
            right_histogram = pending.histogram
        else:
            build_node_histogram(ws, middle, end, smaller)
            left_histogram = pending.histogram
            right_histogram = smaller
        subtract_histograms(pending.histogram, smaller, ws.histogram_size)
    left_id = add_node(ws, tree, pending.node_id, True, start, middle, pending.depth + 1)
    right_id = add_node(ws, tree, pending.node_id, False, middle, end, pending.depth + 1)
    if ws.failed:
        release_histogram(ws, left_histogram)
        release_histogram(ws, right_histogram)
        return
    consider_node(ws, tree, left_id, start, middle, pending.depth + 1, left_histogram)
    consider_node(ws, tree, right_id, middle, end, pending.depth + 1, right_histogram)



cdef int grow_tree(const GrowData* data, const GrowParams* params, const intp_t* rows,
                   intp_t n_rows, const double* row_weights, const intp_t* features,
                   intp_t n_tree_features, uint64_t seed, intp_t* leaves,
                   TreeArrays* tree) noexcept nogil:
    """Grow one tree on ``rows[:n_rows]`` into ``tree`` (whose arrays the caller frees).

    ``row_weights`` (or NULL) multiplies every row's gradients, hessian and square: bootstrap
    counts for forests. ``features[:n_tree_features]`` (or NULL: all) are the features the tree
    may split on. ``leaves`` (or NULL), of length n_samples, receives the leaf of every row in
    ``rows``. Returns 0, or -1 when memory ran out.
    """
    cdef Workspace ws
    cdef PendingNode pending
    cdef intp_t root, node_id, k, i, n_splits = 0, n_channels = data.n_channels
    cdef double hessian
    tree.nodes = NULL
    tree.values = NULL
    tree.n_nodes = 0
    tree.capacity = 0
    ws.frontier = NULL
    ws.free_histograms = NULL
    if not init_workspace(&ws, data, params, rows, n_rows, row_weights, features,
                          n_tree_features, seed):
        free_workspace(&ws)
        return -1
    ws.leaves = leaves
    root = add_node(&ws, tree, -1, False, 0, n_rows, 0)
    if root >= 0:
        ws.required_gain = required_gain(params.criterion, params.min_split_gain,
                                         params.min_impurity_decrease,
                                         tree.nodes[root].weighted_n_node_samples)
        consider_node(&ws, tree, root, 0, n_rows, 0, NULL)
    while ws.n_frontier > 0 and not ws.failed:
        if ws.best_first and n_splits + 1 >= params.max_leaf_nodes:
            break
        pending = pop_pending(&ws)
        split_node(&ws, tree, &pending)
        n_splits += 1
    # Nodes still waiting when best-first growth stopped are leaves.
    for i in range(ws.n_frontier):
        mark_leaf(&ws, ws.frontier[i].node_id, ws.frontier[i].start, ws.frontier[i].end)
    # Sums become leaf values (class fractions, means or Newton steps).
    for node_id in range(tree.n_nodes):
        hessian = tree.nodes[node_id].weighted_n_node_samples
        for k in range(n_channels):
            tree.values[node_id * n_channels + k] = leaf_value(
                tree.values[node_id * n_channels + k], hessian, params.criterion,
                params.l2_regularization)
    free_workspace(&ws)
    return -1 if ws.failed else 0
