"""Tree growth, compiled and nogil end to end, so that a forest can grow trees inside ``prange``.

Every tree model grows here: rows carry K gradient channels and a hessian (CART: weighted one-hot
labels or targets and the weights; boosting: derivatives of the loss), and splits are scored
from sums over each side (``_criterion.pxd``). The rows of a node are contiguous in ``samples``
and partitioned in place at each split. Depth-first growth uses a stack; with ``max_leaf_nodes``
the frontier is a max-heap on gain (best-first). A node's best split is found when the node is
created, so the frontier only holds splittable nodes and, for the hist splitter, their
histograms: the smaller child's is built, the larger's is the parent's minus it.
"""

import numpy as np

from cython.parallel import prange, threadid
from libc.float cimport DBL_EPSILON
from libc.math cimport INFINITY, isnan
from libc.stdint cimport uint32_t, uint64_t
from libc.stdlib cimport free, malloc, realloc
from libc.string cimport memcpy

from ._criterion cimport leaf_value, node_impurity, side_score
from ._exact_split cimport best_split_sorted, gather_bins, gather_values
from ._histogram cimport build_feature_histogram, subtract_histograms
from ._random cimport random_below, random_uniform
from ._random_split cimport random_split
from ._sort cimport sort_values_with_rows
from ._split cimport best_split_from_histogram
from ._types cimport (CRITERION_SECOND_ORDER, CRITERION_SQUARED_ERROR, LEAF, MISSING_BIN, N_BINS,
                      SPLITTER_HIST, SPLITTER_RANDOM,
                      BIN_DTYPE_C, X_DTYPE_C, Node, intp_t,
                      SplitContext, SplitRecord)

from ._tree import NODE_DTYPE

# A parallel region costs microseconds on an idle machine and can cost milliseconds on a busy
# one (a thread waits for a core): node-level work runs on one thread unless it is worth a
# couple of milliseconds. Units: (row, feature) pairs to sort, (row, feature) pairs to add to
# histograms, histogram values (bins x features x channels) to scan.
cdef intp_t MIN_PARALLEL_SORT = 32768
cdef intp_t MIN_PARALLEL_HISTOGRAM = 1048576
cdef intp_t MIN_PARALLEL_SCAN = 2097152
cdef double UNDEFINED_THRESHOLD = -2.0
# Hist splitter: nodes with fewer rows sort their bin indices instead of building a histogram
# (same candidate splits, same result). A histogram costs N_BINS entries per feature to clear,
# subtract and scan whatever the node's size, which dominates deep trees' many small nodes.
cdef intp_t HISTOGRAM_MIN_ROWS = 256
# Nodes with fewer rows read row-major copies of the data when there are some: each row's
# features share cache lines, so a small node's data stays cached across its features.
cdef intp_t ROW_MAJOR_MAX_ROWS = 2048


cdef struct PendingNode:
    intp_t node_id
    intp_t start
    intp_t end
    int depth
    SplitRecord split
    double* histogram


cdef struct Workspace:
    const GrowData* data
    const GrowParams* params
    const double* gradients
    const double* hessians
    const double* squares
    double* owned_gradients         # weighted copies when the tree has row weights
    double* owned_hessians
    double* owned_squares
    intp_t* samples
    intp_t n_rows
    double* ordered_gradients
    double* ordered_hessians
    float* sort_values              # [n_threads, n_rows]
    intp_t* sort_rows               # [n_threads, n_rows]
    uint32_t* scratch_keys          # [n_threads, n_rows]: the radix sort's other buffers
    intp_t* scratch_rows            # [n_threads, n_rows]
    double* scratch                 # [n_threads, scratch_stride]
    intp_t scratch_stride           # 4 * n_channels rounded up, plus a cache line of padding
    SplitRecord* feature_splits     # [n_features]
    double* feature_uniforms        # [n_features]: random splitter's draws for this node
    unsigned char* feature_constant # [n_features]
    intp_t* features                # candidate order, partially shuffled per node
    uint64_t rng
    double required_gain
    bint best_first
    intp_t histogram_size
    double** free_histograms
    intp_t n_free_histograms
    PendingNode* frontier
    intp_t n_frontier
    intp_t frontier_capacity
    bint failed


