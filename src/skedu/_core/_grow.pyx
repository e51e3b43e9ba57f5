"""Python entry point of the grower: grow one or many trees on shared data (``_grower``),
several in ``prange`` over trees, and hand them to Python as numpy arrays.
"""

import numpy as np

from cython.parallel import prange
from libc.stdint cimport int8_t, int32_t, uint32_t, uint64_t
from libc.stdlib cimport free, malloc
from libc.string cimport memcpy

from ._grower cimport grow_tree
from ._workspace cimport empty_tree
from ._types cimport (ENTROPY, GINI, HIST, SECOND_ORDER, BIN_DTYPE_C, X_DTYPE_C, GrowData,
                      GrowParams, Node, TreeArrays, intp_t)

from ._tree import NODE_DTYPE


cdef object tree_arrays_to_numpy(TreeArrays* tree, intp_t n_channels, bint single_values):
    """Copy a grown tree into (nodes, values) numpy arrays and free the C arrays; values as
    float32 with ``single_values`` (class fractions: many classes make the values the largest
    array of a fit, and one float64 copy less lowers its peak)."""
    cdef intp_t i
    nodes = np.empty(tree.n_nodes, dtype=NODE_DTYPE)
    values = np.empty((tree.n_nodes, n_channels), dtype=np.float32 if single_values else np.float64)
    cdef Node[::1] nodes_view = nodes
    cdef double[:, ::1] values_view
    cdef float[:, ::1] single_view
    if tree.n_nodes > 0:
        memcpy(&nodes_view[0], tree.nodes, tree.n_nodes * sizeof(Node))
        if single_values:
            single_view = values
            for i in range(tree.n_nodes * n_channels):
                (&single_view[0, 0])[i] = <float>tree.values[i]
        else:
            values_view = values
            memcpy(&values_view[0, 0], tree.values, tree.n_nodes * n_channels * sizeof(double))
    free(tree.nodes)
    free(tree.values)
    tree.nodes = NULL
    tree.values = NULL
    return nodes, values


cdef const double* pointer_or_null(const double[::1] values):
    return &values[0] if values is not None and values.shape[0] > 0 else NULL


# Rows of a block ``split_channels`` copies every channel of at once (a block of a 10-class
# problem's gradients and hessians is 80 kB).
cdef intp_t SPLIT_BLOCK_ROWS = 512
# A tree has fewer than 2 * n_samples nodes: their ids fit the leaves' int32 below this.
cdef intp_t MAX_LEAF_ROWS = 1 << 30


def split_channels(const double[:, :] gradients, hessians, const intp_t[::1] wanted,
                   int n_threads, out=None):
    """Each wanted channel's gradients (as an (n, 1) array) and hessians (the shared 1-D
    hessians, or the channel's column), contiguous: a channel per thread (a column of row-major
    (n, K) arrays is a strided read; multi-class boosting copies K of each every round).
    ``out``: the (n_wanted, n, 1) and (n_wanted, n) arrays to copy to, or None."""
    cdef intp_t n = gradients.shape[0], n_wanted = wanted.shape[0], c, i, k
    cdef bint shared = hessians.ndim == 1
    cdef const double[:, :] hessian_view = hessians if not shared else hessians[:, None]
    if (out is not None and out[0].shape == (n_wanted, n, 1)
            and (shared or out[1].shape == (n_wanted, n))):
        out_gradients, out_hessians = out[0], (None if shared else out[1])
    else:
        out_gradients = np.empty((n_wanted, n, 1))
        out_hessians = np.empty((n_wanted, n)) if not shared else None
    cdef double[:, :, ::1] g_out = out_gradients
    cdef double[:, ::1] h_out = out_hessians if not shared else np.empty((1, 1))
    cdef intp_t block, first, last, n_blocks = (n + SPLIT_BLOCK_ROWS - 1) // SPLIT_BLOCK_ROWS
    with nogil:
        # By blocks of rows, every channel of a block copied while its rows are cached: a
        # channel at a time read all of the (n, K) arrays' cache lines for each channel.
        for block in prange(n_blocks, schedule='static', num_threads=max(n_threads, 1),
                            use_threads_if=n_threads > 1 and n * n_wanted >= 65536):
            first = block * SPLIT_BLOCK_ROWS
            last = min(first + SPLIT_BLOCK_ROWS, n)
            for c in range(n_wanted):
                k = wanted[c]
                for i in range(first, last):
                    g_out[c, i, 0] = gradients[i, k]
                if not shared:
                    for i in range(first, last):
                        h_out[c, i] = hessian_view[i, k]
    return {int(wanted[c]): (out_gradients[c], hessians if shared else out_hessians[c])
            for c in range(n_wanted)}


