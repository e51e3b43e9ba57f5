"""A trie of item sets, and the two uses of it after mining: ``transform`` and association rules.

The sets arrive as flat arrays (``items``, ``offsets``): set ``s`` is
``items[offsets[s]:offsets[s + 1]]``, items as non-negative ints in any order. The trie stores
each set as its items in ascending order; a node is the set spelled by the path from the root
(``set_of[node]``, or -1 for a prefix that is not itself one of the sets). The children of a node
are stored contiguously, by ascending item, so a child is found by binary search.

- :func:`contained_sets`: for every transaction (ascending items), the sets it contains, found by
  walking the trie along the transaction's items only. Work and memory follow the output: each
  step of the walk is a contained set (or a prefix of one), and the CSR result is sized by a
  first counting pass.
- :func:`candidate_rules`: for every set of two or more items, each split into an antecedent
  and a consequent, whose supports are looked up in the trie, and the rules whose metric reaches
  a threshold.

Rows (``contained_sets``) and sets (``candidate_rules``) are processed in parallel in fixed
chunks whose outputs are concatenated in order, so results do not depend on the thread count.
"""

from cython.parallel cimport prange, threadid
from libc.math cimport INFINITY, NAN
from libc.stdint cimport INT64_MAX, int32_t, int64_t, uint64_t
from libc.stdlib cimport calloc, free, malloc, qsort, realloc
from libc.string cimport memcpy

import numpy as np

ctypedef int32_t item_t
ctypedef int64_t node_t

# Metric codes of candidate_rules, in mlxtend's column order.
METRICS = (
    "antecedent support", "consequent support", "support", "confidence", "lift",
    "representativity", "leverage", "conviction", "zhangs_metric", "jaccard", "certainty",
    "kulczynski",
)
# Largest set that candidate_rules splits: its 2**size subsets' supports are held at once
# (128 MiB per thread at 24 items), and it gives 2**size - 2 rules.
MAX_RULE_SET_SIZE = 24


cdef struct Trie:
    node_t n_nodes          # root included (node 0)
    item_t* item            # (n_nodes,) item of each node, -1 at the root
    int64_t* set_of         # (n_nodes,) the set a node spells, -1 for none
    int32_t* depth          # (n_nodes,) number of items on the path
    node_t* child_start     # (n_nodes + 1,) children of v: child_start[v]:child_start[v + 1]
    node_t* children        # (n_nodes - 1,) child nodes, ascending item within a parent
    node_t* parent          # (n_nodes,) -1 at the root; nodes are numbered in preorder
    node_t* node_of_set     # (n_sets,)
    item_t* sorted_items    # the sets' items, ascending within each set (same offsets)


cdef void free_trie(Trie* trie) noexcept nogil:
    free(trie.item)
    free(trie.set_of)
    free(trie.depth)
    free(trie.child_start)
    free(trie.children)
    free(trie.parent)
    free(trie.node_of_set)
    free(trie.sorted_items)


cdef int compare_items(const void* a, const void* b) noexcept nogil:
    cdef item_t left = (<const item_t*>a)[0], right = (<const item_t*>b)[0]
    return (left > right) - (left < right)


cdef int sort_sets(const item_t* items, const int64_t[::1] offsets, int64_t* order,
                   int64_t* buffer, int64_t n, int64_t max_length, item_t max_item) noexcept nogil:
    """Set indices in lexicographic order of their (ascending) items, a prefix first.

    LSD radix sort: one stable counting sort per item position, from the last to the first,
    a set shorter than the position counting as smaller than every item. O(max_length *
    (n_sets + n_items)), no comparisons. Returns -1 when out of memory.
    """
    cdef int64_t* counts = <int64_t*>malloc((<int64_t>max_item + 3) * sizeof(int64_t))
    cdef int64_t d, r, s, key, total, c
    cdef int64_t* source = order
    cdef int64_t* target = buffer
    cdef int64_t* swap
    if counts == NULL:
        return -1
    for r in range(n):
        order[r] = r
    for d in range(max_length - 1, -1, -1):
        for key in range(max_item + 3):
            counts[key] = 0
        for r in range(n):
            s = source[r]
            key = items[offsets[s] + d] + 1 if offsets[s] + d < offsets[s + 1] else 0
            counts[key] += 1
        total = 0
        for key in range(max_item + 3):
            c = counts[key]
            counts[key] = total
            total += c
        for r in range(n):
            s = source[r]
            key = items[offsets[s] + d] + 1 if offsets[s] + d < offsets[s + 1] else 0
            target[counts[key]] = s
            counts[key] += 1
        swap = source
        source = target
        target = swap
    if source != order:
        memcpy(order, source, n * sizeof(int64_t))
    free(counts)
    return 0