# ---------------------------------------------------------------------------------------------
# Memory: node arrays, histograms, frontier.

cdef intp_t new_node(TreeArrays* tree, intp_t n_channels) noexcept nogil:
    cdef intp_t capacity
    cdef Node* nodes
    cdef double* values
    if tree.n_nodes == tree.capacity:
        capacity = 2 * tree.capacity if tree.capacity > 0 else 64
        nodes = <Node*>realloc(tree.nodes, capacity * sizeof(Node))
        if nodes == NULL:
            return -1
        tree.nodes = nodes
        values = <double*>realloc(tree.values, capacity * n_channels * sizeof(double))
        if values == NULL:
            return -1
        tree.values = values
        tree.capacity = capacity
    tree.n_nodes += 1
    return tree.n_nodes - 1


cdef double* acquire_histogram(Workspace* ws) noexcept nogil:
    if ws.n_free_histograms > 0:
        ws.n_free_histograms -= 1
        return ws.free_histograms[ws.n_free_histograms]
    return <double*>malloc(ws.histogram_size * sizeof(double))


cdef void release_histogram(Workspace* ws, double* histogram) noexcept nogil:
    # The free list can hold every histogram ever made: its capacity is the frontier's + 2.
    if histogram != NULL:
        ws.free_histograms[ws.n_free_histograms] = histogram
        ws.n_free_histograms += 1


cdef bint frontier_before(const PendingNode* a, const PendingNode* b) noexcept nogil:
    # Best-first pops the largest gain; ties go to the older node, for determinism.
    if a.split.gain != b.split.gain:
        return a.split.gain > b.split.gain
    return a.node_id < b.node_id


cdef bint push_pending(Workspace* ws, PendingNode* pending) noexcept nogil:
    cdef intp_t position, parent, capacity
    cdef PendingNode* grown
    cdef double** grown_free
    if ws.n_frontier == ws.frontier_capacity:
        capacity = 2 * ws.frontier_capacity
        grown = <PendingNode*>realloc(ws.frontier, capacity * sizeof(PendingNode))
        if grown == NULL:
            return False
        ws.frontier = grown
        grown_free = <double**>realloc(ws.free_histograms, (capacity + 2) * sizeof(double*))
        if grown_free == NULL:
            return False
        ws.free_histograms = grown_free
        ws.frontier_capacity = capacity
    position = ws.n_frontier
    ws.n_frontier += 1
    if ws.best_first:
        # Sift up in the max-heap.
        while position > 0:
            parent = (position - 1) // 2
            if not frontier_before(pending, &ws.frontier[parent]):
                break
            ws.frontier[position] = ws.frontier[parent]
            position = parent
    ws.frontier[position] = pending[0]
    return True


cdef PendingNode pop_pending(Workspace* ws) noexcept nogil:
    cdef PendingNode top, last
    cdef intp_t position = 0, child
    ws.n_frontier -= 1
    if not ws.best_first:
        return ws.frontier[ws.n_frontier]
    top = ws.frontier[0]
    last = ws.frontier[ws.n_frontier]
    while True:
        child = 2 * position + 1
        if child >= ws.n_frontier:
            break
        if child + 1 < ws.n_frontier and frontier_before(&ws.frontier[child + 1], &ws.frontier[child]):
            child += 1
        if not frontier_before(&ws.frontier[child], &last):
            break
        ws.frontier[position] = ws.frontier[child]
        position = child
    ws.frontier[position] = last
    return top


# ---------------------------------------------------------------------------------------------
# Split search.

