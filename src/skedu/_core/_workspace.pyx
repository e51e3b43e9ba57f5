"""Memory of one tree's growth: the workspace, node arrays, the histogram pool, the frontier.

Everything is allocated once per tree (per-thread scratch a cache line apart) and reused across
nodes; nothing here touches a Python object, so trees grow inside ``prange``.
"""

from cython.parallel import prange
from libc.stdlib cimport calloc, free, malloc, realloc
from libc.string cimport memcpy, memset

from ._criterion cimport rows_carry_sums
from ._types cimport ABSOLUTE_ERROR, HIST, N_BINS, RANDOM
from ._random_split cimport RANDOM_SCRATCH


# -- kept buffers ---------------------------------------------------------------------------
# A tree's large buffers (its row arrays, its histograms) are kept when it ends, for the next
# tree, instead of going back to the system: glibc maps blocks this large afresh each time,
# and every page of a fresh mapping faults and is zeroed when first written (a tenth of a
# boosted fit on 500k rows). ``release_kept_buffers`` gives them back, at the end of a fit.
cdef extern from *:
    """
    #if defined(_OPENMP)
    #include <omp.h>
    static omp_lock_t skedu_kept_lock;
    static void skedu_kept_init(void) { omp_init_lock(&skedu_kept_lock); }
    static int skedu_kept_acquire(void) { omp_set_lock(&skedu_kept_lock); return 1; }
    static void skedu_kept_release(void) { omp_unset_lock(&skedu_kept_lock); }
    #elif defined(__GNUC__)
    static char skedu_kept_flag = 0;
    static void skedu_kept_init(void) {}
    static int skedu_kept_acquire(void) {
        while (__atomic_test_and_set(&skedu_kept_flag, __ATOMIC_ACQUIRE)) {}
        return 1;
    }
    static void skedu_kept_release(void) { __atomic_clear(&skedu_kept_flag, __ATOMIC_RELEASE); }
    #else
    /* No lock to be had: nothing is kept. */
    static void skedu_kept_init(void) {}
    static int skedu_kept_acquire(void) { return 0; }
    static void skedu_kept_release(void) {}
    #endif
    """
    void skedu_kept_init() nogil
    bint skedu_kept_acquire() nogil
    void skedu_kept_release() nogil

cdef enum:
    KEPT_MIN_BYTES = 65536      # smaller blocks come from the allocator's own free lists
    MAX_KEPT_BUFFERS = 256      # a round of 10 classes' trees keeps about 150
    BUFFER_HEADER = 64          # the block's capacity, before the caller's bytes

cdef char* kept_buffers[MAX_KEPT_BUFFERS]
cdef size_t n_kept_buffers = 0
skedu_kept_init()


cdef void* reusable_malloc(size_t size) noexcept nogil:
    """``malloc`` for a tree's large buffers: a kept block of at least ``size`` bytes (and at
    most twice that) when there is one. Free with ``reusable_free``, never ``free``."""
    global n_kept_buffers
    cdef size_t i, capacity = size
    cdef char* block = NULL
    cdef intp_t best = -1
    if size >= KEPT_MIN_BYTES and skedu_kept_acquire():
        for i in range(n_kept_buffers):
            capacity = (<size_t*>kept_buffers[i])[0]
            if size <= capacity <= 2 * size and (
                    best < 0 or capacity < (<size_t*>kept_buffers[best])[0]):
                best = i
        if best >= 0:
            block = kept_buffers[best]
            n_kept_buffers -= 1
            kept_buffers[best] = kept_buffers[n_kept_buffers]
        skedu_kept_release()
    if block == NULL:
        block = <char*>malloc(size + BUFFER_HEADER)
        if block == NULL:
            return NULL
        (<size_t*>block)[0] = size
    return block + BUFFER_HEADER


cdef void reusable_free(void* buffer) noexcept nogil:
    """Keep a ``reusable_malloc`` buffer for the next tree (or free it when it is small or
    the shelf is full)."""
    global n_kept_buffers
    cdef char* block
    if buffer == NULL:
        return
    block = <char*>buffer - BUFFER_HEADER
    if (<size_t*>block)[0] >= KEPT_MIN_BYTES and skedu_kept_acquire():
        if n_kept_buffers < MAX_KEPT_BUFFERS:
            kept_buffers[n_kept_buffers] = block
            n_kept_buffers += 1
            block = NULL
        skedu_kept_release()
    free(block)