cdef inline void sort_items(item_t* values, int64_t n) noexcept nogil:
    """Insertion sort for the short sets, qsort for long ones."""
    cdef int64_t i, j
    cdef item_t value
    if n > 32:
        qsort(values, n, sizeof(item_t), compare_items)
        return
    for i in range(1, n):
        value = values[i]
        j = i - 1
        while j >= 0 and values[j] > value:
            values[j + 1] = values[j]
            j -= 1
        values[j + 1] = value


cdef int build_trie(Trie* trie, const item_t[::1] items, const int64_t[::1] offsets,
                    int64_t* duplicate) noexcept nogil:
    """Fill ``trie``; 0 on success, -1 out of memory, -2 for a set given twice (``duplicate``)."""
    cdef int64_t n_sets = offsets.shape[0] - 1, n_entries = items.shape[0]
    cdef int64_t s, r, e, begin, length, common, previous = -1, previous_length = 0, d
    cdef int64_t* order = <int64_t*>malloc((n_sets + 1) * sizeof(int64_t))
    cdef int64_t* buffer = <int64_t*>malloc((n_sets + 1) * sizeof(int64_t))
    cdef node_t* path = NULL
    cdef node_t node, v
    cdef node_t* parent
    cdef int64_t max_length = 0
    cdef item_t max_item = 0
    cdef int status = 0
    trie.sorted_items = <item_t*>malloc((n_entries + 1) * sizeof(item_t))
    trie.item = <item_t*>malloc((n_entries + 1) * sizeof(item_t))
    trie.set_of = <int64_t*>malloc((n_entries + 1) * sizeof(int64_t))
    trie.depth = <int32_t*>malloc((n_entries + 1) * sizeof(int32_t))
    trie.node_of_set = <node_t*>malloc((n_sets + 1) * sizeof(node_t))
    trie.parent = <node_t*>malloc((n_entries + 1) * sizeof(node_t))
    parent = trie.parent
    if (order == NULL or buffer == NULL or trie.sorted_items == NULL or trie.item == NULL
            or trie.set_of == NULL or trie.depth == NULL or trie.node_of_set == NULL
            or parent == NULL):
        status = -1
    if status == 0:
        if n_entries > 0:
            memcpy(trie.sorted_items, &items[0], n_entries * sizeof(item_t))
        for s in range(n_sets):
            length = offsets[s + 1] - offsets[s]
            max_length = max(max_length, length)
            if length > 1:
                sort_items(trie.sorted_items + offsets[s], length)
        for e in range(n_entries):
            max_item = max(max_item, trie.sorted_items[e])
        path = <node_t*>malloc((max_length + 1) * sizeof(node_t))
        if path == NULL or sort_sets(trie.sorted_items, offsets, order, buffer, n_sets,
                                     max_length, max_item):
            status = -1
    if status == 0:
        # In lexicographic order a set shares with the trie built so far exactly its common
        # prefix with the previous set: no child lookup is needed while inserting.
        trie.n_nodes = 1
        trie.item[0] = -1
        trie.set_of[0] = -1
        trie.depth[0] = 0
        parent[0] = -1
        for r in range(n_sets):
            s = order[r]
            begin = offsets[s]
            length = offsets[s + 1] - begin
            common = 0
            if previous >= 0:
                while (common < length and common < previous_length
                       and trie.sorted_items[begin + common]
                       == trie.sorted_items[offsets[previous] + common]):
                    common += 1
            if common == length and previous >= 0 and common == previous_length:
                duplicate[0] = s
                status = -2
                break
            node = path[common - 1] if common > 0 else 0
            for d in range(common, length):
                v = trie.n_nodes
                trie.n_nodes += 1
                trie.item[v] = trie.sorted_items[begin + d]
                trie.set_of[v] = -1
                trie.depth[v] = <int32_t>(d + 1)
                parent[v] = node
                path[d] = v
                node = v
            if length == 0:
                # The empty set is the root.
                if trie.set_of[0] >= 0:
                    duplicate[0] = s
                    status = -2
                    break
            trie.set_of[node] = s
            trie.node_of_set[s] = node
            previous = s
            previous_length = length
    if status == 0:
        trie.child_start = <node_t*>malloc((trie.n_nodes + 1) * sizeof(node_t))
        trie.children = <node_t*>malloc(trie.n_nodes * sizeof(node_t))
        if trie.child_start == NULL or trie.children == NULL:
            status = -1
    if status == 0:
        # Nodes were created in preorder, so each parent's children come by ascending item.
        for v in range(trie.n_nodes + 1):
            trie.child_start[v] = 0
        for v in range(1, trie.n_nodes):
            trie.child_start[parent[v] + 1] += 1
        for v in range(trie.n_nodes):
            trie.child_start[v + 1] += trie.child_start[v]
        for v in range(1, trie.n_nodes):
            trie.children[trie.child_start[parent[v]]] = v
            trie.child_start[parent[v]] += 1
        for v in range(trie.n_nodes, 0, -1):
            trie.child_start[v] = trie.child_start[v - 1]
        trie.child_start[0] = 0
    free(order)
    free(buffer)
    free(path)
    return status


