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
from libc.math cimport INFINITY, isfinite, isnan
from libc.stdint cimport int32_t, uint64_t
from libc.stdlib cimport calloc, free, malloc, realloc
from libc.string cimport memcpy
from cython.parallel cimport prange

from ._criterion cimport (gain_suffices, impurity_known, leaf_value, node_impurity,
                          pure_children_gain, required_gain, split_gain_scale)
from ._absolute_error cimport prepare_node
from ._histogram cimport packed_gradient, packed_hessian
from ._sparse_split cimport sparse_partition_rows
from ._split cimport init_context
from ._node_split cimport (HISTOGRAM_MIN_ROWS, HistogramJob, ScanJob, build_batch_histograms,
                          build_node_histogram, draw_feature_order, find_best_split,
                          gather_node_statistics, gather_statistics, reduce_job, search_jobs,
                          searches_drawn_at_once, sum_batch_statistics)
from ._types cimport (ABSOLUTE_ERROR, BIN_DTYPE_C, ENTROPY, GINI, HIST, LEAF, MISSING_BIN, N_BINS,
                      SECOND_ORDER, GrowData,
                      GrowParams, Node, SplitContext, SplitRecord, TreeArrays, intp_t)
from ._workspace cimport (MAX_BATCH, PendingNode, Workspace, acquire_histogram, empty_tree,
                          free_workspace, release_constant_slot,
                          init_workspace, new_node, pop_pending, push_pending,
                          release_histogram)

cdef extern from *:
    void __builtin_prefetch(const void* address) nogil

cdef double UNDEFINED_THRESHOLD = -2.0
# Rows ahead whose split values the partition prefetches.
cdef intp_t PREFETCH_DISTANCE = 16
# Boosting partitions nodes of this many rows in parallel (when it has threads), in at most
# MAX_PARTITION_BLOCKS blocks.
cdef intp_t MIN_PARALLEL_PARTITION = 8192
cdef enum:
    MAX_PARTITION_BLOCKS = 64
# Trees of this many rows with threads write their rows' leaves in parallel (``write_leaves``).
cdef intp_t MIN_PARALLEL_LEAVES = 32768
# Depth-wise boosted trees with threads: once this many pending nodes per thread wait, none
# of more than SUBTREE_MAX_ROWS rows, each thread grows whole subtrees (``grow_subtrees``).
# Small nodes shared among threads spend their time at barriers and moving data between the
# cores' caches; a subtree stays on one core. Measured on 2 threads: 2 a thread against 1, 4
# and 8: W-gbdt 50k 0.46 s (0.53, 0.45, 0.48), cal_housing 0.076 s (0.08, 0.082, 0.091),
# adult 0.24 s (0.24-0.25, 0.25, 0.27). Without the size limit W-gbdt at 500k rows was 6%
# slower than without subtrees (a thread's subtree of 125k rows against both threads on each
# node); from 65k rows down both ways are as fast.
cdef intp_t SUBTREES_PER_THREAD = 2
cdef intp_t SUBTREE_MAX_ROWS = 65536
# Boosting's floor of ``histogram_min_rows``.
cdef intp_t SECOND_ORDER_HISTOGRAM_MIN_ROWS = 48
# Depth-limited boosted trees are split up to MAX_BATCH (_workspace.pxd) pending nodes at a
# time (``split_batch``), as many as have BATCH_CACHE_BYTES of histograms (the batch's histograms
# are built, then scanned: more than a core's cache holds would be read back from memory; on
# one thread, 32 nodes of 28 features were 5% slower than one at a time, four as fast), and
# fewer when the pending nodes of the whole depth would hold more than BATCH_MEMORY_BYTES.
cdef intp_t BATCH_CACHE_BYTES = 1 << 20
cdef intp_t BATCH_MEMORY_BYTES = 64 << 20