def grow_trees(*, int criterion, int splitter, const double[:, ::1] gradients, hessians,
               const intp_t[:, ::1] labels=None, intp_t n_channels=0,
               const double[::1] squares, const X_DTYPE_C[:, ::1] feature_values,
               const BIN_DTYPE_C[:, ::1] binned, const X_DTYPE_C[:, ::1] row_values=None,
               const BIN_DTYPE_C[:, ::1] binned_rows=None, const double[:, ::1] bin_thresholds,
               const BIN_DTYPE_C[:, ::1] dense_rows=None, const intp_t[::1] dense_features=None,
               const intp_t[::1] sparse_features=None, const intp_t[::1] sparse_default_slots=None,
               const intp_t[::1] sparse_row_starts=None, const uint32_t[::1] sparse_entries=None,
               const intp_t[::1] n_bins_non_missing, list rows_per_tree,
               list row_weights_per_tree, const uint64_t[::1] seeds,
               const intp_t[::1] channels=None, list features_per_tree=None,
               intp_t max_depth, intp_t min_samples_split, intp_t min_samples_leaf,
               double min_weight_leaf, double min_impurity_decrease, double min_split_gain,
               intp_t max_leaf_nodes, intp_t max_features, double l2_regularization,
               int n_threads, bint return_leaves=False, leaves_out=None,
               bint rows_cover_all=False, channels_out=None,
               const int8_t[::1] monotonic_cst=None,
               intp_t n_sparse_features=0, const intp_t[::1] csr_indptr=None,
               const int32_t[::1] csr_features=None, const X_DTYPE_C[::1] csr_values=None,
               const BIN_DTYPE_C[::1] csr_bins=None, const BIN_DTYPE_C[::1] zero_bins=None,
               bint single_values=False,
               const double[:, ::1] quantized_scales=None,
               const uint64_t[:, ::1] quantized_packed=None):
    """Grow one tree per entry of ``rows_per_tree``; trees in parallel when there are several.

    Parameters
    ----------
    gradients : ndarray of shape (n_samples, n_channels), float64, or None
        None when ``labels`` are given.
    hessians : ndarray of shape (n_samples,) or (n_samples, n_channels), float64
        Shared by every channel, or one per channel (then ``channels`` is given).
    labels : ndarray of shape (n_samples, n_outputs), intp, or None
        Classification (gini, entropy) without gradient rows: the channel of each row's class
        in each output (outputs' classes are consecutive channel blocks); a row adds its
        hessian (weight) to those channels.
    n_channels : int
        The number of channels when ``labels`` are given.
    squares : ndarray of shape (n_samples,) or None
        The regression impurity's row term (``sum_k w * y_k**2`` for squared error and
        Friedman's, ``sum_k w * y_k * log(y_k)`` for Poisson).
    feature_values : ndarray of shape (n_features, n_samples), float32, or None
        Raw values, feature-major (exact and random splitters).
    row_values, binned_rows : ndarrays of shape (n_samples, n_features) or None
        Optional row-major copies of the raw values / binned data: small nodes read them.
    binned, bin_thresholds, n_bins_non_missing : ndarrays or None
        Binned data (n_features, n_samples) uint8, the bins' upper edges (n_features, 255)
        and the number of non-missing bins per feature (hist splitter).
    dense_rows, dense_features, sparse_features, sparse_default_slots, sparse_row_starts, \
    sparse_entries : ndarrays or None
        Optional layout of the binned data for histograms (``skedu.tree._bin_layout``): the
        features whose rows mostly fall in one bin as lists of each row's other bins, the
        others row-major. None: every feature from ``binned_rows``.
    rows_per_tree : list of ndarray of intp
        Rows each tree is grown on (rows of zero weight left out).
    row_weights_per_tree : list of ndarray of float64 (or None entries), or None
        Per-tree multipliers of every row's statistics (bootstrap counts).
    seeds : ndarray of uint64
        One random stream per tree.
    channels : ndarray of shape (n_trees,), intp, or None
        Tree ``t`` grows on channel ``channels[t]`` alone (its own hessian column when
        ``hessians`` is 2-d); None: every tree on every channel.
    features_per_tree : list of (ndarray of intp or None), or None
        Features each tree may split on.
    return_leaves : bool
        Also return each training row's leaf per tree.
    leaves_out : ndarray of shape (n_trees, n_samples), int32, or None
        Where to write the leaves (a buffer reused across boosting rounds).
    rows_cover_all : bool
        Every tree's rows are all the samples, each once, in order (``0 .. n_samples - 1``):
        every entry of the leaves is written, none needs its -1 first (a pass over the
        leaves saved each round), and the root's histograms read the rows without their
        indices.
    channels_out : tuple of two ndarrays or None
        Arrays of shapes (n_channels, n_samples, 1) and (n_channels, n_samples) that
        ``split_channels`` copies the channels to (reused across rounds), or None.
    monotonic_cst : ndarray of shape (n_features,), int8, or None
        Per feature -1, 0 or +1: channel 0's value must decrease, may do anything, or must
        increase along the feature (scikit-learn's ``monotonic_cst``; classifiers pass the
        constraint on class 0's fraction). None: no constraint.

    n_sparse_features, csr_indptr, csr_features, csr_values, csr_bins, zero_bins
        Sparse data instead of ``feature_values`` / ``binned`` (``csr_indptr`` given): the
        stored non-zero values (exact and random) or their bins (hist) as CSR rows of
        ``n_sparse_features`` features, features ascending, no explicit zeros (indptr intp,
        features int32), and each feature's bin of 0 (hist).
    single_values : bool
        Return the values as float32 (no float64 copy).
    quantized_scales, quantized_packed : ndarrays of shapes (n_channels, 2) and
        (n_channels, n_samples), or None
        Second-order trees on quantised statistics (``_boosting.quantize_gradients``): each
        channel's gradient and hessian scales (powers of two every row's gradient and hessian
        are integer multiples of) and its rows' packed integers. Large trees then build their
        histograms on the packed integers: the same sums, faster.

    Returns
    -------
    trees : list of (nodes, values)
        ``nodes`` a NODE_DTYPE array, ``values`` of shape (n_nodes, n_tree_channels).
    leaves : ndarray of shape (n_trees, n_samples), int32, or None
        The leaf (local node id) of every row a tree was grown on, -1 elsewhere. int32: the
        rows' scattered writes touch half the cache lines of intp ones (500k rows: 2.0 ->
        1.3 ms a tree on one thread).
    """
    cdef intp_t n_trees = len(rows_per_tree), t
    cdef GrowData shared
    cdef GrowParams params
    cdef GrowParams per_tree_params
    cdef GrowData* data = NULL
    cdef const intp_t** rows_pointers = NULL
    cdef intp_t* n_rows = NULL
    cdef const double** weight_pointers = NULL
    cdef const intp_t** feature_pointers = NULL
    cdef intp_t* n_features = NULL
    cdef int32_t** leaf_pointers = NULL
    cdef TreeArrays* trees = NULL
    cdef int* status = NULL
    cdef const intp_t[::1] index_view
    cdef const double[::1] weights_view
    cdef const double[:, ::1] channel_gradients
    cdef const double[::1] channel_hessians
    cdef int32_t[:, ::1] leaves_view
    cdef bint failed = False

    hessians = np.asarray(hessians, dtype=np.float64)
    if hessians.ndim == 2 and channels is None:
        raise ValueError("per-channel hessians need a channel per tree")
    if labels is not None:
        if channels is not None or gradients is not None or criterion not in (GINI, ENTROPY):
            raise ValueError("labels are for gini and entropy trees without gradients")
        if csr_indptr is not None or monotonic_cst is not None:
            raise ValueError("labels need dense data and no monotonic constraint (the sparse "
                             "search and the monotonic rule read weight channels)")
        if n_channels <= 0 or np.any(np.asarray(labels) < 0) or np.any(np.asarray(labels) >= n_channels):
            raise ValueError("labels must be channel indices below n_channels")
        shared.n_samples = labels.shape[0]
        shared.n_channels = n_channels
        shared.gradients = NULL
        shared.labels = &labels[0, 0] if labels.shape[0] > 0 else NULL
        params.n_outputs = labels.shape[1]
    else:
        shared.n_samples = gradients.shape[0]
        shared.n_channels = gradients.shape[1]
        shared.gradients = &gradients[0, 0]
        shared.labels = NULL
        # One-hot classification rows: one output; regression: one output per channel.
        params.n_outputs = 1 if criterion in (GINI, ENTROPY) or channels is not None else gradients.shape[1]
    shared.squares = &squares[0] if squares is not None else NULL
    shared.n_sparse = 0
    shared.n_dense = 0
    shared.sparse_features = NULL
    shared.sparse_default_slots = NULL
    shared.sparse_row_starts = NULL
    shared.sparse_entries = NULL
    shared.dense_features = NULL
    shared.dense_rows = NULL
    if hessians.ndim == 1:
        channel_hessians = hessians
        shared.hessians = &channel_hessians[0]
    shared.gradient_scale = 0.0
    shared.hessian_scale = 0.0
    shared.packed_statistics = NULL
    if quantized_scales is not None:
        if (quantized_scales.shape[0] != gradients.shape[1] or quantized_scales.shape[1] != 2
                or quantized_packed is None
                or quantized_packed.shape[0] != gradients.shape[1]
                or quantized_packed.shape[1] != gradients.shape[0]
                or criterion != SECOND_ORDER):
            raise ValueError("quantized_scales and quantized_packed are second-order trees' "
                             "(gradient, hessian) scales and packed rows, one row per channel")
        if gradients.shape[1] == 1:
            shared.gradient_scale = quantized_scales[0, 0]
            shared.hessian_scale = quantized_scales[0, 1]
            if gradients.shape[0] > 0:
                shared.packed_statistics = &quantized_packed[0, 0]
    shared.csr_indptr = NULL
    shared.csr_features = NULL
    shared.csr_values = NULL
    shared.csr_bins = NULL
    shared.zero_bins = NULL
    if csr_indptr is not None:
        if csr_indptr.shape[0] != shared.n_samples + 1:
            raise ValueError("sparse data need one CSR row per sample")
        shared.n_features = n_sparse_features
        shared.csr_indptr = &csr_indptr[0]
        shared.feature_values = NULL
        shared.row_values = NULL
        shared.binned = NULL
        shared.binned_rows = NULL
        shared.bin_thresholds = NULL
        shared.n_bins_non_missing = NULL
        if csr_features.shape[0] > 0:
            shared.csr_features = &csr_features[0]
        if splitter == HIST:
            shared.bin_thresholds = &bin_thresholds[0, 0]
            shared.n_bins_non_missing = &n_bins_non_missing[0]
            shared.zero_bins = &zero_bins[0]
            if csr_bins.shape[0] > 0:
                shared.csr_bins = &csr_bins[0]
        elif csr_values.shape[0] > 0:
            shared.csr_values = &csr_values[0]
    elif splitter == HIST:
        shared.n_features = binned.shape[0]
        shared.binned = &binned[0, 0]
        shared.bin_thresholds = &bin_thresholds[0, 0]
        shared.n_bins_non_missing = &n_bins_non_missing[0]
        shared.binned_rows = &binned_rows[0, 0] if binned_rows is not None else NULL
        shared.feature_values = NULL
        shared.row_values = NULL
        if sparse_features is not None and sparse_features.shape[0] > 0:
            shared.n_sparse = sparse_features.shape[0]
            shared.sparse_features = &sparse_features[0]
            shared.sparse_default_slots = &sparse_default_slots[0]
            shared.sparse_row_starts = &sparse_row_starts[0]
            shared.sparse_entries = &sparse_entries[0] if sparse_entries.shape[0] > 0 else NULL
            shared.n_dense = dense_features.shape[0]
            if shared.n_dense > 0:
                shared.dense_features = &dense_features[0]
                shared.dense_rows = &dense_rows[0, 0]
    else:
        shared.n_features = feature_values.shape[0]
        shared.feature_values = &feature_values[0, 0]
        shared.row_values = &row_values[0, 0] if row_values is not None else NULL
        shared.binned = NULL
        shared.binned_rows = NULL
        shared.bin_thresholds = NULL
        shared.n_bins_non_missing = NULL

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
    params.monotonic_cst = NULL
    if monotonic_cst is not None:
        if monotonic_cst.shape[0] != shared.n_features:
            raise ValueError("monotonic_cst needs one entry per feature")
        params.monotonic_cst = &monotonic_cst[0]
    # Several trees: one thread per tree, trees in parallel.
    per_tree_params = params
    per_tree_params.n_threads = 1

    leaves = None
    if return_leaves:
        if shared.n_samples >= MAX_LEAF_ROWS:
            raise ValueError(f"return_leaves needs fewer than {MAX_LEAF_ROWS} samples (int32 "
                             "node ids).")
        if (leaves_out is not None and leaves_out.shape == (n_trees, shared.n_samples)
                and leaves_out.dtype == np.int32):
            leaves = leaves_out
            if not rows_cover_all:
                leaves.fill(-1)
        else:
            leaves = np.full((n_trees, shared.n_samples), -1, dtype=np.int32)
        leaves_view = leaves
    keep_alive = []
    channel_arrays = {}
    try:
        data = <GrowData*>malloc(n_trees * sizeof(GrowData))
        rows_pointers = <const intp_t**>malloc(n_trees * sizeof(intp_t*))
        n_rows = <intp_t*>malloc(n_trees * sizeof(intp_t))
        weight_pointers = <const double**>malloc(n_trees * sizeof(double*))
        feature_pointers = <const intp_t**>malloc(n_trees * sizeof(intp_t*))
        n_features = <intp_t*>malloc(n_trees * sizeof(intp_t))
        leaf_pointers = <int32_t**>malloc(n_trees * sizeof(int32_t*))
        trees = <TreeArrays*>malloc(n_trees * sizeof(TreeArrays))
        status = <int*>malloc(n_trees * sizeof(int))
        if (data == NULL or rows_pointers == NULL or n_rows == NULL or weight_pointers == NULL
                or feature_pointers == NULL or n_features == NULL or leaf_pointers == NULL
                or trees == NULL or status == NULL):
            raise MemoryError()
        for t in range(n_trees):
            empty_tree(&trees[t])
        for t in range(n_trees):
            data[t] = shared
            if channels is not None:
                # A channel's gradients and hessians, contiguous, shared by its trees.
                if not channel_arrays:
                    channel_arrays = split_channels(np.asarray(gradients), hessians,
                                                    np.unique(np.asarray(channels)), n_threads,
                                                    channels_out)
                channel_gradients, channel_hessians = channel_arrays[channels[t]]
                data[t].n_channels = 1
                data[t].gradients = &channel_gradients[0, 0]
                data[t].hessians = &channel_hessians[0]
                if quantized_scales is not None:
                    data[t].gradient_scale = quantized_scales[channels[t], 0]
                    data[t].hessian_scale = quantized_scales[channels[t], 1]
                    data[t].packed_statistics = &quantized_packed[channels[t], 0]
            index_view = np.ascontiguousarray(rows_per_tree[t], dtype=np.intp)
            keep_alive.append(index_view)
            n_rows[t] = index_view.shape[0]
            rows_pointers[t] = &index_view[0] if index_view.shape[0] > 0 else NULL
            weight_pointers[t] = NULL
            if row_weights_per_tree is not None and row_weights_per_tree[t] is not None:
                weights_view = np.ascontiguousarray(row_weights_per_tree[t], dtype=np.float64)
                keep_alive.append(weights_view)
                weight_pointers[t] = pointer_or_null(weights_view)
            feature_pointers[t] = NULL
            n_features[t] = shared.n_features
            if features_per_tree is not None and features_per_tree[t] is not None:
                index_view = np.ascontiguousarray(features_per_tree[t], dtype=np.intp)
                if index_view.shape[0] == 0:
                    raise ValueError("every tree needs at least one feature")
                keep_alive.append(index_view)
                feature_pointers[t] = &index_view[0]
                n_features[t] = index_view.shape[0]
            leaf_pointers[t] = &leaves_view[t, 0] if return_leaves else NULL
            data[t].rows_in_order = rows_cover_all
        with nogil:
            if n_trees == 1:
                status[0] = grow_tree(&data[0], &params, rows_pointers[0], n_rows[0],
                                      weight_pointers[0], feature_pointers[0], n_features[0],
                                      seeds[0], leaf_pointers[0], &trees[0])
            else:
                for t in prange(n_trees, schedule='dynamic', num_threads=max(n_threads, 1)):
                    status[t] = grow_tree(&data[t], &per_tree_params, rows_pointers[t], n_rows[t],
                                          weight_pointers[t], feature_pointers[t], n_features[t],
                                          seeds[t], leaf_pointers[t], &trees[t])
        results = []
        for t in range(n_trees):
            failed = failed or status[t] != 0
            results.append(tree_arrays_to_numpy(&trees[t], data[t].n_channels, single_values))
        if failed:
            raise MemoryError("not enough memory to grow the tree")
        return results, leaves
    finally:
        if trees != NULL:
            for t in range(n_trees):
                free(trees[t].nodes)
                free(trees[t].values)
        free(data)
        free(rows_pointers)
        free(n_rows)
        free(weight_pointers)
        free(feature_pointers)
        free(n_features)
        free(leaf_pointers)
        free(trees)
        free(status)