cdef inline node_t find_child(Trie* trie, node_t node, item_t x) noexcept nogil:
    """The child of ``node`` holding item ``x``, or -1."""
    cdef node_t low = trie.child_start[node], high = trie.child_start[node + 1], middle
    cdef item_t found
    while low < high:
        middle = (low + high) >> 1
        found = trie.item[trie.children[middle]]
        if found == x:
            return trie.children[middle]
        if found < x:
            low = middle + 1
        else:
            high = middle
    return -1


cdef class _TrieOwner:
    """Frees the trie's arrays when the Python function that built it returns or raises."""
    cdef Trie trie

    def __cinit__(self):
        self.trie.item = NULL
        self.trie.set_of = NULL
        self.trie.depth = NULL
        self.trie.child_start = NULL
        self.trie.children = NULL
        self.trie.parent = NULL
        self.trie.node_of_set = NULL
        self.trie.sorted_items = NULL
        self.trie.n_nodes = 0

    def __dealloc__(self):
        free_trie(&self.trie)


cdef _TrieOwner _trie_of(const item_t[::1] items, const int64_t[::1] offsets):
    cdef _TrieOwner owner = _TrieOwner()
    cdef int64_t duplicate = -1, s
    cdef int status
    if offsets.shape[0] < 1 or offsets[0] != 0 or offsets[offsets.shape[0] - 1] != items.shape[0]:
        raise ValueError("offsets must start at 0 and end at len(items).")
    for s in range(offsets.shape[0] - 1):
        if offsets[s + 1] < offsets[s]:
            raise ValueError("offsets must be non-decreasing.")
    for s in range(items.shape[0]):
        if items[s] < 0:
            raise ValueError("items must be non-negative.")
    with nogil:
        status = build_trie(&owner.trie, items, offsets, &duplicate)
    if status == -1:
        raise MemoryError("not enough memory for the trie of item sets")
    if status == -2:
        raise ValueError(f"the item set at position {duplicate} is given twice.")
    return owner


# ----------------------------------------------------------------------------------------------
# transform: the sets each transaction contains
# ----------------------------------------------------------------------------------------------