cdef void build_node_histogram(Workspace* ws, intp_t start, intp_t end,
                               double* histogram) noexcept nogil:
    cdef const GrowData* data = ws.data
    cdef intp_t n_channels = data.n_channels, stride = data.n_channels + 2
    cdef intp_t i, k, row, f, n_rows = end - start
    cdef const intp_t* rows = ws.samples + start
    # Gather once so that the per-feature loops read gradients sequentially.
    for i in range(n_rows):
        row = rows[i]
        for k in range(n_channels):
            ws.ordered_gradients[i * n_channels + k] = ws.gradients[row * n_channels + k]
        ws.ordered_hessians[i] = ws.hessians[row]
    if ws.params.n_threads > 1 and n_rows * data.n_features >= MIN_PARALLEL_HISTOGRAM:
        for f in prange(data.n_features, schedule='static', num_threads=ws.params.n_threads):
            build_feature_histogram(data.binned + f * data.n_samples, rows, n_rows,
                                    ws.ordered_gradients, ws.ordered_hessians, n_channels,
                                    histogram + f * N_BINS * stride)
    else:
        for f in range(data.n_features):
            build_feature_histogram(data.binned + f * data.n_samples, rows, n_rows,
                                    ws.ordered_gradients, ws.ordered_hessians, n_channels,
                                    histogram + f * N_BINS * stride)


cdef void evaluate_feature(Workspace* ws, intp_t feature, int thread, const SplitContext* context,
                           intp_t start, intp_t end, const double* histogram) noexcept nogil:
    cdef const GrowData* data = ws.data
    cdef SplitRecord local_record
    # Searched in a local record, stored once: neighbouring features' records share cache
    # lines across threads.
    cdef SplitRecord* record = &local_record
    cdef double* scratch = ws.scratch + thread * ws.scratch_stride
    cdef float* sort_values = ws.sort_values + thread * ws.n_rows
    cdef intp_t* sort_rows = ws.sort_rows + thread * ws.n_rows
    cdef uint32_t* scratch_keys = ws.scratch_keys + thread * ws.n_rows
    cdef intp_t* scratch_rows = ws.scratch_rows + thread * ws.n_rows
    cdef intp_t n_non_missing, bin_threshold
    cdef bint varies
    # Where the feature's values are read: row-major copies for small nodes when given.
    cdef bint row_major = end - start < ROW_MAJOR_MAX_ROWS
    cdef intp_t stride = 1
    cdef const X_DTYPE_C* values = NULL
    cdef const BIN_DTYPE_C* bins = NULL
    if data.feature_values != NULL:
        values = data.feature_values + feature * data.n_samples
        if row_major and data.row_values != NULL:
            values = data.row_values + feature
            stride = data.n_features
    else:
        bins = data.binned + feature * data.n_samples
        if row_major and data.binned_rows != NULL:
            bins = data.binned_rows + feature
            stride = data.n_features
    record.found = False
    record.gain = -INFINITY
    record.bin_threshold = 0
    if histogram != NULL:
        varies = best_split_from_histogram(
            feature, histogram + feature * N_BINS * (data.n_channels + 2),
            data.n_bins_non_missing[feature], data.bin_thresholds + feature * MISSING_BIN,
            context, record, scratch)
    elif ws.params.splitter == SPLITTER_HIST:
        n_non_missing = gather_bins(bins, stride, ws.samples + start, end - start,
                                    sort_values, sort_rows)
        varies = best_split_sorted(feature, end - start, n_non_missing, ws.gradients,
                                   ws.hessians, context, record, sort_values, sort_rows,
                                   scratch, True)
        if record.found:
            # The sweep recorded the left bin (inf: every non-missing bin goes left).
            if record.threshold == INFINITY:
                bin_threshold = data.n_bins_non_missing[feature] - 1
            else:
                bin_threshold = <intp_t>record.threshold
            record.bin_threshold = <unsigned char>bin_threshold
            record.threshold = data.bin_thresholds[feature * MISSING_BIN + bin_threshold]
    elif ws.params.splitter == SPLITTER_RANDOM:
        varies = random_split(feature, values, stride, ws.samples + start, end - start,
                              ws.gradients, ws.hessians, context, ws.feature_uniforms[feature],
                              record, scratch)
    else:
        n_non_missing = gather_values(values, stride, ws.samples + start, end - start,
                                      sort_values, sort_rows)
        sort_values_with_rows(sort_values, sort_rows, n_non_missing, scratch_keys, scratch_rows)
        varies = best_split_sorted(feature, end - start, n_non_missing, ws.gradients,
                                   ws.hessians, context, record, sort_values, sort_rows,
                                   scratch, False)
    ws.feature_constant[feature] = not varies
    ws.feature_splits[feature] = local_record