def release_kept_buffers():
    """Give the buffers kept between trees back to the system (the end of a fit)."""
    global n_kept_buffers
    with nogil:
        if skedu_kept_acquire():
            while n_kept_buffers > 0:
                n_kept_buffers -= 1
                free(kept_buffers[n_kept_buffers])
            skedu_kept_release()


def kept_buffer_count():
    """How many buffers are kept (tests)."""
    return n_kept_buffers


cdef void empty_tree(TreeArrays* tree) noexcept nogil:
    """A tree without nodes, its arrays to be grown by ``new_node``."""
    tree.nodes = NULL
    tree.values = NULL
    tree.n_nodes = 0
    tree.capacity = 0


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
    return <double*>reusable_malloc(ws.histogram_size * sizeof(double))


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


cdef bint grow_constant_pool(Workspace* ws, intp_t old_capacity,
                             intp_t capacity) noexcept nogil:
    """Room for ``capacity`` pending nodes' known-constant bits; slots ``old_capacity`` on are
    free (the others all belong to the pending nodes when the frontier grows)."""
    cdef intp_t slot
    cdef uint64_t* grown = <uint64_t*>realloc(
        ws.constant_pool, capacity * ws.n_constant_words * sizeof(uint64_t))
    if grown == NULL:
        return False
    ws.constant_pool = grown
    cdef intp_t* grown_slots = <intp_t*>realloc(ws.free_slots, capacity * sizeof(intp_t))
    if grown_slots == NULL:
        return False
    ws.free_slots = grown_slots
    for slot in range(capacity - 1, old_capacity - 1, -1):
        ws.free_slots[ws.n_free_slots] = slot
        ws.n_free_slots += 1
    return True


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
        if ws.n_constant_words > 0 and not grow_constant_pool(ws, ws.frontier_capacity,
                                                              capacity):
            return False
        ws.frontier_capacity = capacity
    if ws.n_constant_words > 0:
        ws.n_free_slots -= 1
        pending.constant_slot = ws.free_slots[ws.n_free_slots]
        memcpy(ws.constant_pool + pending.constant_slot * ws.n_constant_words,
               ws.node_constant, ws.n_constant_words * sizeof(uint64_t))
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


cdef void release_constant_slot(Workspace* ws, const PendingNode* pending) noexcept nogil:
    """Make the node's known-constant bits its children's parent bits and free its slot."""
    if ws.n_constant_words == 0:
        return
    memcpy(ws.parent_constant, ws.constant_pool + pending.constant_slot * ws.n_constant_words,
           ws.n_constant_words * sizeof(uint64_t))
    ws.free_slots[ws.n_free_slots] = pending.constant_slot
    ws.n_free_slots += 1


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


cdef bint feature_built_by_column(const GrowData* data, intp_t n_entries) noexcept nogil:
    """Whether a dense feature of ``n_entries`` histogram entries is built from its column."""
    return n_entries > COLUMN_MIN_ENTRIES or data.binned_rows == NULL