cdef int64_t count_or_fill_row(Trie* trie, const item_t* row, int64_t length, int32_t* found,
                               node_t* stack_node, int64_t* stack_position) noexcept nogil:
    """Sets contained in ``row``, in preorder of the trie; written to ``found`` unless NULL."""
    cdef int64_t n_found = 0, top, position, p
    cdef node_t node, child
    cdef int64_t set_index
    stack_node[0] = 0
    stack_position[0] = 0
    top = 1
    while top > 0:
        top -= 1
        node = stack_node[top]
        position = stack_position[top]
        set_index = trie.set_of[node]
        if set_index >= 0:
            if found != NULL:
                found[n_found] = <int32_t>set_index
            n_found += 1
        if trie.child_start[node] == trie.child_start[node + 1]:
            continue
        p = length - 1
        while p >= position:
            child = find_child(trie, node, row[p])
            if child >= 0:
                stack_node[top] = child
                stack_position[top] = p + 1
                top += 1
            p -= 1
    return n_found


cdef int compare_int32(const void* a, const void* b) noexcept nogil:
    cdef int32_t left = (<const int32_t*>a)[0], right = (<const int32_t*>b)[0]
    return (left > right) - (left < right)


def contained_sets(const item_t[::1] items, const int64_t[::1] offsets,
                   const int64_t[::1] indptr, const item_t[::1] row_items, int n_threads):
    """Which of the sets each transaction contains, as CSR arrays.

    Parameters
    ----------
    items, offsets : ndarray, int32 and int64
        The sets (``items[offsets[s]:offsets[s + 1]]``), distinct, items in any order.
    indptr : ndarray of shape (n_rows + 1,), int64
    row_items : ndarray of shape (n_entries,), int32
        The items of each transaction, strictly ascending within it (items absent from every
        set may be left out, or kept: they only cost a failed lookup).
    n_threads : int

    Returns
    -------
    out_indptr : ndarray of shape (n_rows + 1,), int64
    out_indices : ndarray of shape (n_found,), int32
        Indices of the contained sets, ascending within each row.
    """
    cdef int64_t n_rows = indptr.shape[0] - 1, row, max_row = 0, n_sets = offsets.shape[0] - 1
    cdef int64_t total, s, max_set = 0
    cdef int thread, n_used
    cdef _TrieOwner owner
    cdef Trie* trie
    cdef node_t* stack_nodes = NULL
    cdef int64_t* stack_positions = NULL
    cdef int64_t stack_size
    if n_sets >= np.iinfo(np.int32).max:
        raise ValueError("contained_sets supports fewer than 2**31 - 1 sets.")
    if indptr.shape[0] < 1 or indptr[0] != 0 or indptr[n_rows] != row_items.shape[0]:
        raise ValueError("indptr must start at 0 and end at len(row_items).")
    for row in range(n_rows):
        if indptr[row + 1] < indptr[row]:
            raise ValueError("indptr must be non-decreasing.")
        max_row = max(max_row, indptr[row + 1] - indptr[row])
    owner = _trie_of(items, offsets)
    trie = &owner.trie
    out_indptr_array = np.zeros(n_rows + 1, dtype=np.int64)
    cdef int64_t[::1] out_indptr = out_indptr_array
    n_used = max(1, min(n_threads, <int>min(n_rows, <int64_t>1024)))
    if row_items.shape[0] + n_sets < 100_000:
        n_used = 1
    # The stack holds, for each node on the current path, its unvisited siblings: at most
    # (row length) per level, and a path is no longer than the largest set.
    for s in range(n_sets):
        max_set = max(max_set, offsets[s + 1] - offsets[s])
    stack_size = (min(max_set, max_row) + 2) * (max_row + 1) + 1
    stack_nodes = <node_t*>malloc(n_used * stack_size * sizeof(node_t))
    stack_positions = <int64_t*>malloc(n_used * stack_size * sizeof(int64_t))
    # Rows are read from one base pointer: an empty last row (or no items at all) starts at
    # len(row_items), which &row_items[...] would reject under bounds checks.
    cdef const item_t* row_base = &row_items[0] if row_items.shape[0] > 0 else NULL
    try:
        if stack_nodes == NULL or stack_positions == NULL:
            raise MemoryError("not enough memory for the trie walks")
        with nogil:
            for row in prange(n_rows, schedule="guided", num_threads=n_used):
                thread = threadid()
                out_indptr[row + 1] = count_or_fill_row(
                    trie, row_base + indptr[row], indptr[row + 1] - indptr[row], NULL,
                    stack_nodes + thread * stack_size, stack_positions + thread * stack_size)
            for row in range(n_rows):
                out_indptr[row + 1] += out_indptr[row]
        total = out_indptr[n_rows]
        out_indices_array = np.empty(total, dtype=np.int32)
        if total == 0:
            return out_indptr_array, out_indices_array
        fill(trie, row_items, indptr, out_indptr, out_indices_array, stack_nodes,
             stack_positions, stack_size, n_used)
        return out_indptr_array, out_indices_array
    finally:
        free(stack_nodes)
        free(stack_positions)