cdef inline bint is_perfect(const SplitRecord* split, const SplitContext* context) noexcept nogil:
    # A split into two pure children cannot be beaten (later features need a strictly larger
    # gain), so the search stops: in deep trees most nodes are tiny and split perfectly.
    return split.found and split.gain >= context.perfect_gain


cdef SplitRecord find_best_split(Workspace* ws, const SplitContext* context, intp_t start,
                                 intp_t end, const double* histogram) noexcept nogil:
    """Best split over up to ``max_features`` non-constant features drawn in random order."""
    cdef const GrowParams* params = ws.params
    cdef intp_t n_features = ws.data.n_features
    cdef intp_t n_visited = 0, next_position = 0, batch, position, j, feature, swap_with
    cdef intp_t n_evaluated, work
    cdef SplitRecord best
    cdef bint parallel
    best.found = False
    best.gain = -INFINITY
    best.feature = -1
    best.threshold = INFINITY
    best.n_left = 0
    best.bin_threshold = 0
    best.missing_go_left = False
    # Constant features do not count against max_features (scikit-learn's rule), so features
    # are drawn in batches until enough non-constant ones were seen. Each batch is searched in
    # parallel and reduced in draw order: the result does not depend on the thread count.
    while n_visited < params.max_features and next_position < n_features:
        batch = min(params.max_features - n_visited, n_features - next_position)
        # Drawn in random order even when every feature is searched: ties between features
        # are frequent on discrete data, and always preferring low indices biases the tree.
        for position in range(next_position, next_position + batch):
            swap_with = position + random_below(&ws.rng, n_features - position)
            ws.features[position], ws.features[swap_with] = (ws.features[swap_with],
                                                             ws.features[position])
            if params.splitter == SPLITTER_RANDOM:
                ws.feature_uniforms[ws.features[position]] = random_uniform(&ws.rng)
        if histogram != NULL:
            work = batch * N_BINS * (ws.data.n_channels + 2) // MIN_PARALLEL_SCAN
        else:
            work = (end - start) * batch // MIN_PARALLEL_SORT
        parallel = params.n_threads > 1 and batch > 1 and work > 0
        n_evaluated = batch
        if parallel:
            for j in prange(batch, schedule='dynamic', num_threads=params.n_threads):
                evaluate_feature(ws, ws.features[next_position + j], threadid(), context,
                                 start, end, histogram)
        else:
            for j in range(batch):
                feature = ws.features[next_position + j]
                evaluate_feature(ws, feature, 0, context, start, end, histogram)
                if is_perfect(&ws.feature_splits[feature], context):
                    n_evaluated = j + 1
                    break
        # The reduction stops where the serial search stops: the same split either way.
        for position in range(next_position, next_position + n_evaluated):
            feature = ws.features[position]
            if not ws.feature_constant[feature]:
                n_visited += 1
            if ws.feature_splits[feature].found and ws.feature_splits[feature].gain > best.gain:
                best = ws.feature_splits[feature]
            if is_perfect(&best, context):
                return best
        next_position += batch
    return best


