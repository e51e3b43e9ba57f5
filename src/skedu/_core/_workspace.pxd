from libc.stdint cimport int32_t, uint32_t, uint64_t
from ._absolute_error cimport YRow
from ._types cimport intp_t, CountBounds, Node, GrowData, GrowParams, SplitRecord, TreeArrays


# Histogram groups (``group_histograms``): a pass over a node's rows fills at most this many
# bytes of histograms; features of more entries are built from their columns, at most
# COLUMN_GROUP in one pass, where their histograms stay in the L1 cache.
cdef enum:
    HISTOGRAM_GROUP_BYTES = 16384
    COLUMN_MIN_ENTRIES = 64
    COLUMN_GROUP = 4

# A node's gathered gradients and hessians are summed by chunks of this many rows, the chunks'
# sums then added in order (``_node_split.gather_statistics``): the same totals whether one
# thread gathers the chunks or several. A batch (``_grower.split_batch``) holds at most
# MAX_BATCH nodes.
cdef enum:
    GATHER_CHUNK = 8192
    MAX_BATCH = 32


# A node waiting to be split: its best split is known, its histogram kept (hist splitter).
cdef struct PendingNode:
    intp_t node_id
    intp_t start
    intp_t end
    int depth
    SplitRecord split
    double* histogram
    intp_t constant_slot        # its known-constant features' bits in constant_pool
    bint values_kept            # its split feature's values are in kept_values[start:end]