cdef void fill(Trie* trie, const item_t[::1] row_items, const int64_t[::1] indptr,
               const int64_t[::1] out_indptr, int32_t[::1] out_indices, node_t* stack_nodes,
               int64_t* stack_positions, int64_t stack_size, int n_used) noexcept:
    cdef int64_t n_rows = indptr.shape[0] - 1, row, n
    cdef int thread
    with nogil:
        for row in prange(n_rows, schedule="guided", num_threads=n_used):
            thread = threadid()
            n = out_indptr[row + 1] - out_indptr[row]
            if n == 0:
                continue
            count_or_fill_row(
                trie, &row_items[indptr[row]], indptr[row + 1] - indptr[row],
                &out_indices[out_indptr[row]],
                stack_nodes + thread * stack_size, stack_positions + thread * stack_size)
            if n > 1:
                qsort(&out_indices[out_indptr[row]], n, sizeof(int32_t), compare_int32)


# ----------------------------------------------------------------------------------------------
# Association rules
# ----------------------------------------------------------------------------------------------

cdef struct RuleBuffer:
    int64_t* set_index
    uint64_t* mask          # bit i: the set's i-th item (ascending) is in the antecedent
    double* antecedent_support
    double* consequent_support
    int64_t n
    int64_t capacity
    int64_t limit           # rules this buffer may hold (its thread's share of max_rules)
    int64_t missing_set     # set whose subset is missing (-1 when none)
    uint64_t missing_mask
    int failed              # 1 out of memory, 2 past the limit


cdef int push_rule(RuleBuffer* out, int64_t s, uint64_t mask, double sA, double sC) noexcept nogil:
    cdef int64_t capacity
    cdef void* grown
    if out.n >= out.limit:
        out.failed = 2
        return -1
    if out.n == out.capacity:
        capacity = max(<int64_t>256, 2 * out.capacity)
        grown = realloc(out.set_index, capacity * sizeof(int64_t))
        if grown == NULL:
            return -1
        out.set_index = <int64_t*>grown
        grown = realloc(out.mask, capacity * sizeof(uint64_t))
        if grown == NULL:
            return -1
        out.mask = <uint64_t*>grown
        grown = realloc(out.antecedent_support, capacity * sizeof(double))
        if grown == NULL:
            return -1
        out.antecedent_support = <double*>grown
        grown = realloc(out.consequent_support, capacity * sizeof(double))
        if grown == NULL:
            return -1
        out.consequent_support = <double*>grown
        out.capacity = capacity
    out.set_index[out.n] = s
    out.mask[out.n] = mask
    out.antecedent_support[out.n] = sA
    out.consequent_support[out.n] = sC
    out.n += 1
    return 0


cdef inline double rule_metric(int metric, double sAC, double sA, double sC, double n) noexcept nogil:
    """One metric, with mlxtend's formulas (no missing values: its ``dis*`` counts are 0)."""
    cdef double confidence, leverage, denominator
    if metric == 0:
        return sA
    if metric == 1:
        return sC
    if metric == 2:
        return sAC
    confidence = (sAC * n) / (sA * n)
    if metric == 3:
        return confidence
    if metric == 4:
        return confidence / sC
    if metric == 5:
        return n / n
    leverage = sAC - sA * sC
    if metric == 6:
        return leverage
    if metric == 7:
        return (1.0 - sC) / (1.0 - confidence) if confidence < 1.0 else INFINITY
    if metric == 8:
        denominator = max(sAC * (1 - sA), sA * (sC - sAC))
        return 0.0 if denominator == 0 else leverage / denominator
    if metric == 9:
        return sAC / (sA + sC - sAC)
    if metric == 10:
        denominator = 1 - sC
        return 0.0 if denominator == 0 else (confidence - sC) / denominator
    return (confidence + (sAC * n) / (sC * n)) / 2


