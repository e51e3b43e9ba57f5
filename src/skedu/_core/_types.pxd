# Typedefs, codes and packed structs of the tree engine, in one place.
#
# The codes are ``cpdef enum``s: kernels use them as C constants and Python imports the same
# enums from ``skedu._core._types`` (never copies of the numbers).
#
# Binned data are uint8 (255 non-missing bins + one missing bin), raw feature values float32 (as
# in scikit-learn's trees: thresholds are midpoints of float32 values), every gradient, hessian and
# sum float64. ``Node`` is the grower's working node, mirrored by ``NODE_DTYPE`` in ``_tree.pyx``;
# fitted models store the compact ``TreeNode`` (``TREE_NODE_DTYPE``) that prediction reads.

from libc.stdint cimport int8_t, uint8_t, int32_t, uint32_t, uint64_t

ctypedef Py_ssize_t intp_t
ctypedef float X_DTYPE_C
ctypedef uint8_t BIN_DTYPE_C

# Kernels that take float32 or float64 input without copying it to one dtype.
ctypedef fused floating:
    float
    double

# Bin index of missing values; non-missing values use bins 0 .. n_bins_non_missing - 1 <= 254.
cdef enum:
    MISSING_BIN = 255
    N_BINS = 256
    LEAF = -1

# Split scores (see _criterion.pxd).
cpdef enum Criterion:
    GINI = 0
    ENTROPY = 1
    SQUARED_ERROR = 2
    SECOND_ORDER = 3
    FRIEDMAN_MSE = 4
    POISSON = 5
    ABSOLUTE_ERROR = 6

# Split searches: sorted values, histograms of binned values, one random threshold per feature.
cpdef enum Splitter:
    EXACT = 0
    HIST = 1
    RANDOM = 2

# AdaBoost.R2's per-row losses, errors scaled to [0, 1] by the round's largest error.
cpdef enum BoostingLoss:
    LINEAR = 0
    SQUARE = 1
    EXPONENTIAL = 2

cdef packed struct Node:
    intp_t left_child          # LEAF (-1) for a leaf
    intp_t right_child
    intp_t feature
    double threshold           # go left when value <= threshold
    double impurity
    intp_t n_node_samples
    double weighted_n_node_samples   # sum of hessians (sample weights for CART)
    double gain                # score(left) + score(right) - score(node), 0 for leaves
    int32_t depth
    uint8_t missing_go_left
    uint8_t bin_threshold      # hist splitter: go left when bin <= bin_threshold

# A node as fitted models store it (``TREE_NODE_DTYPE`` in ``_tree.pyx``): 30 bytes against the
# grower's 75-byte ``Node``. Children are local to their tree; ``threshold`` is the largest float32
# not above the grower's float64 threshold, so that ``x <= threshold`` gives the same answer for
# every float32 ``x``. Depths and gains are not stored: a walk recomputes depths, and gains follow
# from impurities (``FlatTree.split_gains``).
cdef packed struct TreeNode:
    int32_t left_child         # LEAF (-1) for a leaf
    int32_t right_child
    int32_t feature
    float threshold            # go left when value <= threshold
    uint8_t flags              # bit 0 (MISSING_GO_LEFT): missing values go left
    uint8_t bin_threshold      # binned data: go left when bin <= bin_threshold
    float impurity             # reporting and pruning only
    int32_t n_node_samples
    float weighted_n_node_samples

cdef enum:
    MISSING_GO_LEFT = 1


cdef struct SplitRecord:
    intp_t feature
    double threshold
    double gain
    intp_t n_left               # -1 when unknown (hessian-bounded counts)
    uint8_t bin_threshold
    uint8_t missing_go_left
    # The node has no missing value of the feature: unseen ones follow the side with more
    # rows, known once the node is partitioned (hessian-bounded counts, see SplitContext).
    uint8_t missing_by_majority
    bint found
    # Hessian-bounded counts: the largest gain of the candidates whose row counts the bounds
    # left undecided (-inf: none); the feature's rows are counted when it may win.
    double unsure_gain

# Hessian-bounded counts (``_split.pyx: bounded_second_order_split``): when active, the dense
# histograms hold no row counts. Every row's hessian lies in [min_row_hessian,
# max_row_hessian], min_row_hessian > 0, so a side of hessian H has between H / max_row_hessian
# and H / min_row_hessian rows; an entry's rounding error is below hessian_noise, which a bin
# with a row exceeds (its hessian is at least min_row_hessian).
cdef struct CountBounds:
    bint active
    double min_row_hessian
    double max_row_hessian
    double hessian_noise