# ---------------------------------------------------------------------------------------------
# Nodes.

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
    # Squared error needs the rows' squares; boosting's node objective is no impurity.
    if ws.params.criterion == CRITERION_SQUARED_ERROR:
        return ws.squares != NULL
    return ws.params.criterion != CRITERION_SECOND_ORDER


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
        if (params.splitter == SPLITTER_HIST and histogram == NULL
                and n_rows >= HISTOGRAM_MIN_ROWS):
            histogram = acquire_histogram(ws)
            if histogram == NULL:
                ws.failed = True
                return
            build_node_histogram(ws, start, end, histogram)
        context.n_channels = ws.data.n_channels
        context.criterion = params.criterion
        context.l2_regularization = params.l2_regularization
        context.min_samples_leaf = params.min_samples_leaf
        context.min_weight_leaf = params.min_weight_leaf
        context.node_sums = tree.values + node_id * ws.data.n_channels
        context.node_hessian = node.weighted_n_node_samples
        context.node_count = n_rows
        context.node_score = side_score(context.node_sums, context.node_hessian,
                                        context.n_channels, params.criterion,
                                        params.l2_regularization)
        # The impurity decrease to pure children: the whole weighted impurity (times the
        # number of outputs, which squared error's impurity averages over).
        context.perfect_gain = INFINITY
        if is_impurity_known(ws):
            context.perfect_gain = (node.impurity * node.weighted_n_node_samples
                                    * (context.n_channels if params.criterion == CRITERION_SQUARED_ERROR else 1)
                                    * (1.0 - 1e-10))
        pending.split = find_best_split(ws, &context, start, end, histogram)
        is_leaf = not pending.split.found or (
            pending.split.gain <= ws.required_gain if params.criterion == CRITERION_SECOND_ORDER
            else pending.split.gain < ws.required_gain)
    if is_leaf:
        release_histogram(ws, histogram)
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
    if ws.params.splitter == SPLITTER_HIST:
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
    cdef intp_t low = start, high = end - 1
    while low <= high:
        if goes_left(ws, split, ws.samples[low]):
            low += 1
        else:
            ws.samples[low], ws.samples[high] = ws.samples[high], ws.samples[low]
            high -= 1
    return low


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


# ---------------------------------------------------------------------------------------------
# The grower.