cdef int extend_level(Trie* trie, node_t** levels, int d, item_t x) noexcept nogil:
    """``levels[d]`` from ``levels[d - 1]`` and the item ``x`` added at depth ``d``.

    ``levels[d][m]`` is the trie node of the subset of the current path's first ``d`` items
    picked by the bits of ``m`` (-1 when that subset is no node): the subsets without ``x`` are
    those of the level above, and each subset with ``x`` is a child of the one without, ``x``
    being its largest item.
    """
    cdef int64_t half = <int64_t>1 << (d - 1), m
    cdef node_t* above = levels[d - 1]
    cdef node_t* here = levels[d]
    for m in range(half):
        here[m] = above[m]
        here[half + m] = find_child(trie, above[m], x) if above[m] >= 0 else -1
    return 0


cdef void rules_of_nodes(Trie* trie, const double[::1] supports, node_t first, node_t last,
                         int metric, double threshold, double n, bint support_only,
                         node_t** levels, node_t* path, double* subset_support,
                         RuleBuffer* out) noexcept nogil:
    """Rules of the sets at the trie nodes ``first .. last - 1`` (in preorder).

    The subsets of the path to the current node are kept level by level, so each set costs
    ``2**(size - 1)`` child lookups on top of its parent's, and every antecedent and consequent
    is then an array read.
    """
    cdef node_t v, u, nA, nC
    cdef int d, depth, size
    cdef int64_t s, sa, sc
    cdef uint64_t full, mask
    cdef double sAC, sA, sC, value
    cdef int valid = 0  # levels[0 .. valid] follow the current path
    levels[0][0] = 0
    path[0] = 0
    for v in range(first, last):
        depth = trie.depth[v]
        if valid < depth - 1 or path[depth - 1] != trie.parent[v]:
            # Rebuild the ancestors' levels (at a chunk's start only: in preorder the parent
            # of each next node is on the current path).
            u = trie.parent[v]
            d = depth - 1
            while d > 0:
                path[d] = u
                u = trie.parent[u]
                d -= 1
            for d in range(1, depth):
                extend_level(trie, levels, d, trie.item[path[d]])
        path[depth] = v
        extend_level(trie, levels, depth, trie.item[v])
        valid = depth
        s = trie.set_of[v]
        if s < 0 or depth < 2:
            continue
        size = depth
        full = (<uint64_t>1 << size) - 1
        sAC = supports[s]
        if not support_only:
            # The subsets' supports side by side: the loop below reads them in order.
            for mask in range(1, full):
                u = levels[size][mask]
                sa = trie.set_of[u] if u >= 0 else -1
                if sa < 0:
                    out.missing_set = s
                    out.missing_mask = mask
                    return
                subset_support[mask] = supports[sa]
        for mask in range(1, full):
            if support_only:
                sA = NAN
                sC = NAN
                value = sAC
            else:
                sA = subset_support[mask]
                sC = subset_support[full ^ mask]
                value = rule_metric(metric, sAC, sA, sC, n)
            if value >= threshold:
                if push_rule(out, s, mask, sA, sC):
                    if not out.failed:
                        out.failed = 1
                    return


