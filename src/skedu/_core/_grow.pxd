from libc.stdint cimport uint64_t
from ._types cimport intp_t, Node, X_DTYPE_C, BIN_DTYPE_C

cdef struct GrowParams:
    int criterion
    int splitter
    intp_t max_depth                # < 0: unlimited
    intp_t min_samples_split
    intp_t min_samples_leaf
    double min_weight_leaf          # CART: min weighted samples; boosting: min_child_weight
    double min_impurity_decrease    # CART: per unit of root weight, as in scikit-learn
    double min_split_gain           # boosting: gamma, in gain units
    intp_t max_leaf_nodes           # <= 0: depth-first without a limit; else best-first
    intp_t max_features
    double l2_regularization
    int n_threads

# The training data, shared read-only by every tree grown on it.
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
    const double* gradients             # [n_samples, n_channels]
    const double* hessians              # [n_samples]
    const double* squares               # [n_samples] or NULL: sum_k w y_k^2 (squared error)

# A tree as the grower leaves it: malloc'ed arrays owned by the caller.
cdef struct TreeArrays:
    Node* nodes
    double* values                      # [n_nodes, n_channels]
    intp_t n_nodes
    intp_t capacity

cdef int grow_tree(const GrowData* data, const GrowParams* params, const intp_t* rows,
                   intp_t n_rows, const double* row_weights, uint64_t seed,
                   TreeArrays* tree) noexcept nogil