cdef void group_histograms(Workspace* ws, const GrowData* data) noexcept nogil:
    """Group the dense features for histogram building: consecutive features whose histograms
    fit together in a fraction of the L1 cache are built in one pass over the rows (row-major
    bins); features of many bins are built from their columns, at most ``COLUMN_GROUP`` in a
    pass, in as many groups as it takes to give every thread the same number of columns."""
    cdef intp_t j, f, entries, group_entries = 0, run_end, n_run, n_run_groups, g
    cdef intp_t entry_bytes = (data.n_channels + 2) * sizeof(double)
    cdef intp_t n_threads = max(ws.params.n_threads, 1)
    ws.n_dense = data.n_dense if data.n_sparse > 0 else data.n_features
    memset(ws.listed_feature, 1, data.n_features)
    for j in range(ws.n_dense):
        f = data.dense_features[j] if data.n_sparse > 0 else j
        ws.listed_feature[f] = False
        ws.dense_features[j] = f
        ws.dense_offsets[j] = ws.histogram_offsets[f]
        ws.dense_n_bins[j] = data.n_bins_non_missing[f]
    ws.n_groups = 0
    ws.group_starts[0] = 0
    j = 0
    while j < ws.n_dense:
        if not feature_built_by_column(data, ws.dense_n_bins[j] + 1):
            # Row-major: a new group before a feature that would overflow the current one.
            entries = ws.dense_n_bins[j] + 1
            if (j > ws.group_starts[ws.n_groups]
                    and group_entries + entries > HISTOGRAM_GROUP_BYTES // entry_bytes):
                ws.n_groups += 1
                ws.group_starts[ws.n_groups] = j
                group_entries = 0
            group_entries += entries
            j += 1
            continue
        # A run of features built from their columns: its own groups, of near-equal sizes,
        # as many as a multiple of the threads where the run allows two columns a group.
        if j > ws.group_starts[ws.n_groups]:
            ws.n_groups += 1
            ws.group_starts[ws.n_groups] = j
        run_end = j
        while run_end < ws.n_dense and feature_built_by_column(data, ws.dense_n_bins[run_end] + 1):
            run_end += 1
        n_run = run_end - j
        n_run_groups = (n_run + COLUMN_GROUP - 1) // COLUMN_GROUP
        if n_threads > 1 and n_run_groups % n_threads != 0:
            n_run_groups = min(n_run_groups + n_threads - n_run_groups % n_threads,
                               max(n_run // 2, n_run_groups))
        for g in range(1, n_run_groups):
            ws.n_groups += 1
            ws.group_starts[ws.n_groups] = j + g * n_run // n_run_groups
        if run_end < ws.n_dense:
            ws.n_groups += 1
            ws.group_starts[ws.n_groups] = run_end
        group_entries = 0
        j = run_end
    if ws.n_dense > 0:
        ws.n_groups += 1
        ws.group_starts[ws.n_groups] = ws.n_dense
    ws.histogram_width = ws.n_dense
    if data.n_sparse > 0 and data.n_samples > 0:
        ws.histogram_width += 1 + data.sparse_row_starts[data.n_samples] // data.n_samples


# Rows from which a tree's rows are copied to its workspace by its threads together: one
# thread alone copying them (4 MB for 500k rows, every boosted tree) kept the others waiting.
cdef intp_t MIN_PARALLEL_COPY = 65536


cdef void copy_rows(intp_t* samples, const intp_t* rows, intp_t n_rows,
                    int n_threads) noexcept nogil:
    """``samples[:n_rows] = rows[:n_rows]``, in ``n_threads`` parts for many rows."""
    cdef intp_t part, first, last
    cdef intp_t n_parts = n_threads if n_threads > 1 and n_rows >= MIN_PARALLEL_COPY else 1
    if n_parts == 1:
        memcpy(samples, rows, n_rows * sizeof(intp_t))
        return
    for part in prange(n_parts, schedule='static', num_threads=n_parts):
        first = part * n_rows // n_parts
        last = (part + 1) * n_rows // n_parts
        memcpy(samples + first, rows + first, (last - first) * sizeof(intp_t))


cdef bint init_workspace(Workspace* ws, const GrowData* data, const GrowParams* params,
                         const intp_t* rows, intp_t n_rows, const double* row_weights,
                         const intp_t* features, intp_t n_tree_features,
                         uint64_t seed) noexcept nogil:
    """Allocate the workspace of one tree grown on ``rows`` (scaled by ``row_weights`` when
    not NULL) and on ``features[:n_tree_features]`` (every feature when NULL)."""
    cdef intp_t i, k, n_channels = data.n_channels, n_threads = max(params.n_threads, 1)
    cdef intp_t n_stored
    ws.data = data
    ws.params = params
    ws.rng = seed
    ws.n_rows = n_rows
    ws.failed = False
    ws.best_first = params.max_leaf_nodes > 0
    ws.n_free_histograms = 0
    ws.n_frontier = 0
    ws.frontier_capacity = 64
    ws.frontier = NULL
    ws.free_histograms = NULL
    ws.node_bounds = NULL
    ws.bounds_capacity = 0
    ws.owned_gradients = NULL
    ws.initial_features = NULL
    ws.owned_hessians = NULL
    ws.owned_squares = NULL
    ws.node_offsets = NULL
    ws.node_cursor = NULL
    ws.node_rows = NULL
    ws.node_values = NULL
    ws.gathered_gradients = NULL
    ws.gathered_hessians = NULL
    ws.gathered_labels = NULL
    ws.right_gradients = NULL
    ws.right_hessians = NULL
    ws.right_labels = NULL
    ws.kept_values = NULL
    ws.kept_feature = -1
    ws.unit_hessians = False
    ws.count_bounds.active = False
    ws.listed_feature = <unsigned char*>malloc(max(data.n_features, 1))
    ws.unsure_features = <intp_t*>malloc(max(data.n_features, 1) * sizeof(intp_t))
    ws.row_sides = <unsigned char*>reusable_malloc(max(n_rows, 1) * sizeof(unsigned char))
    ws.n_constant_words = 0
    ws.node_constant = NULL
    ws.parent_constant = NULL
    ws.constant_pool = NULL
    ws.free_slots = NULL
    ws.n_free_slots = 0
    ws.samples = <intp_t*>reusable_malloc(max(n_rows, 1) * sizeof(intp_t))
    # Rows given as labels have no gradient rows (n_samples x n_classes would not fit): only
    # their hessians are gathered.
    ws.ordered_stats = <double*>reusable_malloc(
        max(n_rows, 1) * (1 if data.labels != NULL else n_channels + 1) * sizeof(double))
    ws.histogram_offsets = <intp_t*>malloc((data.n_features + 1) * sizeof(intp_t))
    ws.dense_features = <intp_t*>malloc(max(data.n_features, 1) * sizeof(intp_t))
    ws.dense_offsets = <intp_t*>malloc(max(data.n_features, 1) * sizeof(intp_t))
    ws.dense_n_bins = <intp_t*>malloc(max(data.n_features, 1) * sizeof(intp_t))
    ws.group_starts = <intp_t*>malloc((data.n_features + 1) * sizeof(intp_t))
    ws.node_totals = <double*>malloc((n_channels + 1) * sizeof(double))
    # A node's gather has at most n_rows // GATHER_CHUNK + 1 chunks, a batch's one more a node.
    ws.chunk_sums = <double*>malloc((n_rows // GATHER_CHUNK + MAX_BATCH + 1) * (n_channels + 1)
                                    * sizeof(double))
    ws.chunk_extremes = <double*>malloc((n_rows // GATHER_CHUNK + MAX_BATCH + 1) * 2
                                        * sizeof(double))
    ws.root_gathered = False
    ws.root_in_order = False
    ws.packed_stats = False
    ws.child_stats = <double*>malloc(2 * (n_channels + 2) * sizeof(double))
    ws.sort_values = <float*>reusable_malloc(max(n_rows, 1) * n_threads * sizeof(float))
    ws.sort_rows = <intp_t*>reusable_malloc(max(n_rows, 1) * n_threads * sizeof(intp_t))
    ws.scratch_keys = <uint32_t*>reusable_malloc(max(n_rows, 1) * n_threads * sizeof(uint32_t))
    ws.scratch_rows = <intp_t*>reusable_malloc(max(n_rows, 1) * n_threads * sizeof(intp_t))
    # Threads accumulate in their own scratch, a cache line apart: shared lines would be
    # written by two threads on every row of the sweep.
    # (The random splitter needs the most per channel.)
    ws.scratch_stride = ((RANDOM_SCRATCH * n_channels + 7) // 8 + 1) * 8
    if params.splitter == HIST:
        # A feature's histogram with its counts recounted (``_node_split.counted_feature_split``).
        ws.scratch_stride = max(ws.scratch_stride, ((N_BINS * 3 + 7) // 8 + 1) * 8)
    ws.target_ranks = NULL
    ws.sorted_targets = NULL
    ws.target_buffer = NULL
    ws.fenwick = NULL
    if params.criterion == ABSOLUTE_ERROR:
        # A feature's sweep keeps both passes' errors and a Fenwick tree per thread.
        ws.scratch_stride = ((4 * (max(n_rows, 1) + 1) + 7) // 8 + 1) * 8
        ws.target_ranks = <intp_t*>malloc(max(data.n_samples * params.n_outputs, 1) * sizeof(intp_t))
        ws.sorted_targets = <double*>malloc(max(n_rows, 1) * params.n_outputs * sizeof(double))
        ws.target_buffer = <YRow*>malloc(max(n_rows, 1) * sizeof(YRow))
        ws.fenwick = <double*>malloc(2 * (max(n_rows, 1) + 1) * sizeof(double))
        if (ws.target_ranks == NULL or ws.sorted_targets == NULL or ws.target_buffer == NULL
                or ws.fenwick == NULL):
            return False
    ws.scratch = <double*>malloc(n_threads * ws.scratch_stride * sizeof(double))
    ws.feature_splits = <SplitRecord*>malloc(data.n_features * sizeof(SplitRecord))
    ws.feature_uniforms = <double*>malloc(data.n_features * sizeof(double))
    ws.feature_constant = <unsigned char*>malloc(data.n_features)
    ws.features = <intp_t*>malloc(data.n_features * sizeof(intp_t))
    ws.frontier = <PendingNode*>malloc(ws.frontier_capacity * sizeof(PendingNode))
    ws.free_histograms = <double**>malloc((ws.frontier_capacity + 2) * sizeof(double*))
    if (ws.samples == NULL or ws.ordered_stats == NULL or ws.histogram_offsets == NULL
            or ws.dense_offsets == NULL or ws.dense_n_bins == NULL or ws.node_totals == NULL
            or ws.chunk_sums == NULL or ws.child_stats == NULL or ws.chunk_extremes == NULL
            or ws.listed_feature == NULL or ws.unsure_features == NULL
            or ws.dense_features == NULL or ws.group_starts == NULL
            or ws.sort_values == NULL or ws.sort_rows == NULL or ws.scratch_keys == NULL
            or ws.scratch_rows == NULL or ws.scratch == NULL or ws.row_sides == NULL
            or ws.feature_splits == NULL or ws.feature_uniforms == NULL
            or ws.feature_constant == NULL or ws.features == NULL
            or ws.frontier == NULL or ws.free_histograms == NULL):
        return False
    if params.splitter != HIST and data.csr_indptr == NULL:
        ws.gathered_hessians = <double*>malloc(max(n_rows, 1) * sizeof(double))
        ws.right_hessians = <double*>malloc(max(n_rows, 1) * sizeof(double))
        if data.labels != NULL:
            ws.gathered_labels = <intp_t*>malloc(
                max(n_rows, 1) * params.n_outputs * sizeof(intp_t))
            ws.right_labels = <intp_t*>malloc(max(n_rows, 1) * params.n_outputs * sizeof(intp_t))
        else:
            ws.gathered_gradients = <double*>malloc(max(n_rows, 1) * n_channels * sizeof(double))
            ws.right_gradients = <double*>malloc(max(n_rows, 1) * n_channels * sizeof(double))
        if (ws.gathered_hessians == NULL or ws.right_hessians == NULL
                or (ws.gathered_labels == NULL and ws.gathered_gradients == NULL)
                or (ws.right_labels == NULL and ws.right_gradients == NULL)):
            return False
        if params.splitter == RANDOM:
            ws.kept_values = <float*>malloc(max(n_rows, 1) * sizeof(float))
            if ws.kept_values == NULL:
                return False
        ws.n_constant_words = (data.n_features + 63) // 64
        ws.node_constant = <uint64_t*>calloc(ws.n_constant_words, sizeof(uint64_t))
        ws.parent_constant = <uint64_t*>calloc(ws.n_constant_words, sizeof(uint64_t))
        if (ws.node_constant == NULL or ws.parent_constant == NULL
                or not grow_constant_pool(ws, 0, ws.frontier_capacity)):
            return False
    copy_rows(ws.samples, rows, n_rows, params.n_threads)
    if data.csr_indptr != NULL:
        # Room for every stored entry: the root's rows may hold them all.
        n_stored = data.csr_indptr[data.n_samples]
        ws.node_offsets = <intp_t*>malloc((data.n_features + 1) * sizeof(intp_t))
        ws.node_cursor = <intp_t*>malloc(max(data.n_features, 1) * sizeof(intp_t))
        ws.node_rows = <intp_t*>malloc(max(n_stored, 1) * sizeof(intp_t))
        ws.node_values = <float*>malloc(max(n_stored, 1) * sizeof(float))
        if (ws.node_offsets == NULL or ws.node_cursor == NULL or ws.node_rows == NULL
                or ws.node_values == NULL):
            return False
    # Packed histograms (``_histogram.pyx``): each feature's non-missing bins and missing bin.
    ws.histogram_offsets[0] = 0
    for i in range(data.n_features):
        ws.histogram_offsets[i + 1] = ws.histogram_offsets[i] + (
            data.n_bins_non_missing[i] + 1 if data.n_bins_non_missing != NULL else N_BINS)
    ws.histogram_size = ws.histogram_offsets[data.n_features] * (n_channels + 2)
    if data.n_bins_non_missing != NULL:
        group_histograms(ws, data)
    ws.leaves = NULL
    ws.leaf_ranges = NULL
    ws.n_leaf_ranges = 0
    ws.leaf_ranges_capacity = 0
    if features == NULL:
        ws.n_tree_features = data.n_features
        for i in range(data.n_features):
            ws.features[i] = i
    else:
        ws.n_tree_features = n_tree_features
        memcpy(ws.features, features, n_tree_features * sizeof(intp_t))
    ws.initial_features = <intp_t*>malloc(max(ws.n_tree_features, 1) * sizeof(intp_t))
    if ws.initial_features == NULL:
        return False
    memcpy(ws.initial_features, ws.features, ws.n_tree_features * sizeof(intp_t))
    ws.node_draws = False
    ws.seed = seed
    ws.row_offset = 0
    ws.gradients = data.gradients
    ws.hessians = data.hessians
    ws.squares = data.squares
    if row_weights != NULL:
        # Per-tree row weights (bootstrap counts) scale every per-row statistic once, here.
        ws.owned_hessians = <double*>malloc(data.n_samples * sizeof(double))
        if ws.owned_hessians == NULL:
            return False
        for i in range(data.n_samples):
            ws.owned_hessians[i] = data.hessians[i] * row_weights[i]
        ws.hessians = ws.owned_hessians
        if data.gradients != NULL and rows_carry_sums(params.criterion):
            ws.owned_gradients = <double*>malloc(data.n_samples * n_channels * sizeof(double))
            if ws.owned_gradients == NULL:
                return False
            for i in range(data.n_samples):
                for k in range(n_channels):
                    ws.owned_gradients[i * n_channels + k] = (data.gradients[i * n_channels + k]
                                                              * row_weights[i])
            ws.gradients = ws.owned_gradients
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
    free(ws.leaf_ranges)
    ws.leaf_ranges = NULL
    if ws.frontier != NULL:
        for i in range(ws.n_frontier):
            if ws.frontier[i].histogram != NULL and ws.free_histograms != NULL:
                release_histogram(ws, ws.frontier[i].histogram)
    if ws.free_histograms != NULL:
        for i in range(ws.n_free_histograms):
            reusable_free(ws.free_histograms[i])
    reusable_free(ws.samples)
    reusable_free(ws.ordered_stats)
    free(ws.gathered_gradients)
    free(ws.gathered_hessians)
    free(ws.gathered_labels)
    free(ws.right_gradients)
    free(ws.right_hessians)
    free(ws.right_labels)
    free(ws.kept_values)
    reusable_free(ws.row_sides)
    free(ws.node_constant)
    free(ws.parent_constant)
    free(ws.constant_pool)
    free(ws.free_slots)
    free(ws.histogram_offsets)
    free(ws.dense_offsets)
    free(ws.dense_features)
    free(ws.group_starts)
    free(ws.dense_n_bins)
    free(ws.node_totals)
    free(ws.chunk_sums)
    free(ws.chunk_extremes)
    free(ws.listed_feature)
    free(ws.unsure_features)
    free(ws.child_stats)
    reusable_free(ws.sort_values)
    reusable_free(ws.sort_rows)
    reusable_free(ws.scratch_keys)
    reusable_free(ws.scratch_rows)
    free(ws.scratch)
    free(ws.feature_splits)
    free(ws.feature_uniforms)
    free(ws.feature_constant)
    free(ws.features)
    free(ws.initial_features)
    free(ws.frontier)
    free(ws.free_histograms)
    free(ws.owned_gradients)
    free(ws.owned_hessians)
    free(ws.owned_squares)
    free(ws.target_ranks)
    free(ws.sorted_targets)
    free(ws.target_buffer)
    free(ws.fenwick)
    free(ws.node_offsets)
    free(ws.node_cursor)
    free(ws.node_rows)
    free(ws.node_values)