# Everything one tree's growth owns; trees grown in parallel each have their own.
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
    double* ordered_stats           # [n_rows, n_channels + 1]: a node's gradients, hessian
    # Exact and random splitters on dense X (NULL otherwise): the rows' statistics in the
    # order of ``samples``, gathered once for the root and moved with the rows by every
    # partition, so that a node's searches read them by position from [start, end).
    double* gathered_gradients      # [n_rows, n_channels], NULL when labels are given
    double* gathered_hessians       # [n_rows]
    intp_t* gathered_labels         # [n_rows, n_outputs] when labels are given, else NULL
    double* right_gradients         # the partition's right-hand buffers for them
    double* right_hessians
    intp_t* right_labels
    bint unit_hessians              # every gathered hessian is 1
    # Large boosted trees whose rows' hessians are all positive: the dense features'
    # histograms leave their row counts out, which the split searches bound from the hessians;
    # set by the root's gather (``_grower.bound_counts``).
    CountBounds count_bounds
    unsigned char* listed_feature   # [n_features]: read from the sparse lists (exact counts)
    intp_t* unsure_features         # [n_features]: a node's features to count the rows of
    # Random splitter on dense X (NULL otherwise): the values of each searched node's best
    # feature so far at the node's positions [start, end), which its partition reads instead
    # of the column.
    float* kept_values              # [n_rows]
    intp_t kept_feature             # the feature whose values the last search kept, or -1
    unsigned char* row_sides        # [n_rows]: the partition's side of each row of a node
    # Features known to be constant in a node (bit f of words of n_constant_words uint64):
    # constant in a node, constant in its children, so the children skip them at no cost
    # (scikit-learn's n_constant_features). Exact and random splitters on dense X only
    # (n_constant_words 0 otherwise).
    intp_t n_constant_words
    uint64_t* node_constant         # [n_constant_words]: the node being searched
    uint64_t* parent_constant       # [n_constant_words]: its parent's
    uint64_t* constant_pool         # [frontier_capacity, n_constant_words]: pending nodes'
    intp_t* free_slots              # [frontier_capacity]: unused slots of constant_pool
    intp_t n_free_slots
    float* sort_values              # [n_threads, n_rows]
    intp_t* sort_rows               # [n_threads, n_rows]
    uint32_t* scratch_keys          # [n_threads, n_rows]: the radix sort's other buffers
    intp_t* scratch_rows            # [n_threads, n_rows]
    double* scratch                 # [n_threads, scratch_stride]
    intp_t scratch_stride           # 4 * n_channels rounded up, plus a cache line of padding
    SplitRecord* feature_splits     # [n_features]
    double* feature_uniforms        # [n_features]: random splitter's draws for this node
    unsigned char* feature_constant # [n_features]
    intp_t* features                # the tree's features, partially shuffled per node
    intp_t* initial_features        # [n_tree_features]: the tree's features as given
    intp_t n_tree_features
    uint64_t rng
    # Depth-wise boosted trees (``_grower.grow_tree``): each node draws its feature order from
    # a stream of its own, seeded by the tree's seed and the node's rows' positions (offset by
    # row_offset in a subtree's workspace), so that a node's split does not depend on which
    # nodes were searched before it: the tree is the same whichever thread grows which part.
    bint node_draws
    uint64_t seed
    intp_t row_offset
    double required_gain
    double gain_scale               # raw gain to required_gain's unit (_criterion.pxd)
    bint best_first
    intp_t histogram_size           # doubles in one node's histograms
    intp_t* histogram_offsets       # [n_features + 1]: first entry of each feature's bins
    # Histograms of the features not read as sparse ("dense": every feature without a sparse
    # layout), in groups built in one pass over the node's rows (``_node_split.pyx``).
    intp_t n_dense
    intp_t* dense_features          # [n_dense]
    intp_t* dense_offsets           # [n_dense]: their histogram_offsets
    intp_t* dense_n_bins            # [n_dense]: their n_bins_non_missing
    intp_t histogram_width          # additions per row of a node's histograms (about)
    intp_t n_groups
    intp_t* group_starts            # [n_groups + 1]: positions in dense_features
    double* node_totals             # [n_channels + 1]: a node's ordered_stats summed
    double* chunk_sums              # [max_gather_chunks, n_channels + 1]: the gathers' chunks'
    double* chunk_extremes          # [max_gather_chunks, 2]: their smallest and largest hessian
    bint root_gathered              # the root's statistics are in ordered_stats (boosting)
    bint root_in_order              # the root's rows are 0 .. n_samples - 1, in order (every
                                    # row grows the tree), while the root is searched
    # Quantised boosting, one channel, binned dense X: ordered_stats holds each row's gradient
    # and hessian as one packed integer (``_histogram.build_packed_histograms``), the n-th row
    # of a gather at ``(uint64_t*)base + n``.
    bint packed_stats
    double* child_stats             # [2, n_channels + 2]: a split's children's sums (_grower)
    double** free_histograms
    intp_t n_free_histograms
    PendingNode* frontier
    intp_t n_frontier
    intp_t frontier_capacity
    int32_t* leaves                 # [n_samples] or NULL: each row's leaf, written at the end
    # Large trees with threads: each leaf's (node, start, end), its rows' leaves written in
    # parallel once the tree is grown; NULL: written as each leaf is found.
    intp_t* leaf_ranges
    intp_t n_leaf_ranges
    intp_t leaf_ranges_capacity
    # Absolute error only (else NULL): each row's target rank in its node, the nodes' sorted
    # targets (node slot start:end of each output's n_rows), a sort buffer, a Fenwick tree.
    intp_t* target_ranks            # [n_samples, n_outputs]
    double* sorted_targets          # [n_outputs, n_rows]
    YRow* target_buffer             # [n_rows]
    double* fenwick                 # [2 * (n_rows + 1)]
    double* node_bounds             # monotonic constraints: [capacity, 2] value bounds, or NULL
    intp_t bounds_capacity
    # Sparse data only (NULL otherwise): the stored entries of the node being searched,
    # grouped by feature (see _sparse_split.pyx).
    intp_t* node_offsets            # [n_features + 1]: feature f's entries start here
    intp_t* node_cursor             # [n_features]
    intp_t* node_rows               # [n_stored]
    float* node_values              # [n_stored]: values, or bins (hist)
    bint failed



cdef bint init_workspace(Workspace* ws, const GrowData* data, const GrowParams* params,
                         const intp_t* rows, intp_t n_rows, const double* row_weights,
                         const intp_t* features, intp_t n_tree_features,
                         uint64_t seed) noexcept nogil
cdef void free_workspace(Workspace* ws) noexcept nogil
cdef void empty_tree(TreeArrays* tree) noexcept nogil
cdef intp_t new_node(TreeArrays* tree, intp_t n_channels) noexcept nogil
cdef double* acquire_histogram(Workspace* ws) noexcept nogil
cdef void release_histogram(Workspace* ws, double* histogram) noexcept nogil
cdef bint push_pending(Workspace* ws, PendingNode* pending) noexcept nogil
cdef void release_constant_slot(Workspace* ws, const PendingNode* pending) noexcept nogil
cdef PendingNode pop_pending(Workspace* ws) noexcept nogil


cdef bint feature_built_by_column(const GrowData* data, intp_t n_entries) noexcept nogil