# What one split search needs to know about its node and the growth limits.
cdef struct SplitContext:
    intp_t n_channels
    intp_t n_outputs            # channels are n_outputs groups of classes (or one per target)
    const intp_t* labels        # [n_samples, n_outputs] channel of each row's class, or NULL
    const intp_t* ranks         # absolute error: [n_samples, n_outputs] rank of each row's
    const double* sorted_y      # target in its node, and the node's sorted targets (output o
    intp_t sorted_stride        # at sorted_y + o * sorted_stride)
    int criterion
    double l2_regularization
    intp_t min_samples_leaf
    double min_weight_leaf
    const double* node_sums     # [n_channels]
    double node_hessian
    intp_t node_count
    double node_score           # side_score of the whole node
    double perfect_gain         # no split gains more (both children pure); inf when unknown
    bint unit_hessians          # every row's hessian is 1 (unweighted rows): counts are sums
    # Monotonic constraints (NULL: none): per feature -1/0/+1 on channel 0's leaf value; a
    # split of a constrained feature must order its children's values and keep both within
    # the node's bounds (scikit-learn's rule, ``_split.pxd`` ``respects_monotonicity``).
    const int8_t* monotonic_cst
    double lower_bound
    double upper_bound
    CountBounds count_bounds


# Growth limits of the trees of one fit.
cdef struct GrowParams:
    int criterion
    intp_t n_outputs                # targets (classification: outputs, each a group of channels)
    int splitter
    intp_t max_depth                # < 0: unlimited
    intp_t min_samples_split
    intp_t min_samples_leaf
    double min_weight_leaf          # CART: min weighted samples; boosting: min_child_weight
    double min_impurity_decrease    # CART: per unit of root weight, as in scikit-learn
    double min_split_gain           # boosting: gamma, in gain units
    intp_t max_leaf_nodes           # <= 0: depth-first without a limit; else best-first
    intp_t max_features             # features drawn per split, among the tree's features
    double l2_regularization
    int n_threads
    const int8_t* monotonic_cst     # [n_features] -1/0/+1 on channel 0's value, or NULL

# One tree's view of the training data: the data are shared read-only by every tree, the
# statistics (gradient channels, hessian) may be the tree's own.
cdef struct GrowData:
    intp_t n_samples
    intp_t n_features
    intp_t n_channels
    const X_DTYPE_C* feature_values     # exact: [n_features, n_samples]
    const X_DTYPE_C* row_values         # exact: [n_samples, n_features] or NULL
    const BIN_DTYPE_C* binned           # hist: [n_features, n_samples]
    const BIN_DTYPE_C* binned_rows      # hist: [n_samples, n_features] or NULL
    const double* bin_thresholds        # hist: [n_features, MISSING_BIN], +inf after the last
    const intp_t* n_bins_non_missing    # hist: [n_features]
    # hist, optional: features whose rows mostly fall in one bin ("sparse") are read from lists
    # of each row's other bins, the rest from a row-major copy of their own (``_bin_layout.py``)
    intp_t n_dense
    const BIN_DTYPE_C* dense_rows       # [n_samples, n_dense] or NULL
    const intp_t* dense_features        # [n_dense]
    intp_t n_sparse                     # 0: no sparse features, dense_* unused
    const intp_t* sparse_features       # [n_sparse]
    const intp_t* sparse_default_slots  # [n_sparse]: histogram slot of the most frequent bin
    const intp_t* sparse_row_starts     # [n_samples + 1]
    const uint32_t* sparse_entries      # packed-histogram entries of each row's other bins
    const double* gradients             # [n_samples, n_channels], NULL when labels are given
                                        # (absolute error: the targets themselves)
    const intp_t* labels                # [n_samples, n_outputs] or NULL: classification rows
                                        # carry their hessian (weight) in the channel of their
                                        # class, one per output, instead of a one-hot row
    const double* hessians              # [n_samples]
    bint rows_in_order                  # every tree's rows are 0 .. n_samples - 1, in order
    # Quantised boosting (``_boosting.quantize_gradients``), else 0: every gradient (hessian)
    # is an integer multiple of this power of two, so that every sum of them is exact.
    double gradient_scale
    double hessian_scale
    const uint64_t* packed_statistics   # [n_samples] or NULL: each row's quantised gradient
                                        # and hessian, packed (gradient * 2**32 + hessian)
    const double* squares               # [n_samples] or NULL: the regression impurity's row
                                        # term (squared error: sum_k w y_k^2; Poisson:
                                        # sum_k w y_k log y_k)
    # Sparse data (NULL when dense): the stored non-zero values row by row (CSR, features
    # ascending in each row); every other value is 0. Exact and random splitters read the
    # values, the hist splitter their bins and each feature's bin of 0.
    const intp_t* csr_indptr            # [n_samples + 1]
    const int32_t* csr_features         # [n_stored]
    const X_DTYPE_C* csr_values         # exact, random: [n_stored]
    const BIN_DTYPE_C* csr_bins         # hist: [n_stored]
    const BIN_DTYPE_C* zero_bins        # hist: [n_features]

# A tree as the grower leaves it: malloc'ed arrays owned by the caller.
cdef struct TreeArrays:
    Node* nodes
    double* values                      # [n_nodes, n_channels]
    intp_t n_nodes
    intp_t capacity