def candidate_rules(const item_t[::1] items, const int64_t[::1] offsets,
                    const double[::1] supports, int metric, double threshold, double n,
                    bint support_only, int n_threads, int64_t max_rules=-1):
    """Rules ``A -> S - A`` over the sets ``S`` whose ``metric`` is at least ``threshold``.

    Parameters
    ----------
    items, offsets : ndarray, int32 and int64
        Distinct sets of non-negative item codes; every antecedent and consequent must be one
        of them unless ``support_only``.
    supports : ndarray of shape (n_sets,), float64
    metric : int
        Index in ``METRICS`` of the metric compared with ``threshold``.
    threshold : float
    n : float
        mlxtend's ``num_itemsets`` (it enters the confidence as ``sAC * n / (sA * n)``).
    support_only : bool
        Compare the rule support only, and look nothing up (antecedent and consequent supports
        are NaN).
    n_threads : int
    max_rules : int, default=-1
        Stop with ``OverflowError(n_found)`` once more rules than this are kept (-1: no
        limit). Each thread stops past its own ``max_rules`` and the total is checked at the
        end, so the error does not depend on the thread count, and at most ``n_threads *
        max_rules`` rules are held before it.

    Returns
    -------
    set_index : ndarray of shape (n_rules,), int64
        The set each rule splits.
    mask : ndarray of shape (n_rules,), uint64
        Bit ``i`` set when the ``i``-th smallest item of the set is in the antecedent.
    antecedent_support, consequent_support : ndarray of shape (n_rules,), float64
    sorted_items : ndarray like ``items``
        The items of each set in ascending order (the order of the mask bits).
    missing : None or (int, int)
        ``(set index, mask)`` of a subset that is not among the sets; then no rules are returned.
    """
    cdef int64_t n_sets = offsets.shape[0] - 1, s, size, chunk, n_chunks
    cdef int64_t n_rules = 0, cursor = 0, k
    cdef _TrieOwner owner
    cdef Trie* trie
    cdef RuleBuffer* buffers = NULL
    cdef node_t** levels
    cdef node_t* path
    cdef double* subset_support
    cdef int64_t largest = 1, first, last
    cdef int64_t* thread_rules = NULL
    cdef int d, n_used, thread
    cdef bint stopped = False
    if supports.shape[0] != n_sets:
        raise ValueError("supports must hold one value per set.")
    if not 0 <= metric < len(METRICS):
        raise ValueError(f"metric code must be in [0, {len(METRICS)}).")
    for s in range(n_sets):
        size = offsets[s + 1] - offsets[s]
        if size > MAX_RULE_SET_SIZE:
            raise ValueError(
                f"an item set of {size} items has 2**{size} - 2 rules; association rules are "
                f"computed for sets of at most {MAX_RULE_SET_SIZE} items (use max_len).")
        largest = max(largest, size)
    owner = _trie_of(items, offsets)
    trie = &owner.trie
    # Fixed chunks of trie nodes (sets in lexicographic order), each with its own buffer,
    # concatenated in order.
    n_chunks = min(max(trie.n_nodes - 1, <int64_t>1), <int64_t>(64 * max(1, n_threads)))
    n_used = max(1, min(n_threads, <int>n_chunks))
    if items.shape[0] < 20_000:
        n_used = 1
    if max_rules < 0:
        max_rules = INT64_MAX
    buffers = <RuleBuffer*>malloc(n_chunks * sizeof(RuleBuffer))
    # Rules kept so far by each thread: a chunk may add what is left of its thread's share.
    thread_rules = <int64_t*>calloc(n_used, sizeof(int64_t))
    if buffers == NULL or thread_rules == NULL:
        free(buffers)
        free(thread_rules)
        raise MemoryError("not enough memory for the rules")
    for chunk in range(n_chunks):
        buffers[chunk].set_index = NULL
        buffers[chunk].mask = NULL
        buffers[chunk].antecedent_support = NULL
        buffers[chunk].consequent_support = NULL
        buffers[chunk].n = 0
        buffers[chunk].capacity = 0
        buffers[chunk].limit = 0
        buffers[chunk].missing_set = -1
        buffers[chunk].missing_mask = 0
        buffers[chunk].failed = 0
    try:
        with nogil:
            for chunk in prange(n_chunks, schedule="dynamic", num_threads=n_used):
                thread = threadid()
                buffers[chunk].limit = max_rules - thread_rules[thread]
                if buffers[chunk].limit <= 0:
                    buffers[chunk].failed = 2  # this thread's share is spent: stop
                    continue
                first = 1 + chunk * (trie.n_nodes - 1) // n_chunks
                last = 1 + (chunk + 1) * (trie.n_nodes - 1) // n_chunks
                levels = <node_t**>malloc((largest + 1) * sizeof(node_t*))
                path = <node_t*>malloc((largest + 1) * sizeof(node_t))
                if levels == NULL or path == NULL:
                    buffers[chunk].failed = 1
                else:
                    levels[0] = <node_t*>malloc(((<int64_t>2 << largest) + 1) * sizeof(node_t))
                    if levels[0] == NULL:
                        buffers[chunk].failed = 1
                    else:
                        for d in range(1, largest + 1):
                            levels[d] = levels[0] + ((<int64_t>1 << d) - 1)
                        subset_support = <double*>malloc((<int64_t>1 << largest) * sizeof(double))
                        if subset_support == NULL:
                            buffers[chunk].failed = 1
                        else:
                            rules_of_nodes(trie, supports, first, last, metric, threshold, n,
                                           support_only, levels, path, subset_support,
                                           &buffers[chunk])
                        free(subset_support)
                        free(levels[0])
                free(levels)
                free(path)
                thread_rules[thread] += buffers[chunk].n
        for chunk in range(n_chunks):
            if buffers[chunk].failed == 1:
                raise MemoryError("not enough memory for the rules")
            if buffers[chunk].missing_set >= 0:
                return (None, None, None, None, _sorted_items(trie, items.shape[0]),
                        (int(buffers[chunk].missing_set), int(buffers[chunk].missing_mask)))
            stopped = stopped or buffers[chunk].failed == 2
            n_rules += buffers[chunk].n
        if stopped or n_rules > max_rules:
            # A stopped search had found at least one rule more than it kept.
            raise OverflowError(n_rules + stopped)
        set_index = np.empty(n_rules, dtype=np.int64)
        masks = np.empty(n_rules, dtype=np.uint64)
        antecedent_support = np.empty(n_rules, dtype=np.float64)
        consequent_support = np.empty(n_rules, dtype=np.float64)
        for chunk in range(n_chunks):
            k = buffers[chunk].n
            if k == 0:
                continue
            set_index[cursor:cursor + k] = <int64_t[:k]>buffers[chunk].set_index
            masks[cursor:cursor + k] = <uint64_t[:k]>buffers[chunk].mask
            antecedent_support[cursor:cursor + k] = <double[:k]>buffers[chunk].antecedent_support
            consequent_support[cursor:cursor + k] = <double[:k]>buffers[chunk].consequent_support
            cursor += k
        return (set_index, masks, antecedent_support, consequent_support,
                _sorted_items(trie, items.shape[0]), None)
    finally:
        for chunk in range(n_chunks):
            free(buffers[chunk].set_index)
            free(buffers[chunk].mask)
            free(buffers[chunk].antecedent_support)
            free(buffers[chunk].consequent_support)
        free(buffers)
        free(thread_rules)