cdef bint init_workspace(Workspace* ws, const GrowData* data, const GrowParams* params,
                         const intp_t* rows, intp_t n_rows, const double* row_weights,
                         uint64_t seed) noexcept nogil:
    cdef intp_t i, k, n_channels = data.n_channels, n_threads = max(params.n_threads, 1)
    ws.data = data
    ws.params = params
    ws.rng = seed
    ws.n_rows = n_rows
    ws.failed = False
    ws.best_first = params.max_leaf_nodes > 0
    ws.histogram_size = data.n_features * N_BINS * (n_channels + 2)
    ws.n_free_histograms = 0
    ws.n_frontier = 0
    ws.frontier_capacity = 64
    ws.owned_gradients = NULL
    ws.owned_hessians = NULL
    ws.owned_squares = NULL
    ws.samples = <intp_t*>malloc(max(n_rows, 1) * sizeof(intp_t))
    ws.ordered_gradients = <double*>malloc(max(n_rows, 1) * n_channels * sizeof(double))
    ws.ordered_hessians = <double*>malloc(max(n_rows, 1) * sizeof(double))
    ws.sort_values = <float*>malloc(max(n_rows, 1) * n_threads * sizeof(float))
    ws.sort_rows = <intp_t*>malloc(max(n_rows, 1) * n_threads * sizeof(intp_t))
    ws.scratch_keys = <uint32_t*>malloc(max(n_rows, 1) * n_threads * sizeof(uint32_t))
    ws.scratch_rows = <intp_t*>malloc(max(n_rows, 1) * n_threads * sizeof(intp_t))
    # Threads accumulate in their own scratch, a cache line apart: shared lines would be
    # written by two threads on every row of the sweep.
    ws.scratch_stride = ((4 * n_channels + 7) // 8 + 1) * 8
    ws.scratch = <double*>malloc(n_threads * ws.scratch_stride * sizeof(double))
    ws.feature_splits = <SplitRecord*>malloc(data.n_features * sizeof(SplitRecord))
    ws.feature_uniforms = <double*>malloc(data.n_features * sizeof(double))
    ws.feature_constant = <unsigned char*>malloc(data.n_features)
    ws.features = <intp_t*>malloc(data.n_features * sizeof(intp_t))
    ws.frontier = <PendingNode*>malloc(ws.frontier_capacity * sizeof(PendingNode))
    ws.free_histograms = <double**>malloc((ws.frontier_capacity + 2) * sizeof(double*))
    if (ws.samples == NULL or ws.ordered_gradients == NULL or ws.ordered_hessians == NULL
            or ws.sort_values == NULL or ws.sort_rows == NULL or ws.scratch_keys == NULL
            or ws.scratch_rows == NULL or ws.scratch == NULL
            or ws.feature_splits == NULL or ws.feature_uniforms == NULL
            or ws.feature_constant == NULL or ws.features == NULL
            or ws.frontier == NULL or ws.free_histograms == NULL):
        return False
    memcpy(ws.samples, rows, n_rows * sizeof(intp_t))
    for i in range(data.n_features):
        ws.features[i] = i
    ws.gradients = data.gradients
    ws.hessians = data.hessians
    ws.squares = data.squares
    if row_weights != NULL:
        # Per-tree row weights (bootstrap counts) scale every per-row statistic once, here.
        ws.owned_gradients = <double*>malloc(data.n_samples * n_channels * sizeof(double))
        ws.owned_hessians = <double*>malloc(data.n_samples * sizeof(double))
        if ws.owned_gradients == NULL or ws.owned_hessians == NULL:
            return False
        for i in range(data.n_samples):
            for k in range(n_channels):
                ws.owned_gradients[i * n_channels + k] = data.gradients[i * n_channels + k] * row_weights[i]
            ws.owned_hessians[i] = data.hessians[i] * row_weights[i]
        ws.gradients = ws.owned_gradients
        ws.hessians = ws.owned_hessians
        if data.squares != NULL:
            ws.owned_squares = <double*>malloc(data.n_samples * sizeof(double))
            if ws.owned_squares == NULL:
                return False
            for i in range(data.n_samples):
                ws.owned_squares[i] = data.squares[i] * row_weights[i]
            ws.squares = ws.owned_squares
    return True


cdef void free_workspace(Workspace* ws) noexcept nogil:
    cdef intp_t i
    if ws.frontier != NULL:
        for i in range(ws.n_frontier):
            if ws.frontier[i].histogram != NULL and ws.free_histograms != NULL:
                release_histogram(ws, ws.frontier[i].histogram)
    if ws.free_histograms != NULL:
        for i in range(ws.n_free_histograms):
            free(ws.free_histograms[i])
    free(ws.samples)
    free(ws.ordered_gradients)
    free(ws.ordered_hessians)
    free(ws.sort_values)
    free(ws.sort_rows)
    free(ws.scratch_keys)
    free(ws.scratch_rows)
    free(ws.scratch)
    free(ws.feature_splits)
    free(ws.feature_uniforms)
    free(ws.feature_constant)
    free(ws.features)
    free(ws.frontier)
    free(ws.free_histograms)
    free(ws.owned_gradients)
    free(ws.owned_hessians)
    free(ws.owned_squares)


cdef int grow_tree(const GrowData* data, const GrowParams* params, const intp_t* rows,
                   intp_t n_rows, const double* row_weights, uint64_t seed,
                   TreeArrays* tree) noexcept nogil:
    """Grow one tree on ``rows[:n_rows]`` into ``tree`` (whose arrays the caller frees).

    ``row_weights`` (or NULL) multiplies every row's gradients, hessian and square: bootstrap
    counts for forests. Returns 0, or -1 when memory ran out.
    """
    cdef Workspace ws
    cdef PendingNode pending
    cdef intp_t root, node_id, k, n_splits = 0, n_channels = data.n_channels
    cdef double hessian
    tree.nodes = NULL
    tree.values = NULL
    tree.n_nodes = 0
    tree.capacity = 0
    ws.frontier = NULL
    ws.free_histograms = NULL
    if not init_workspace(&ws, data, params, rows, n_rows, row_weights, seed):
        free_workspace(&ws)
        return -1
    root = add_node(&ws, tree, -1, False, 0, n_rows, 0)
    if root >= 0:
        if params.criterion == CRITERION_SECOND_ORDER:
            ws.required_gain = params.min_split_gain
        else:
            # scikit-learn's rule: a split must decrease impurity per unit of root weight by
            # min_impurity_decrease, up to rounding; zero-gain splits are allowed.
            ws.required_gain = max(params.min_split_gain,
                                   (params.min_impurity_decrease - DBL_EPSILON)
                                   * tree.nodes[root].weighted_n_node_samples)
        consider_node(&ws, tree, root, 0, n_rows, 0, NULL)
    while ws.n_frontier > 0 and not ws.failed:
        if ws.best_first and n_splits + 1 >= params.max_leaf_nodes:
            break
        pending = pop_pending(&ws)
        split_node(&ws, tree, &pending)
        n_splits += 1
    # Sums become leaf values (class fractions, means or Newton steps).
    for node_id in range(tree.n_nodes):
        hessian = tree.nodes[node_id].weighted_n_node_samples
        for k in range(n_channels):
            tree.values[node_id * n_channels + k] = leaf_value(
                tree.values[node_id * n_channels + k], hessian, params.criterion,
                params.l2_regularization)
    free_workspace(&ws)
    return -1 if ws.failed else 0


# ---------------------------------------------------------------------------------------------
# Python entry point.

cdef object tree_arrays_to_numpy(TreeArrays* tree, intp_t n_channels):
    """Copy a grown tree into (nodes, values) numpy arrays and free the C arrays."""
    nodes = np.empty(tree.n_nodes, dtype=NODE_DTYPE)
    values = np.empty((tree.n_nodes, n_channels), dtype=np.float64)
    cdef Node[::1] nodes_view = nodes
    cdef double[:, ::1] values_view = values
    if tree.n_nodes > 0:
        memcpy(&nodes_view[0], tree.nodes, tree.n_nodes * sizeof(Node))
        memcpy(&values_view[0, 0], tree.values, tree.n_nodes * n_channels * sizeof(double))
    free(tree.nodes)
    free(tree.values)
    tree.nodes = NULL
    tree.values = NULL
    return nodes, values


def grow_trees(*, int criterion, int splitter, const double[:, ::1] gradients,
               const double[::1] hessians, const double[::1] squares,
               const X_DTYPE_C[:, ::1] feature_values, const BIN_DTYPE_C[:, ::1] binned,
               const X_DTYPE_C[:, ::1] row_values=None, const BIN_DTYPE_C[:, ::1] binned_rows=None,
               const double[:, ::1] bin_thresholds, const intp_t[::1] n_bins_non_missing,
               list rows_per_tree, list row_weights_per_tree, const uint64_t[::1] seeds,
               intp_t max_depth, intp_t min_samples_split, intp_t min_samples_leaf,
               double min_weight_leaf, double min_impurity_decrease, double min_split_gain,
               intp_t max_leaf_nodes, intp_t max_features, double l2_regularization,
               int n_threads):
    """Grow one tree per entry of ``rows_per_tree``; trees in parallel when there are several.

    Parameters
    ----------
    gradients : ndarray of shape (n_samples, n_channels), float64
    hessians : ndarray of shape (n_samples,), float64
    squares : ndarray of shape (n_samples,) or None
        ``sum_k w * y_k**2`` for the squared-error impurity.
    feature_values : ndarray of shape (n_features, n_samples), float32, or None
        Raw values, feature-major (exact splitter).
    row_values, binned_rows : ndarrays of shape (n_samples, n_features) or None
        Optional row-major copies of the raw values / binned data: small nodes read them.
    binned, bin_thresholds, n_bins_non_missing : ndarrays or None
        Binned data (n_features, n_samples) uint8, the bins' upper edges (n_features, 255)
        and the number of non-missing bins per feature (hist splitter).
    rows_per_tree : list of ndarray of intp
        Rows each tree is grown on (rows of zero weight left out).
    row_weights_per_tree : list of ndarray of float64 (or None entries), or None
        Per-tree multipliers of every row's statistics (bootstrap counts).
    seeds : ndarray of uint64
        One random stream per tree.

    Returns
    -------
    trees : list of (nodes, values)
        ``nodes`` a NODE_DTYPE array, ``values`` of shape (n_nodes, n_channels).
    """
    cdef intp_t n_trees = len(rows_per_tree), t
    cdef GrowData data
    cdef GrowParams params
    cdef GrowParams per_tree_params
    cdef const intp_t** rows_pointers = NULL
    cdef intp_t* n_rows = NULL
    cdef const double** weight_pointers = NULL
    cdef TreeArrays* trees = NULL
    cdef int* status = NULL
    cdef const intp_t[::1] rows_view
    cdef const double[::1] weights_view
    cdef bint failed = False

    data.n_samples = gradients.shape[0]
    data.n_channels = gradients.shape[1]
    data.gradients = &gradients[0, 0]
    data.hessians = &hessians[0]
    data.squares = &squares[0] if squares is not None else NULL
    if splitter == SPLITTER_HIST:
        data.n_features = binned.shape[0]
        data.binned = &binned[0, 0]
        data.bin_thresholds = &bin_thresholds[0, 0]
        data.n_bins_non_missing = &n_bins_non_missing[0]
        data.binned_rows = &binned_rows[0, 0] if binned_rows is not None else NULL
        data.feature_values = NULL
        data.row_values = NULL
    else:
        data.n_features = feature_values.shape[0]
        data.feature_values = &feature_values[0, 0]
        data.row_values = &row_values[0, 0] if row_values is not None else NULL
        data.binned = NULL
        data.binned_rows = NULL
        data.bin_thresholds = NULL
        data.n_bins_non_missing = NULL

    params.criterion = criterion
    params.splitter = splitter
    params.max_depth = max_depth
    params.min_samples_split = min_samples_split
    params.min_samples_leaf = min_samples_leaf
    params.min_weight_leaf = min_weight_leaf
    params.min_impurity_decrease = min_impurity_decrease
    params.min_split_gain = min_split_gain
    params.max_leaf_nodes = max_leaf_nodes
    params.max_features = max_features
    params.l2_regularization = l2_regularization
    params.n_threads = n_threads
    # Several trees: one thread per tree, trees in parallel.
    per_tree_params = params
    per_tree_params.n_threads = 1

    keep_alive = []
    try:
        rows_pointers = <const intp_t**>malloc(n_trees * sizeof(intp_t*))
        n_rows = <intp_t*>malloc(n_trees * sizeof(intp_t))
        weight_pointers = <const double**>malloc(n_trees * sizeof(double*))
        trees = <TreeArrays*>malloc(n_trees * sizeof(TreeArrays))
        status = <int*>malloc(n_trees * sizeof(int))
        if (rows_pointers == NULL or n_rows == NULL or weight_pointers == NULL or trees == NULL
                or status == NULL):
            raise MemoryError()
        for t in range(n_trees):
            trees[t].nodes = NULL
            trees[t].values = NULL
            trees[t].n_nodes = 0
        for t in range(n_trees):
            rows_view = np.ascontiguousarray(rows_per_tree[t], dtype=np.intp)
            keep_alive.append(rows_view)
            n_rows[t] = rows_view.shape[0]
            rows_pointers[t] = &rows_view[0] if rows_view.shape[0] > 0 else NULL
            weight_pointers[t] = NULL
            if row_weights_per_tree is not None and row_weights_per_tree[t] is not None:
                weights_view = np.ascontiguousarray(row_weights_per_tree[t], dtype=np.float64)
                keep_alive.append(weights_view)
                weight_pointers[t] = &weights_view[0]
        with nogil:
            if n_trees == 1:
                status[0] = grow_tree(&data, &params, rows_pointers[0], n_rows[0],
                                      weight_pointers[0], seeds[0], &trees[0])
            else:
                for t in prange(n_trees, schedule='dynamic', num_threads=max(n_threads, 1)):
                    status[t] = grow_tree(&data, &per_tree_params, rows_pointers[t], n_rows[t],
                                          weight_pointers[t], seeds[t], &trees[t])
        results = []
        for t in range(n_trees):
            failed = failed or status[t] != 0
            results.append(tree_arrays_to_numpy(&trees[t], data.n_channels))
        if failed:
            raise MemoryError("not enough memory to grow the tree")
        return results
    finally:
        if trees != NULL:
            for t in range(n_trees):
                free(trees[t].nodes)
                free(trees[t].values)
        free(rows_pointers)
        free(n_rows)
        free(weight_pointers)
        free(trees)
        free(status)