cdef intp_t add_node(Workspace* ws, TreeArrays* tree, intp_t parent, bint is_left, intp_t start,
                     intp_t end, int depth, const double* stats=NULL) noexcept nogil:
    """Append a node for rows ``samples[start:end]`` with its sums (stored in ``values`` until
    the tree is finished) and impurity; link it to its parent. ``stats`` (or NULL: summed
    here) holds the node's sums, hessian and square sums as ``partition_rows`` adds them."""
    cdef const GrowData* data = ws.data
    cdef intp_t n_channels = data.n_channels
    cdef intp_t node_id = new_node(tree, n_channels)
    cdef intp_t i, k, row, n_outputs = ws.params.n_outputs
    cdef double hessian_sum = 0.0, square_sum = 0.0
    cdef intp_t n_node_rows = end - start
    cdef double* sums
    cdef Node* node
    if node_id < 0:
        ws.failed = True
        return -1
    sums = tree.values + node_id * n_channels
    for k in range(n_channels):
        sums[k] = 0.0
    node = &tree.nodes[node_id]
    if ws.params.criterion == ABSOLUTE_ERROR:
        # Ranks the node's targets for its split search; the node holds its medians.
        for i in range(start, end):
            hessian_sum += ws.hessians[ws.samples[i]]
        square_sum = prepare_node(ws.gradients, ws.hessians, ws.samples + start, end - start,
                                  n_outputs, ws.target_ranks, ws.sorted_targets + start,
                                  ws.n_rows, ws.target_buffer, ws.fenwick, sums)
        node.impurity = square_sum / (hessian_sum * n_outputs) if hessian_sum > 0.0 else 0.0
    if stats != NULL:
        for k in range(n_channels):
            sums[k] = stats[k]
        hessian_sum = stats[n_channels]
        square_sum = stats[n_channels + 1]
    for i in range(start, end):
        if ws.params.criterion == ABSOLUTE_ERROR or stats != NULL:
            break
        row = ws.samples[i]
        if data.labels != NULL:
            for k in range(n_outputs):
                sums[data.labels[row * n_outputs + k]] += ws.hessians[row]
        else:
            for k in range(n_channels):
                sums[k] += ws.gradients[row * n_channels + k]
        hessian_sum += ws.hessians[row]
        if ws.squares != NULL:
            square_sum += ws.squares[row]
    node.left_child = LEAF
    node.right_child = LEAF
    node.feature = -2
    node.threshold = UNDEFINED_THRESHOLD
    node.n_node_samples = n_node_rows
    node.weighted_n_node_samples = hessian_sum
    if ws.params.criterion != ABSOLUTE_ERROR:
        node.impurity = node_impurity(sums, hessian_sum, square_sum, n_channels, n_outputs,
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


cdef inline intp_t histogram_min_rows(const Workspace* ws) noexcept nogil:
    """Rows a node needs to be searched from histograms (hist splitter): a histogram costs
    N_BINS * (n_channels + 2) values per feature, which many classes make worth only for
    large nodes (and keeps the pool of histograms small)."""
    cdef intp_t entry_size = ws.data.n_channels + 2
    if ws.params.criterion == ABSOLUTE_ERROR:
        return ws.n_rows + 1  # absolute error needs the rows themselves, never histograms
    if ws.params.criterion == SECOND_ORDER:
        # A packed histogram costs its features' actual bins: half a row per bin of the mean
        # feature (measured on boosting: 128 rows with 255 bins, the floor with one-hot
        # columns) against sorting each feature's rows.
        return max(SECOND_ORDER_HISTOGRAM_MIN_ROWS, N_BINS * entry_size // 16,
                   ws.histogram_size // (entry_size * max(ws.data.n_features, 1)) // 2)
    return max(<intp_t>HISTOGRAM_MIN_ROWS, N_BINS * entry_size // 16)


cdef void mark_leaf(Workspace* ws, intp_t node_id, intp_t start, intp_t end) noexcept nogil:
    """Record the leaf of the rows ``samples[start:end]`` when the caller asked for leaves:
    now, or once the tree is grown (``write_leaves``) when ``leaf_ranges`` is kept."""
    cdef intp_t i
    cdef intp_t* grown
    if ws.leaves == NULL:
        return
    if ws.leaf_ranges != NULL and ws.n_leaf_ranges == ws.leaf_ranges_capacity:
        grown = <intp_t*>realloc(ws.leaf_ranges, 6 * ws.leaf_ranges_capacity * sizeof(intp_t))
        if grown == NULL and ws.node_draws:
            ws.failed = True  # the nodes are renumbered once grown: no leaf can be written yet
            return
        if grown == NULL:
            write_leaves(ws)  # out of memory: the leaves so far now, the others one by one
            free(ws.leaf_ranges)
            ws.leaf_ranges = NULL
        else:
            ws.leaf_ranges = grown
            ws.leaf_ranges_capacity *= 2
    if ws.leaf_ranges != NULL:
        ws.leaf_ranges[3 * ws.n_leaf_ranges] = node_id
        ws.leaf_ranges[3 * ws.n_leaf_ranges + 1] = start
        ws.leaf_ranges[3 * ws.n_leaf_ranges + 2] = end
        ws.n_leaf_ranges += 1
        return
    for i in range(start, end):
        ws.leaves[ws.samples[i]] = <int32_t>node_id


cdef void write_leaf_rows(Workspace* ws, intp_t first_row, intp_t last_row) noexcept nogil:
    """Write the leaf of every recorded row whose index is in ``[first_row, last_row)``."""
    cdef intp_t j, i, row
    cdef int32_t node_id
    cdef int32_t ignored = 0
    cdef int32_t* target
    for j in range(ws.n_leaf_ranges):
        node_id = <int32_t>ws.leaf_ranges[3 * j]
        for i in range(ws.leaf_ranges[3 * j + 1], ws.leaf_ranges[3 * j + 2]):
            row = ws.samples[i]
            # A row of another thread's part is written to a slot of this thread's own:
            # a branch here would be a coin toss.
            target = &ws.leaves[row] if first_row <= row < last_row else &ignored
            target[0] = node_id


cdef void write_leaves(Workspace* ws) noexcept nogil:
    """The leaves recorded in ``leaf_ranges``: a large set's rows are scattered writes of a
    few nanoseconds each, which threads share by parts of the rows' indices, each reading
    every range and writing only its own part's rows. Threads sharing the ranges instead wrote
    to the same cache lines (their rows interleave): W-gbdt, 500k rows, 2 threads, 1.19 ms a
    tree against 1.07 on one."""
    cdef intp_t t, n_parts = ws.params.n_threads
    cdef intp_t n_samples = ws.data.n_samples
    if n_parts > 1 and ws.n_rows >= MIN_PARALLEL_LEAVES:
        for t in prange(n_parts, schedule='static', num_threads=n_parts):
            write_leaf_rows(ws, t * n_samples // n_parts, (t + 1) * n_samples // n_parts)
    else:
        write_leaf_rows(ws, 0, n_samples)
    ws.n_leaf_ranges = 0


# -- monotonic constraints (scikit-learn's rule) --------------------------------------------
# Every node carries bounds on its channel-0 value. A split of a constrained feature gives its
# children the parent's bounds cut at the middle of the two children's values (the left child
# below it for +1, above it for -1); other splits pass the parent's bounds on. Splits must keep
# both children within the node's bounds (``respects_monotonicity``) and every node's value is
# clipped to its bounds, so predictions are monotone in each constrained feature.

cdef bint store_bounds(Workspace* ws, TreeArrays* tree, intp_t node_id, double lower,
                       double upper) noexcept nogil:
    cdef double* grown
    if ws.bounds_capacity < tree.capacity:
        grown = <double*>realloc(ws.node_bounds, 2 * tree.capacity * sizeof(double))
        if grown == NULL:
            return False
        ws.node_bounds = grown
        ws.bounds_capacity = tree.capacity
    ws.node_bounds[2 * node_id] = lower
    ws.node_bounds[2 * node_id + 1] = upper
    return True


cdef inline double node_value(const Workspace* ws, const TreeArrays* tree,
                              intp_t node_id) noexcept nogil:
    """Channel 0's value of a node while ``values`` still holds its sums."""
    return leaf_value(tree.values[node_id * ws.data.n_channels],
                      tree.nodes[node_id].weighted_n_node_samples, ws.params.criterion,
                      ws.params.l2_regularization)


cdef bint bound_children(Workspace* ws, TreeArrays* tree, intp_t parent, intp_t feature,
                         intp_t left_id, intp_t right_id) noexcept nogil:
    cdef double lower = ws.node_bounds[2 * parent], upper = ws.node_bounds[2 * parent + 1]
    cdef double middle
    cdef int constraint = ws.params.monotonic_cst[feature]
    if constraint == 0:
        return (store_bounds(ws, tree, left_id, lower, upper)
                and store_bounds(ws, tree, right_id, lower, upper))
    # scikit-learn's ``middle_value``: the mean of the two children's (unclipped) values.
    middle = 0.5 * (node_value(ws, tree, left_id) + node_value(ws, tree, right_id))
    if constraint > 0:
        return (store_bounds(ws, tree, left_id, lower, middle)
                and store_bounds(ws, tree, right_id, middle, upper))
    return (store_bounds(ws, tree, left_id, middle, upper)
            and store_bounds(ws, tree, right_id, lower, middle))


cdef void clip_to_bounds(Workspace* ws, TreeArrays* tree) noexcept nogil:
    """Clip every node's channel-0 value to its bounds; binary class fractions stay a
    distribution (the second is one minus the first, as scikit-learn sets it)."""
    cdef intp_t node_id, n_channels = ws.data.n_channels
    cdef double* value
    cdef bint binary = (n_channels == 2 and (ws.params.criterion == GINI
                                              or ws.params.criterion == ENTROPY))
    for node_id in range(tree.n_nodes):
        value = tree.values + node_id * n_channels
        value[0] = min(max(value[0], ws.node_bounds[2 * node_id]),
                       ws.node_bounds[2 * node_id + 1])
        if binary:
            value[1] = 1.0 - value[0]


cdef inline bint leaf_by_size(const GrowParams* params, intp_t n_rows, int depth) noexcept nogil:
    """The growth limits that a node's depth and rows alone settle (``stays_leaf``)."""
    return ((params.max_depth >= 0 and depth >= params.max_depth)
            or n_rows < params.min_samples_split
            or n_rows < 2 * params.min_samples_leaf)


cdef inline bint stays_leaf(const Workspace* ws, const TreeArrays* tree, intp_t node_id,
                           intp_t n_rows, int depth) noexcept nogil:
    """Whether the growth limits leave the node a leaf without searching it."""
    cdef const Node* node = &tree.nodes[node_id]
    return (leaf_by_size(ws.params, n_rows, depth)
            or node.weighted_n_node_samples < 2.0 * ws.params.min_weight_leaf
            or (node.impurity <= DBL_EPSILON and is_impurity_known(ws)))


cdef inline bint children_searched(const Workspace* ws, intp_t n_left, intp_t n_right,
                                   int child_depth) noexcept nogil:
    """Whether either child of a split may be searched, as far as the partition settles it
    (``leaf_by_size``: the larger child is the one that may pass). When neither may, the
    smaller child's histogram is not built. In a tree of depth 6 that is the last of six
    levels of smaller children's histograms and subtractions: W-gbdt at 50,000 rows, 2
    threads, fitted in 0.42-0.46 s against 0.50-0.51 s."""
    return not leaf_by_size(ws.params, max(n_left, n_right), child_depth)


# Boosted trees of this many rows or more may leave their dense histograms' row counts out:
# below, the counts' additions cost less than the bounded search's extra work (2 threads:
# 2,000 x 10 fits 7% slower bounded, 20,000 x 20 as fast, W-gbdt's 50,000 rows 5% faster).
# Tests compare the trees grown both ways (``set_bounded_counts_for_tests``).
cdef bint BOUNDED_COUNTS = True
cdef intp_t DEFAULT_BOUNDED_MIN_ROWS = 32768
cdef intp_t BOUNDED_MIN_ROWS = DEFAULT_BOUNDED_MIN_ROWS


def set_bounded_counts_for_tests(bint enabled, min_rows=None):
    """Let boosted trees of ``min_rows`` rows or more (None: the default) bound their row
    counts from their hessians (True) or always count their rows (test entry point)."""
    global BOUNDED_COUNTS, BOUNDED_MIN_ROWS
    BOUNDED_COUNTS = enabled
    BOUNDED_MIN_ROWS = DEFAULT_BOUNDED_MIN_ROWS if min_rows is None else min_rows


cdef inline bint quantized(const Workspace* ws) noexcept nogil:
    """Whether the tree's statistics are quantised, as it reads them (not reweighted)."""
    return (ws.data.gradient_scale > 0.0 and ws.data.hessian_scale > 0.0
            and ws.owned_gradients == NULL and ws.owned_hessians == NULL)


cdef bint PACKED_STATISTICS = True


def set_packed_statistics_for_tests(bint enabled):
    """Let quantised boosted trees pack their rows' statistics (True, the default) or always
    gather them as float64 pairs (test entry point: both ways give the same trees)."""
    global PACKED_STATISTICS
    PACKED_STATISTICS = enabled


cdef bint may_pack_statistics(const Workspace* ws, intp_t n_rows) noexcept nogil:
    """Whether a boosted tree's gathers may pack its rows' statistics (``packed_stats``):
    quantised, one channel, binned dense data (sparse-layout columns unpack each row's word
    once for their lists), and histograms whose counts are left out or copied
    from the hessians (the packed entries have none), as ``bound_counts`` will decide for
    trees of BOUNDED_MIN_ROWS rows or more whose rows all have a positive hessian (unit
    hessians included)."""
    cdef const GrowData* data = ws.data
    return (PACKED_STATISTICS and quantized(ws) and data.packed_statistics != NULL
            and data.n_channels == 1 and data.labels == NULL
            and data.csr_indptr == NULL and data.binned != NULL
            and BOUNDED_COUNTS and n_rows >= BOUNDED_MIN_ROWS
            and ws.params.monotonic_cst == NULL and ws.params.criterion == SECOND_ORDER)


cdef void unpack_root_statistics(Workspace* ws, intp_t n_rows) noexcept nogil:
    """Rewrite the root's packed statistics as float64 pairs, in place (from the last row:
    row i's pair overwrites packed words i's and later ones, already read)."""
    cdef uint64_t word
    cdef intp_t i
    for i in range(n_rows - 1, -1, -1):
        # Read through memcpy: the words and the pairs share the buffer.
        memcpy(&word, <char*>ws.ordered_stats + i * sizeof(uint64_t), sizeof(uint64_t))
        ws.ordered_stats[2 * i] = packed_gradient(word, ws.data.gradient_scale)
        ws.ordered_stats[2 * i + 1] = packed_hessian(word, ws.data.hessian_scale)


cdef void bound_counts(Workspace* ws, intp_t n_rows, double hessian_sum,
                       const double* extremes) noexcept nogil:
    """Decide from the root's gather whether the tree's dense histograms leave their row
    counts out (``CountBounds``).

    Adding a count to every entry is a fifth of a histogram's cost. A side's rows are then
    known within [H / max hessian, H / min hessian], which settles ``min_samples_leaf`` for
    all but a few candidates (those a feature's rows are recounted for); a bin holds rows when
    its hessian exceeds the entries' rounding error. That error is bounded by the sums' and
    subtractions' (``(depth + 2) * n_rows * epsilon * H``, twice over); every row's hessian
    must exceed it four times, so that the bins with rows and those without are told apart
    exactly: the trees are those of counted histograms, bit for bit. (The sparse lists'
    features keep their counts: a row costs them only its few listed bins, and their bounds,
    a bin or two a side, would leave many candidates to count rows for.)
    """
    cdef const GrowParams* params = ws.params
    cdef intp_t depth = params.max_depth
    cdef double noise
    ws.count_bounds.active = False
    if (not BOUNDED_COUNTS or n_rows < BOUNDED_MIN_ROWS or ws.unit_hessians
            or ws.data.n_channels != 1
            or ws.data.labels != NULL or ws.data.csr_indptr != NULL
            or params.monotonic_cst != NULL or params.criterion != SECOND_ORDER):
        return
    if depth < 0:
        depth = params.max_leaf_nodes if params.max_leaf_nodes > 0 else n_rows
    noise = (depth + 2) * <double>(n_rows + 2) * DBL_EPSILON * hessian_sum
    if quantized(ws):
        # Quantised statistics: every sum and difference is exact, a bin with rows has a
        # positive hessian.
        noise = 0.0
    if not (isfinite(hessian_sum) and isfinite(extremes[1]) and extremes[0] > 4.0 * noise):
        return
    ws.count_bounds.active = True
    ws.count_bounds.min_row_hessian = extremes[0]
    ws.count_bounds.max_row_hessian = extremes[1]
    ws.count_bounds.hessian_noise = noise


cdef void init_node_context(Workspace* ws, TreeArrays* tree, intp_t node_id, intp_t start,
                            intp_t end, SplitContext* context) noexcept nogil:
    """The split search's view of the node (its sums point into ``tree.values``: no node may
    be added while it is searched)."""
    cdef const GrowParams* params = ws.params
    cdef Node* node = &tree.nodes[node_id]
    init_context(context, tree.values + node_id * ws.data.n_channels,
                 node.weighted_n_node_samples, end - start, ws.data.n_channels, params.n_outputs,
                 # The exact and random searches read labels gathered in node order.
                 ws.gathered_labels + start * params.n_outputs
                 if ws.gathered_labels != NULL else ws.data.labels,
                 params.criterion, params.l2_regularization,
                 params.min_samples_leaf, params.min_weight_leaf)
    context.unit_hessians = ws.unit_hessians
    context.count_bounds = ws.count_bounds
    if params.criterion == ABSOLUTE_ERROR:
        context.ranks = ws.target_ranks
        context.sorted_y = ws.sorted_targets + start
        context.sorted_stride = ws.n_rows
        context.node_score = node.impurity * node.weighted_n_node_samples * params.n_outputs
    if params.monotonic_cst != NULL:
        context.monotonic_cst = params.monotonic_cst
        context.lower_bound = ws.node_bounds[2 * node_id]
        context.upper_bound = ws.node_bounds[2 * node_id + 1]
    if is_impurity_known(ws):
        context.perfect_gain = pure_children_gain(node.impurity,
                                                  node.weighted_n_node_samples,
                                                  params.n_outputs, params.criterion)


cdef void settle_node(Workspace* ws, intp_t node_id, intp_t start, intp_t end, int depth,
                      double* histogram, SplitRecord split, bint values_kept) noexcept nogil:
    """Queue the node with its best split if the split may be made, else leave it a leaf."""
    cdef PendingNode pending
    # Searches compare raw gains; limits and best-first order use scaled ones.
    split.gain *= ws.gain_scale
    if not split.found or not gain_suffices(split.gain, ws.required_gain, ws.params.criterion):
        release_histogram(ws, histogram)
        mark_leaf(ws, node_id, start, end)
        return
    pending.split = split
    pending.values_kept = values_kept
    pending.node_id = node_id
    pending.start = start
    pending.end = end
    pending.depth = depth
    pending.histogram = histogram
    if not push_pending(ws, &pending):
        ws.failed = True


cdef void consider_node(Workspace* ws, TreeArrays* tree, intp_t node_id, intp_t start,
                        intp_t end, int depth, double* histogram) noexcept nogil:
    """Find the node's best split; queue the node if it may be split, else leave it a leaf."""
    cdef SplitContext context
    cdef SplitRecord split
    if stays_leaf(ws, tree, node_id, end - start, depth):
        release_histogram(ws, histogram)
        mark_leaf(ws, node_id, start, end)
        return
    if (ws.params.splitter == HIST and histogram == NULL
            and end - start >= histogram_min_rows(ws)):
        histogram = acquire_histogram(ws)
        if histogram == NULL:
            ws.failed = True
            return
        build_node_histogram(ws, start, end, histogram, NULL)
    init_node_context(ws, tree, node_id, start, end, &context)
    if ws.n_constant_words > 0:
        memcpy(ws.node_constant, ws.parent_constant, ws.n_constant_words * sizeof(uint64_t))
    split = find_best_split(ws, &context, start, end, histogram)
    settle_node(ws, node_id, start, end, depth, histogram, split,
                ws.kept_feature == split.feature)


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


cdef inline void prefetch_row(const Workspace* ws, const SplitRecord* split, intp_t row,
                              bint value, bint statistics) noexcept nogil:
    """Ask the memory for what the partition will read of a row at random, ahead of time: its
    value (or bin) of the split feature, its statistics when they are not gathered. The side
    of a row depends on a value read at random; without this, the reads arrive one after
    another."""
    cdef const GrowData* data = ws.data
    if value and ws.params.splitter == HIST:
        __builtin_prefetch(&data.binned[split.feature * data.n_samples + row])
    elif value:
        __builtin_prefetch(&data.feature_values[split.feature * data.n_samples + row])
    if statistics:
        __builtin_prefetch(&ws.hessians[row])
        if data.labels != NULL:
            __builtin_prefetch(&data.labels[row * ws.params.n_outputs])
        else:
            __builtin_prefetch(&ws.gradients[row * data.n_channels])


cdef inline void move_statistics(Workspace* ws, intp_t position, intp_t left_slot,
                                 intp_t right_slot) noexcept nogil:
    """Copy the gathered statistics at ``position`` to the left side's slot and to the right
    side's buffer (the partition keeps one of the two)."""
    cdef intp_t k, n_outputs = ws.params.n_outputs, n_channels = ws.data.n_channels
    cdef double hessian = ws.gathered_hessians[position]
    cdef intp_t label
    cdef double gradient
    ws.gathered_hessians[left_slot] = hessian
    ws.right_hessians[right_slot] = hessian
    if ws.gathered_labels != NULL:
        for k in range(n_outputs):
            label = ws.gathered_labels[position * n_outputs + k]
            ws.gathered_labels[left_slot * n_outputs + k] = label
            ws.right_labels[right_slot * n_outputs + k] = label
    else:
        for k in range(n_channels):
            gradient = ws.gathered_gradients[position * n_channels + k]
            ws.gathered_gradients[left_slot * n_channels + k] = gradient
            ws.right_gradients[right_slot * n_channels + k] = gradient


cdef inline void add_to_side(const Workspace* ws, double* side, intp_t row,
                             intp_t right_slot) noexcept nogil:
    """Add a row's sums, hessian and square to its side's (``stats`` of ``partition_rows``):
    from the right side's buffer, where ``move_statistics`` just copied them whatever the
    side, when the statistics are gathered; else the row's."""
    cdef const GrowData* data = ws.data
    cdef intp_t k, n_outputs = ws.params.n_outputs, n_channels = data.n_channels
    cdef double hessian
    cdef const intp_t* labels = NULL
    cdef const double* gradients = NULL
    if ws.gathered_hessians != NULL:
        hessian = ws.right_hessians[right_slot]
        if ws.gathered_labels != NULL:
            labels = ws.right_labels + right_slot * n_outputs
        else:
            gradients = ws.right_gradients + right_slot * n_channels
    else:
        hessian = ws.hessians[row]
        if data.labels != NULL:
            labels = data.labels + row * n_outputs
        else:
            gradients = ws.gradients + row * n_channels
    if labels != NULL:
        for k in range(n_outputs):
            side[labels[k]] += hessian
    else:
        for k in range(n_channels):
            side[k] += gradients[k]
    side[n_channels] += hessian
    if ws.squares != NULL:
        side[n_channels + 1] += ws.squares[row]


cdef intp_t move_two_channel_rows(Workspace* ws, intp_t start, intp_t end,
                                  const unsigned char* sides, double* stats) noexcept nogil:
    """``partition_rows``' moving pass for gathered statistics of two classes (one label per
    row) or of one gradient channel, without squares; returns the left side's row count.

    The sides' sums are kept in registers: each row adds its values times 1 to its side's and
    times 0 to the other's, and adding a zero leaves a sum's bits as they are, so every sum is
    the one ``add_node`` makes over its side's rows in order.
    """
    cdef intp_t i, row, target, n_left = 0, n_right = 0
    cdef intp_t* right_rows = ws.scratch_rows
    cdef bint labelled = ws.gathered_labels != NULL
    cdef intp_t label = 0
    cdef double hessian, gradient = 0.0, left_part, right_part, left_one, right_one
    cdef double left_hessian = 0.0, right_hessian = 0.0
    cdef double left_sum = 0.0, right_sum = 0.0, left_zeros = 0.0, right_zeros = 0.0
    cdef bint left
    for i in range(start, end):
        row = ws.samples[i]
        left = sides[i - start]
        target = start + n_left
        hessian = ws.gathered_hessians[i]
        ws.samples[target] = row
        right_rows[n_right] = row
        ws.gathered_hessians[target] = hessian
        ws.right_hessians[n_right] = hessian
        if labelled:
            label = ws.gathered_labels[i]
            ws.gathered_labels[target] = label
            ws.right_labels[n_right] = label
        else:
            gradient = ws.gathered_gradients[i]
            ws.gathered_gradients[target] = gradient
            ws.right_gradients[n_right] = gradient
        n_left += left
        n_right += not left
        if stats == NULL:
            continue
        left_part = hessian * left
        right_part = hessian * (not left)
        left_hessian += left_part
        right_hessian += right_part
        if labelled:
            left_one = left_part * label  # (label is 0 or 1)
            right_one = right_part * label
            left_sum += left_one
            right_sum += right_one
            left_zeros += left_part - left_one
            right_zeros += right_part - right_one
        else:
            left_sum += gradient * left
            right_sum += gradient * (not left)
    if stats != NULL:
        if labelled:
            stats[0], stats[1], stats[2] = left_zeros, left_sum, left_hessian
            stats[4], stats[5], stats[6] = right_zeros, right_sum, right_hessian
        else:
            stats[0], stats[1] = left_sum, left_hessian
            stats[3], stats[4] = right_sum, right_hessian
    return n_left


cdef intp_t move_rows(const Workspace* ws, const SplitRecord* split, intp_t first, intp_t last,
                      intp_t* left_rows, intp_t* right_rows) noexcept nogil:
    """Move the rows ``samples[first:last]`` to ``left_rows`` or ``right_rows`` by their side of
    ``split``, in order; return how many went left. ``left_rows`` may be ``samples + first``:
    the left rows are then compacted in place (the next left slot is never past the row being
    read)."""
    cdef intp_t i, row, n_left = 0, n_right = 0
    cdef bint side, missing_go_left = split.missing_go_left
    cdef const intp_t* samples = ws.samples
    cdef const BIN_DTYPE_C* column
    cdef BIN_DTYPE_C bin_index, bin_threshold = split.bin_threshold
    if ws.params.splitter == HIST:
        # The split's column and bounds in registers: the generic loop below reloads them
        # from the split and the data every row (the rows' stores may alias them).
        column = ws.data.binned + split.feature * ws.data.n_samples
        for i in range(first, last):
            if i + PREFETCH_DISTANCE < last:
                __builtin_prefetch(&column[samples[i + PREFETCH_DISTANCE]])
            row = samples[i]
            bin_index = column[row]
            side = missing_go_left if bin_index == MISSING_BIN else bin_index <= bin_threshold
            left_rows[n_left] = row
            right_rows[n_right] = row
            n_left += side
            n_right += not side
        return n_left
    for i in range(first, last):
        if i + PREFETCH_DISTANCE < last:
            prefetch_row(ws, split, ws.samples[i + PREFETCH_DISTANCE], True, False)
        # Written to both sides' next slots, only the side's counter moves: the side is a coin
        # toss for the branch predictor. With the bins prefetched, one pass is faster than a
        # pass for the sides then one to move the rows (2,000 to 500,000 rows, 1 and 2 threads).
        row = ws.samples[i]
        side = goes_left(ws, split, row)
        left_rows[n_left] = row
        right_rows[n_right] = row
        n_left += side
        n_right += not side
    return n_left


cdef intp_t parallel_partition_rows(Workspace* ws, intp_t start, intp_t end,
                                    const SplitRecord* split) noexcept nogil:
    """``partition_rows`` without statistics, in parallel over blocks of rows: each block
    moves its left rows and its right rows to two scratch areas at its own positions, then
    every block copies them after the left (right) rows of the blocks before it. The order is
    the serial partition's (stable), whatever the number of threads."""
    cdef intp_t n_rows = end - start, n_blocks = min(ws.params.n_threads, MAX_PARTITION_BLOCKS)
    cdef intp_t b, first, last, total_left = 0
    cdef intp_t block_left[MAX_PARTITION_BLOCKS]
    cdef intp_t left_offset[MAX_PARTITION_BLOCKS]
    cdef intp_t right_offset[MAX_PARTITION_BLOCKS]
    # scratch_rows holds n_threads x n_rows: the left rows in its first n_rows, the right ones
    # in the next (a block's rows at the block's positions in both).
    cdef intp_t* left_rows = ws.scratch_rows
    cdef intp_t* right_rows = ws.scratch_rows + ws.n_rows
    for b in prange(n_blocks, schedule='static', num_threads=n_blocks):
        first = b * n_rows // n_blocks
        last = (b + 1) * n_rows // n_blocks
        block_left[b] = move_rows(ws, split, start + first, start + last, left_rows + first,
                                  right_rows + first)
    for b in range(n_blocks):
        left_offset[b] = total_left
        right_offset[b] = b * n_rows // n_blocks - total_left  # right rows of blocks before
        total_left += block_left[b]
    for b in prange(n_blocks, schedule='static', num_threads=n_blocks):
        first = b * n_rows // n_blocks
        last = (b + 1) * n_rows // n_blocks
        memcpy(ws.samples + start + left_offset[b], left_rows + first,
               block_left[b] * sizeof(intp_t))
        memcpy(ws.samples + start + total_left + right_offset[b], right_rows + first,
               (last - first - block_left[b]) * sizeof(intp_t))
    return start + total_left


cdef intp_t partition_rows(Workspace* ws, intp_t start, intp_t end, const SplitRecord* split,
                           const float* kept_values, double* stats) noexcept nogil:
    """Reorder ``samples[start:end]`` (and the gathered statistics with them) so the left
    child's rows come first; return the middle.

    ``kept_values`` (or NULL: read the column) holds the split feature's values of the rows in
    their order. ``stats`` (2 * (n_channels + 2) doubles, or NULL: not wanted) receives each
    child's sums, hessian and square sums, added in the children's row order as ``add_node``
    would: the same values, without a second pass over the rows."""
    # Stable: rows stay in increasing order (as the root's are), so that the split searches
    # of the children read every feature's column forwards, not at random. Each row is written
    # to both sides' next slots and only the side's counter moves: the side is a coin toss for
    # the branch predictor (random thresholds above all). The left side is compacted in place:
    # its next slot is never past the row being read.
    cdef const GrowData* data = ws.data
    cdef intp_t n_channels = data.n_channels, n_outputs = ws.params.n_outputs
    cdef intp_t width = n_channels + 2
    cdef intp_t i, k, row, target, n_left = 0, n_right = 0
    cdef intp_t* right_rows = ws.scratch_rows
    cdef bint gathered = ws.gathered_hessians != NULL
    cdef unsigned char* sides = ws.row_sides
    cdef float value
    cdef bint left
    if stats == NULL and not gathered and kept_values == NULL:
        # The rows only (boosting): one pass.
        if ws.params.n_threads > 1 and end - start >= MIN_PARALLEL_PARTITION:
            return parallel_partition_rows(ws, start, end, split)
        n_left = move_rows(ws, split, start, end, ws.samples + start, right_rows)
        memcpy(ws.samples + start + n_left, right_rows, (end - start - n_left) * sizeof(intp_t))
        return start + n_left
    if stats != NULL:
        for k in range(2 * width):
            stats[k] = 0.0
    # With statistics to move or add, first every row's side, in a pass whose reads do not
    # wait on each other: in the moving pass below, where a row goes decides where the next
    # is written, and a value read at random there would hold up every row after it.
    for i in range(start, end):
        if kept_values != NULL:
            value = kept_values[i - start]
            sides[i - start] = split.missing_go_left if isnan(value) else value <= split.threshold
        else:
            if i + PREFETCH_DISTANCE < end:
                prefetch_row(ws, split, ws.samples[i + PREFETCH_DISTANCE], True,
                             stats != NULL and not gathered)
            sides[i - start] = goes_left(ws, split, ws.samples[i])
    if (gathered and ws.squares == NULL and n_outputs == 1
            and ((ws.gathered_labels != NULL and n_channels == 2)
                 or (ws.gathered_labels == NULL and n_channels == 1))):
        n_left = move_two_channel_rows(ws, start, end, sides, stats)
        n_right = end - start - n_left
    else:
        for i in range(start, end):
            row = ws.samples[i]
            left = sides[i - start]
            target = start + n_left
            ws.samples[target] = row
            right_rows[n_right] = row
            if gathered:
                move_statistics(ws, i, target, n_right)
            if stats != NULL:
                add_to_side(ws, stats + (0 if left else width), row, n_right)
            n_left += left
            n_right += not left
    memcpy(ws.samples + start + n_left, right_rows, n_right * sizeof(intp_t))
    if gathered:
        i = start + n_left
        memcpy(ws.gathered_hessians + i, ws.right_hessians, n_right * sizeof(double))
        if ws.gathered_labels != NULL:
            memcpy(ws.gathered_labels + i * n_outputs, ws.right_labels,
                   n_right * n_outputs * sizeof(intp_t))
        else:
            memcpy(ws.gathered_gradients + i * n_channels, ws.right_gradients,
                   n_right * n_channels * sizeof(double))
    return start + n_left


cdef inline bint sums_from_parent(const Workspace* ws) noexcept nogil:
    """Whether boosting's children take their sums from the parent's (``child_sums``): one
    gradient channel, no labels, no squares, dense data."""
    return (ws.params.criterion == SECOND_ORDER and ws.data.n_channels == 1
            and ws.data.labels == NULL and ws.squares == NULL and ws.data.csr_indptr == NULL)


cdef inline bint left_is_smaller(intp_t start, intp_t middle, intp_t end) noexcept nogil:
    """Whether a split's left child (``start:middle``) is its smaller, ties to the left: the
    child whose histogram is built and whose sums are added, the larger's being the parent's
    minus them. Every step of a split must pick the same child."""
    return middle - start <= end - middle


cdef void child_sums(Workspace* ws, const TreeArrays* tree, intp_t parent, intp_t start,
                     intp_t middle, intp_t end, const double* built_totals, double* left,
                     double* right) noexcept nogil:
    """Boosting's children's (gradient, hessian, square) sums without a second pass over the
    parent's rows (where ``sums_from_parent``): the smaller child's from the gather of its
    histogram when one was just built, else summed as that gather sums them
    (``sum_batch_statistics``); the larger's the parent's minus those (LightGBM's rule)."""
    cdef double* smaller = left
    cdef double* larger = right
    cdef intp_t first = start, last = middle
    if not left_is_smaller(start, middle, end):
        smaller, larger = right, left
        first, last = middle, end
    if built_totals != NULL:
        smaller[0] = built_totals[0]
        smaller[1] = built_totals[1]
    else:
        # The same sums as a histogram's gather would have given.
        sum_batch_statistics(ws, &first, &last, 1, smaller)
    larger[0] = tree.values[parent] - smaller[0]
    larger[1] = tree.nodes[parent].weighted_n_node_samples - smaller[1]
    # No squares in boosting (sums_from_parent): the square sum stays 0, as add_node's.
    smaller[2] = 0.0
    larger[2] = 0.0


cdef inline void record_split(Node* node, const SplitRecord* split, intp_t n_left,
                              intp_t n_rows) noexcept nogil:
    """Store a node's split once its ``n_rows`` rows are partitioned, ``n_left`` to the left."""
    node.feature = split.feature
    node.threshold = split.threshold
    node.missing_go_left = split.missing_go_left
    if split.missing_by_majority:
        # ``consider_boundary``'s rule for a node without missing values, from the partition:
        # unseen missing values follow the strict majority (right on a tie).
        node.missing_go_left = 2 * n_left > n_rows
    node.bin_threshold = split.bin_threshold
    node.gain = split.gain


cdef void split_node(Workspace* ws, TreeArrays* tree, PendingNode* pending) noexcept nogil:
    cdef SplitRecord* split = &pending.split
    cdef intp_t start = pending.start, end = pending.end
    # Absolute error's nodes rank their rows' targets in add_node: no sums from here; boosting's
    # children take theirs from the parent's (child_sums), so the partition does not add them.
    cdef bint from_parent = sums_from_parent(ws)
    cdef bint summed = (ws.data.csr_indptr == NULL
                        and ws.params.criterion != ABSOLUTE_ERROR and not from_parent)
    cdef intp_t width = ws.data.n_channels + 2
    cdef intp_t middle = (sparse_partition_rows(ws, start, end, split)
                          if ws.data.csr_indptr != NULL
                          else partition_rows(ws, start, end, split,
                                              ws.kept_values + start if pending.values_kept
                                              else NULL,
                                              ws.child_stats if summed else NULL))
    cdef double* left_histogram = NULL
    cdef double* right_histogram = NULL
    cdef double* smaller
    cdef Node* node = &tree.nodes[pending.node_id]
    cdef intp_t left_id, right_id
    cdef double left_known[3]
    cdef double right_known[3]
    cdef bint smaller_built = False
    # The children start from this node's known-constant features.
    release_constant_slot(ws, pending)
    record_split(node, split, middle - start, end - start)
    if pending.histogram != NULL and (
            max(middle - start, end - middle) < histogram_min_rows(ws)
            or not children_searched(ws, middle - start, end - middle, pending.depth + 1)):
        # Both children are small enough to search without histograms, or stay leaves.
        release_histogram(ws, pending.histogram)
    elif pending.histogram != NULL:
        smaller = acquire_histogram(ws)
        if smaller == NULL:
            ws.failed = True
            return
        # The smaller child's histogram is built; the parent's becomes the larger's.
        if left_is_smaller(start, middle, end):
            build_node_histogram(ws, start, middle, smaller, pending.histogram)
            left_histogram = smaller
            right_histogram = pending.histogram
        else:
            build_node_histogram(ws, middle, end, smaller, pending.histogram)
            left_histogram = pending.histogram
            right_histogram = smaller
        smaller_built = True
    if from_parent:
        child_sums(ws, tree, pending.node_id, start, middle, end,
                   ws.node_totals if smaller_built else NULL, left_known, right_known)
        left_id = add_node(ws, tree, pending.node_id, True, start, middle, pending.depth + 1,
                           left_known)
        right_id = add_node(ws, tree, pending.node_id, False, middle, end, pending.depth + 1,
                            right_known)
    else:
        left_id = add_node(ws, tree, pending.node_id, True, start, middle, pending.depth + 1,
                           ws.child_stats if summed else NULL)
        right_id = add_node(ws, tree, pending.node_id, False, middle, end, pending.depth + 1,
                            ws.child_stats + width if summed else NULL)
    if not ws.failed and ws.params.monotonic_cst != NULL:
        ws.failed = not bound_children(ws, tree, pending.node_id, split.feature, left_id,
                                       right_id)
    if ws.failed:
        release_histogram(ws, left_histogram)
        release_histogram(ws, right_histogram)
        return
    consider_node(ws, tree, left_id, start, middle, pending.depth + 1, left_histogram)
    consider_node(ws, tree, right_id, middle, end, pending.depth + 1, right_histogram)



cdef intp_t batch_size(const Workspace* ws) noexcept nogil:
    """How many pending nodes ``split_batch`` splits together; 1: one at a time
    (``split_node``). It depends on the data's shape and the parameters only, never on the
    threads, so that the trees do not either."""
    cdef const GrowParams* params = ws.params
    if (ws.best_first or params.splitter != HIST or not sums_from_parent(ws)
            or params.monotonic_cst != NULL or params.max_depth < 0):
        return 1
    cdef intp_t histogram_bytes = max(1, ws.histogram_size * <intp_t>sizeof(double))
    return max(1, min(MAX_BATCH, BATCH_CACHE_BYTES // histogram_bytes,
                      BATCH_MEMORY_BYTES // ((params.max_depth + 1) * histogram_bytes)))


cdef struct BatchNode:
    # One pending node of a batch (``split_batch``) once partitioned: where its rows split,
    # its job in the batch's histograms (-1: none built), its children's ids, their searches
    # in the batch's scans (-1: searched or left a leaf on their own) and their histograms.
    intp_t middle
    intp_t job
    intp_t child[2]
    intp_t scan[2]
    double* histogram[2]


cdef void split_batch(Workspace* ws, TreeArrays* tree, PendingNode* batch, intp_t n_batch,
                      BatchNode* split, HistogramJob* jobs, ScanJob* scans) noexcept nogil:
    """``split_node`` of several pending nodes of a depth-wise boosted tree: their partitions,
    then all their smaller children's histograms together (``build_batch_histograms``: a
    small node alone has too little work to share among threads), then their children's
    nodes, then the children's searches together (``search_jobs``), their feature orders
    drawn and the children queued in batch order. Each node's partition, histograms and sums
    are those of ``split_node``, each child's search that of ``consider_node``."""
    cdef intp_t j, c, side, start, end, n_jobs = 0, n_scans = 0
    cdef bint drawn_at_once = searches_drawn_at_once(ws)
    cdef PendingNode* pending
    cdef BatchNode* node
    cdef ScanJob* scan
    cdef double* smaller
    cdef double known[2][3]
    cdef intp_t n_summed = 0
    cdef intp_t summed_starts[MAX_BATCH]
    cdef intp_t summed_ends[MAX_BATCH]
    cdef double summed[2 * MAX_BATCH]
    for j in range(n_batch):
        pending = &batch[j]
        node = &split[j]
        start, end = pending.start, pending.end
        node.middle = partition_rows(ws, start, end, &pending.split,
                                     ws.kept_values + start if pending.values_kept else NULL,
                                     NULL)
        node.job = -1
        node.histogram[0] = node.histogram[1] = NULL
        record_split(&tree.nodes[pending.node_id], &pending.split, node.middle - start,
                     end - start)
        if pending.histogram == NULL:
            continue
        if (max(node.middle - start, end - node.middle) < histogram_min_rows(ws) or ws.failed
                or not children_searched(ws, node.middle - start, end - node.middle,
                                         pending.depth + 1)):
            # Both children are small enough to search without histograms, or stay leaves.
            release_histogram(ws, pending.histogram)
            continue
        smaller = acquire_histogram(ws)
        if smaller == NULL:
            release_histogram(ws, pending.histogram)
            ws.failed = True
            continue
        # The smaller child's histogram is built; the parent's becomes the larger's.
        side = 0 if left_is_smaller(start, node.middle, end) else 1
        jobs[n_jobs].start = start if side == 0 else node.middle
        jobs[n_jobs].end = node.middle if side == 0 else end
        jobs[n_jobs].histogram = smaller
        jobs[n_jobs].parent = pending.histogram
        node.histogram[side] = smaller
        node.histogram[1 - side] = pending.histogram
        node.job = n_jobs
        n_jobs += 1
    if not ws.failed:
        build_batch_histograms(ws, jobs, n_jobs)
    # The smaller children without a histogram: their sums together, on the threads.
    for j in range(n_batch):
        pending = &batch[j]
        node = &split[j]
        if node.job >= 0:
            continue
        if left_is_smaller(pending.start, node.middle, pending.end):
            summed_starts[n_summed], summed_ends[n_summed] = pending.start, node.middle
        else:
            summed_starts[n_summed], summed_ends[n_summed] = node.middle, pending.end
        n_summed += 1
    if not ws.failed:
        sum_batch_statistics(ws, summed_starts, summed_ends, n_summed, summed)
    n_summed = 0
    # The children's nodes first: no node may be added while the searches read the sums.
    for j in range(n_batch):
        if ws.failed:
            break
        pending = &batch[j]
        node = &split[j]
        if node.job >= 0:
            child_sums(ws, tree, pending.node_id, pending.start, node.middle, pending.end,
                       jobs[node.job].totals, known[0], known[1])
        else:
            child_sums(ws, tree, pending.node_id, pending.start, node.middle, pending.end,
                       summed + 2 * n_summed, known[0], known[1])
            n_summed += 1
        for side in range(2):
            node.child[side] = add_node(ws, tree, pending.node_id, side == 0,
                                        pending.start if side == 0 else node.middle,
                                        node.middle if side == 0 else pending.end,
                                        pending.depth + 1, known[side])
    if ws.failed:
        for j in range(n_batch):
            release_histogram(ws, split[j].histogram[0])
            release_histogram(ws, split[j].histogram[1])
        return
    for c in range(2 * n_batch):
        pending = &batch[c // 2]
        node = &split[c // 2]
        side = c % 2
        start = pending.start if side == 0 else node.middle
        end = node.middle if side == 0 else pending.end
        node.scan[side] = -1
        if stays_leaf(ws, tree, node.child[side], end - start, pending.depth + 1):
            release_histogram(ws, node.histogram[side])
            mark_leaf(ws, node.child[side], start, end)
        elif not drawn_at_once or ws.failed or (node.histogram[side] == NULL
                                                and end - start >= histogram_min_rows(ws)):
            consider_node(ws, tree, node.child[side], start, end, pending.depth + 1,
                          node.histogram[side])
        else:
            scan = &scans[n_scans]
            init_node_context(ws, tree, node.child[side], start, end, &scan.context)
            scan.start, scan.end, scan.histogram = start, end, node.histogram[side]
            draw_feature_order(ws, start, end, scan.order)
            node.scan[side] = n_scans
            n_scans += 1
    search_jobs(ws, scans, n_scans)
    for c in range(2 * n_batch):
        node = &split[c // 2]
        side = c % 2
        if node.scan[side] < 0:
            continue
        scan = &scans[node.scan[side]]
        if ws.failed:
            release_histogram(ws, node.histogram[side])
            continue
        settle_node(ws, node.child[side], scan.start, scan.end, batch[c // 2].depth + 1,
                    node.histogram[side], reduce_job(ws, scan), False)


cdef struct BatchBuffers:
    # ``split_batch``'s arrays for batches of up to ``size`` nodes.
    intp_t size
    PendingNode* batch
    HistogramJob* jobs
    BatchNode* split
    ScanJob* scans              # [2 * size]: the searches of a batch's children
    intp_t* scan_orders
    SplitRecord* scan_records
    unsigned char* scan_constants


cdef bint alloc_batch_buffers(BatchBuffers* buffers, const Workspace* ws,
                              intp_t size) noexcept nogil:
    cdef intp_t i, n_features = max(ws.data.n_features, 1)
    buffers.size = size
    buffers.batch = <PendingNode*>malloc(size * sizeof(PendingNode))
    buffers.jobs = <HistogramJob*>malloc(size * sizeof(HistogramJob))
    buffers.split = <BatchNode*>malloc(size * sizeof(BatchNode))
    buffers.scans = <ScanJob*>malloc(2 * size * sizeof(ScanJob))
    buffers.scan_orders = <intp_t*>malloc(2 * size * max(ws.n_tree_features, 1) * sizeof(intp_t))
    buffers.scan_records = <SplitRecord*>malloc(2 * size * n_features * sizeof(SplitRecord))
    buffers.scan_constants = <unsigned char*>malloc(2 * size * n_features)
    if (buffers.batch == NULL or buffers.jobs == NULL or buffers.split == NULL
            or buffers.scans == NULL or buffers.scan_orders == NULL
            or buffers.scan_records == NULL or buffers.scan_constants == NULL):
        return False
    for i in range(2 * size):
        buffers.scans[i].order = buffers.scan_orders + i * ws.n_tree_features
        buffers.scans[i].records = buffers.scan_records + i * ws.data.n_features
        buffers.scans[i].constants = buffers.scan_constants + i * ws.data.n_features
    return True


cdef void free_batch_buffers(BatchBuffers* buffers) noexcept nogil:
    free(buffers.batch)
    free(buffers.jobs)
    free(buffers.split)
    free(buffers.scans)
    free(buffers.scan_orders)
    free(buffers.scan_records)
    free(buffers.scan_constants)


cdef void grow_in_batches(Workspace* ws, TreeArrays* tree, BatchBuffers* buffers,
                          intp_t stop_at) noexcept nogil:
    """Split the pending nodes batch by batch until none is left, or until ``stop_at`` (> 0)
    or more are pending, none of more than SUBTREE_MAX_ROWS rows."""
    cdef intp_t i, n_popped, largest
    while ws.n_frontier > 0 and not ws.failed:
        if stop_at > 0 and ws.n_frontier >= stop_at:
            largest = 0
            for i in range(ws.n_frontier):
                largest = max(largest, ws.frontier[i].end - ws.frontier[i].start)
            if largest <= SUBTREE_MAX_ROWS:
                return
        # The last pushed first, as pop_pending takes them: depth-first order, batch by batch.
        n_popped = min(buffers.size, ws.n_frontier)
        for i in range(n_popped):
            buffers.batch[i] = pop_pending(ws)
        split_batch(ws, tree, buffers.batch, n_popped, buffers.split, buffers.jobs,
                    buffers.scans)


cdef struct Subtree:
    # A pending node grown to the end on one thread (``grow_subtree``): its own tree (its
    # node 0 is the pending node) and the leaves' (node, start, end) of its rows, positions
    # relative to the pending node's first row.
    PendingNode root
    TreeArrays tree
    intp_t* leaf_ranges
    intp_t n_leaf_ranges
    bint failed


cdef void grow_subtree(Workspace* ws, const TreeArrays* tree, Subtree* subtree,
                       const GrowParams* params) noexcept nogil:
    """Grow the pending node ``subtree.root`` of ``tree`` in a workspace of its own, on
    ``params``' threads (one): the same splits as growing it in ``ws`` (node draws, the same
    searches and histograms), its rows' final order written back to ``ws.samples``."""
    cdef Workspace sub
    cdef BatchBuffers buffers
    cdef PendingNode pending = subtree.root
    cdef intp_t k, n_rows = pending.end - pending.start, n_channels = ws.data.n_channels
    empty_tree(&subtree.tree)
    subtree.leaf_ranges = NULL
    subtree.n_leaf_ranges = 0
    subtree.failed = True
    if not init_workspace(&sub, ws.data, params, ws.samples + pending.start, n_rows, NULL,
                          ws.initial_features, ws.n_tree_features, ws.seed):
        free_workspace(&sub)
        return
    # The tree's statistics as the tree reads them (weighted copies included), shared.
    sub.gradients = ws.gradients
    sub.hessians = ws.hessians
    sub.node_draws = ws.node_draws
    sub.row_offset = ws.row_offset + pending.start
    sub.unit_hessians = ws.unit_hessians
    sub.count_bounds = ws.count_bounds
    sub.packed_stats = ws.packed_stats
    sub.required_gain = ws.required_gain
    sub.gain_scale = ws.gain_scale
    sub.leaves = ws.leaves
    if ws.leaves != NULL:
        sub.leaf_ranges_capacity = 64
        sub.leaf_ranges = <intp_t*>malloc(3 * sub.leaf_ranges_capacity * sizeof(intp_t))
    # The subtree's root (its node 0): the pending node, its sums and a copy of its histogram.
    sub.failed = (not alloc_batch_buffers(&buffers, &sub, batch_size(&sub))
                  or (ws.leaves != NULL and sub.leaf_ranges == NULL)
                  or new_node(&subtree.tree, n_channels) < 0)
    pending.node_id = 0
    pending.start = 0
    pending.end = n_rows
    pending.histogram = NULL
    if not sub.failed:
        subtree.tree.nodes[0] = tree.nodes[subtree.root.node_id]
        for k in range(n_channels):
            subtree.tree.values[k] = tree.values[subtree.root.node_id * n_channels + k]
        if subtree.root.histogram != NULL:
            pending.histogram = acquire_histogram(&sub)
            sub.failed = pending.histogram == NULL
    if not sub.failed:
        if subtree.root.histogram != NULL:
            memcpy(pending.histogram, subtree.root.histogram,
                   ws.histogram_size * sizeof(double))
        if not push_pending(&sub, &pending):
            release_histogram(&sub, pending.histogram)
            sub.failed = True
    if not sub.failed:
        grow_in_batches(&sub, &subtree.tree, &buffers, 0)
        memcpy(ws.samples + subtree.root.start, sub.samples, n_rows * sizeof(intp_t))
        subtree.failed = sub.failed
    free_batch_buffers(&buffers)
    subtree.leaf_ranges = sub.leaf_ranges
    subtree.n_leaf_ranges = sub.n_leaf_ranges
    sub.leaf_ranges = NULL
    free_workspace(&sub)


cdef bint append_leaf_range(Workspace* ws, intp_t node_id, intp_t start,
                            intp_t end) noexcept nogil:
    cdef intp_t* grown
    if ws.n_leaf_ranges == ws.leaf_ranges_capacity:
        grown = <intp_t*>realloc(ws.leaf_ranges, 6 * ws.leaf_ranges_capacity * sizeof(intp_t))
        if grown == NULL:
            return False
        ws.leaf_ranges = grown
        ws.leaf_ranges_capacity *= 2
    ws.leaf_ranges[3 * ws.n_leaf_ranges] = node_id
    ws.leaf_ranges[3 * ws.n_leaf_ranges + 1] = start
    ws.leaf_ranges[3 * ws.n_leaf_ranges + 2] = end
    ws.n_leaf_ranges += 1
    return True


cdef void stitch_subtree(Workspace* ws, TreeArrays* tree, const Subtree* subtree) noexcept nogil:
    """Append the subtree's nodes to ``tree``: its node 0 replaces the pending node, its
    other nodes follow the tree's, in their order; its leaves' ranges join the tree's."""
    cdef intp_t j, k, node_id, n_channels = ws.data.n_channels
    cdef intp_t offset = tree.n_nodes - 1
    cdef Node* node
    for j in range(subtree.tree.n_nodes):
        node_id = subtree.root.node_id if j == 0 else new_node(tree, n_channels)
        if node_id < 0:
            ws.failed = True
            return
        node = &tree.nodes[node_id]
        node[0] = subtree.tree.nodes[j]
        if node.left_child != LEAF:
            node.left_child += offset
            node.right_child += offset
        for k in range(n_channels):
            tree.values[node_id * n_channels + k] = subtree.tree.values[j * n_channels + k]
    for j in range(subtree.n_leaf_ranges):
        node_id = subtree.leaf_ranges[3 * j]
        if not append_leaf_range(ws, subtree.root.node_id if node_id == 0 else node_id + offset,
                                 subtree.root.start + subtree.leaf_ranges[3 * j + 1],
                                 subtree.root.start + subtree.leaf_ranges[3 * j + 2]):
            ws.failed = True
            return


cdef void grow_subtrees(Workspace* ws, TreeArrays* tree) noexcept nogil:
    """Grow every pending node to the end, each on one thread in a workspace of its own (its
    rows and histograms stay in that thread's cache; no barrier between its nodes), the
    largest first, then stitch them into ``tree`` in frontier order."""
    cdef intp_t i, j, n = ws.n_frontier
    cdef GrowParams params = ws.params[0]
    cdef Subtree* subtrees = <Subtree*>calloc(n, sizeof(Subtree))
    cdef intp_t* order = <intp_t*>malloc(n * sizeof(intp_t))
    if subtrees == NULL or order == NULL:
        free(subtrees)
        free(order)
        ws.failed = True
        return
    params.n_threads = 1
    for i in range(n):
        subtrees[i].root = ws.frontier[i]
        # Largest first (insertion sort: a few nodes per thread).
        j = i
        while j > 0 and (ws.frontier[order[j - 1]].end - ws.frontier[order[j - 1]].start
                         < ws.frontier[i].end - ws.frontier[i].start):
            order[j] = order[j - 1]
            j -= 1
        order[j] = i
    for j in prange(n, schedule='dynamic', num_threads=ws.params.n_threads):
        grow_subtree(ws, tree, &subtrees[order[j]], &params)
    for i in range(n):
        release_histogram(ws, subtrees[i].root.histogram)
        ws.frontier[i].histogram = NULL
        if subtrees[i].failed:
            ws.failed = True
        if not ws.failed:
            stitch_subtree(ws, tree, &subtrees[i])
        free(subtrees[i].tree.nodes)
        free(subtrees[i].tree.values)
        free(subtrees[i].leaf_ranges)
    ws.n_frontier = 0
    free(subtrees)
    free(order)


cdef void number_in_preorder(Workspace* ws, TreeArrays* tree) noexcept nogil:
    """Renumber the nodes in depth-first preorder (a node, its left subtree, its right one),
    the leaves' ranges with them: the numbering then does not depend on the order the nodes
    were split in (batches, subtrees on threads)."""
    cdef intp_t n = tree.n_nodes, n_channels = ws.data.n_channels, i, k, top, old_id, next_id = 0
    cdef intp_t* new_id = <intp_t*>malloc(max(n, 1) * sizeof(intp_t))
    cdef intp_t* stack = <intp_t*>malloc(max(n, 1) * sizeof(intp_t))
    cdef Node* nodes = <Node*>malloc(max(tree.capacity, 1) * sizeof(Node))
    cdef double* values = <double*>malloc(max(tree.capacity, 1) * n_channels * sizeof(double))
    if new_id == NULL or stack == NULL or nodes == NULL or values == NULL:
        free(new_id)
        free(stack)
        free(nodes)
        free(values)
        ws.failed = True
        return
    top = 0
    if n > 0:
        stack[0] = 0
        top = 1
    while top > 0:
        top -= 1
        old_id = stack[top]
        new_id[old_id] = next_id
        nodes[next_id] = tree.nodes[old_id]
        for k in range(n_channels):
            values[next_id * n_channels + k] = tree.values[old_id * n_channels + k]
        next_id += 1
        if tree.nodes[old_id].left_child != LEAF:
            stack[top] = tree.nodes[old_id].right_child
            stack[top + 1] = tree.nodes[old_id].left_child
            top += 2
    for i in range(n):
        if nodes[i].left_child != LEAF:
            nodes[i].left_child = new_id[nodes[i].left_child]
            nodes[i].right_child = new_id[nodes[i].right_child]
    for i in range(ws.n_leaf_ranges):
        ws.leaf_ranges[3 * i] = new_id[ws.leaf_ranges[3 * i]]
    free(tree.nodes)
    free(tree.values)
    tree.nodes = nodes
    tree.values = values
    free(new_id)
    free(stack)


cdef int grow_tree(const GrowData* data, const GrowParams* params, const intp_t* rows,
                   intp_t n_rows, const double* row_weights, const intp_t* features,
                   intp_t n_tree_features, uint64_t seed, int32_t* leaves,
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
    cdef intp_t n_batch
    cdef BatchBuffers buffers
    cdef double hessian
    cdef double root_sums[3]
    cdef double hessian_extremes[2]
    cdef bint boosted
    empty_tree(tree)
    if not init_workspace(&ws, data, params, rows, n_rows, row_weights, features,
                          n_tree_features, seed):
        free_workspace(&ws)
        return -1
    ws.leaves = leaves
    n_batch = batch_size(&ws)
    # Batches: every node draws from its own stream, and the nodes are numbered once the
    # tree is grown (their leaves written then), so that the tree does not depend on the
    # order the nodes are split in.
    ws.node_draws = n_batch > 1
    if leaves != NULL and (n_batch > 1 or (params.n_threads > 1 and n_rows >= MIN_PARALLEL_LEAVES)):
        ws.leaf_ranges_capacity = 64
        ws.leaf_ranges = <intp_t*>malloc(3 * ws.leaf_ranges_capacity * sizeof(intp_t))
        # Renumbered nodes (batches) have no leaf to write before the end.
        ws.failed = ws.leaf_ranges == NULL and n_batch > 1
    boosted = params.splitter == HIST and sums_from_parent(&ws)
    if ws.gathered_hessians != NULL:
        gather_node_statistics(&ws, 0, n_rows)
    elif params.splitter == HIST and n_channels == 1 and data.labels == NULL and not boosted:
        # Histograms then copy their counts from their hessians instead of adding them.
        ws.unit_hessians = True
        for i in range(n_rows):
            if ws.hessians[ws.samples[i]] != 1.0:
                ws.unit_hessians = False
                break
    if boosted:
        # Boosting: the root's sums come with the gather of its statistics, which its
        # histograms then use (one pass over the rows' gradients, not two), and so do the
        # extremes of its hessians: all 1, the histograms copy their counts from them and the
        # gathers do not read them; else they may bound the counts.
        ws.packed_stats = may_pack_statistics(&ws, n_rows)
        gather_statistics(&ws, ws.samples, n_rows, ws.ordered_stats, ws.node_totals,
                          hessian_extremes)
        ws.unit_hessians = hessian_extremes[0] == 1.0 and hessian_extremes[1] == 1.0
        bound_counts(&ws, n_rows, ws.node_totals[1], hessian_extremes)
        if ws.packed_stats and not (ws.unit_hessians or ws.count_bounds.active):
            # A row's hessian is 0: its histograms count their rows, in float64.
            unpack_root_statistics(&ws, n_rows)
            ws.packed_stats = False
        ws.root_gathered = True
        root_sums[0] = ws.node_totals[0]
        root_sums[1] = ws.node_totals[1]
        root_sums[2] = 0.0
        root = add_node(&ws, tree, -1, False, 0, n_rows, 0, root_sums)
    else:
        root = add_node(&ws, tree, -1, False, 0, n_rows, 0, NULL)
    if root >= 0 and params.monotonic_cst != NULL:
        ws.failed = not store_bounds(&ws, tree, root, -INFINITY, INFINITY)
    if root >= 0 and not ws.failed:
        ws.required_gain = required_gain(params.criterion, params.min_split_gain,
                                         params.min_impurity_decrease,
                                         tree.nodes[root].weighted_n_node_samples)
        ws.gain_scale = split_gain_scale(params.criterion, params.n_outputs,
                                         tree.nodes[root].weighted_n_node_samples)
        # The root's histograms read its rows without their indices when they are all the
        # rows in order (``_histogram_groups.h``).
        ws.root_in_order = data.rows_in_order and n_rows == data.n_samples
        consider_node(&ws, tree, root, 0, n_rows, 0, NULL)
    ws.root_gathered = False
    ws.root_in_order = False
    if n_batch > 1:
        if not alloc_batch_buffers(&buffers, &ws, n_batch):
            ws.failed = True
        # Threads share the large nodes' work, then each grows whole subtrees once there are
        # enough pending nodes for all (two a thread: the largest first balances them).
        grow_in_batches(&ws, tree, &buffers,
                        SUBTREES_PER_THREAD * params.n_threads if params.n_threads > 1 else 0)
        free_batch_buffers(&buffers)
        if ws.n_frontier > 0 and not ws.failed:
            grow_subtrees(&ws, tree)
        if not ws.failed:
            number_in_preorder(&ws, tree)
    while ws.n_frontier > 0 and not ws.failed:
        if ws.best_first and n_splits + 1 >= params.max_leaf_nodes:
            break
        pending = pop_pending(&ws)
        split_node(&ws, tree, &pending)
        n_splits += 1
    # Nodes still waiting when best-first growth stopped are leaves.
    for i in range(ws.n_frontier):
        mark_leaf(&ws, ws.frontier[i].node_id, ws.frontier[i].start, ws.frontier[i].end)
    if ws.leaf_ranges != NULL:
        write_leaves(&ws)
    # Sums become leaf values (class fractions, means or Newton steps).
    for node_id in range(tree.n_nodes):
        hessian = tree.nodes[node_id].weighted_n_node_samples
        for k in range(n_channels):
            tree.values[node_id * n_channels + k] = leaf_value(
                tree.values[node_id * n_channels + k], hessian, params.criterion,
                params.l2_regularization)
    if params.monotonic_cst != NULL and not ws.failed:
        clip_to_bounds(&ws, tree)
    free(ws.node_bounds)
    free_workspace(&ws)
    return -1 if ws.failed else 0
