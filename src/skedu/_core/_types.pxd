# Typedefs and packed structs of the tree engine, in one place.
#
# Binned data are uint8 (255 non-missing bins + one missing bin), raw feature values float32 (as
# in scikit-learn's trees: thresholds are midpoints of float32 values), every gradient, hessian and
# sum float64. ``Node`` is mirrored by ``NODE_DTYPE`` in ``skedu/tree/_flat_tree.py`` so that Python
# holds exactly the arrays the kernels write.

from libc.stdint cimport uint8_t, int32_t, uint64_t

ctypedef Py_ssize_t intp_t
ctypedef float X_DTYPE_C
ctypedef uint8_t BIN_DTYPE_C

# Bin index of missing values; non-missing values use bins 0 .. n_bins_non_missing - 1 <= 254.
cdef enum:
    MISSING_BIN = 255
    N_BINS = 256
    LEAF = -1

cdef enum Criterion:
    CRITERION_GINI = 0
    CRITERION_ENTROPY = 1
    CRITERION_SQUARED_ERROR = 2
    CRITERION_SECOND_ORDER = 3

cdef enum Splitter:
    SPLITTER_EXACT = 0
    SPLITTER_HIST = 1
    SPLITTER_RANDOM = 2

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

cdef struct SplitRecord:
    intp_t feature
    double threshold
    double gain
    intp_t n_left
    uint8_t bin_threshold
    uint8_t missing_go_left
    bint found

# What one split search needs to know about its node and the growth limits.
cdef struct SplitContext:
    intp_t n_channels
    int criterion
    double l2_regularization
    intp_t min_samples_leaf
    double min_weight_leaf
    const double* node_sums     # [n_channels]
    double node_hessian
    intp_t node_count
    double node_score           # side_score of the whole node
    double perfect_gain         # no split gains more (both children pure); inf when unknown