cdef _sorted_items(Trie* trie, int64_t n_entries):
    if n_entries == 0:
        return np.empty(0, dtype=np.int32)
    return np.asarray(<item_t[:n_entries]>trie.sorted_items).copy()


def rule_sides(const item_t[::1] sorted_items, const int64_t[::1] offsets,
               const int64_t[::1] set_index, const uint64_t[::1] masks, list labels):
    """Antecedents and consequents as frozensets of labels.

    Parameters
    ----------
    sorted_items, offsets : ndarray
        The sets, items ascending (as :func:`candidate_rules` returns them).
    set_index, masks : ndarray of shape (n_rules,)
    labels : list
        The label of each item code.

    Returns
    -------
    antecedents, consequents : list of frozenset
    """
    cdef int64_t n_rules = set_index.shape[0], r, s, begin
    cdef int size, i
    cdef uint64_t mask
    cdef list antecedents = [None] * n_rules, consequents = [None] * n_rules
    cdef list left, right
    for r in range(n_rules):
        s = set_index[r]
        begin = offsets[s]
        size = <int>(offsets[s + 1] - begin)
        mask = masks[r]
        left = []
        right = []
        for i in range(size):
            if (mask >> i) & 1:
                left.append(labels[sorted_items[begin + i]])
            else:
                right.append(labels[sorted_items[begin + i]])
        antecedents[r] = frozenset(left)
        consequents[r] = frozenset(right)
    return antecedents, consequents
