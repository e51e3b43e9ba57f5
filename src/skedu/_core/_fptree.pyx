"""FP-tree construction and recursive conditional mining (FP-growth) in flat C arrays.

Items arrive as dense ranks, 0 for the most frequent, and every transaction lists its frequent
items once, in ascending rank. A tree is a set of node arrays (item, parent, count, first child,
next sibling) where a parent always has a smaller index than its children, plus a header that
lists the nodes of each item contiguously. Node 0 is the root.

Mining follows FP-growth with two standard refinements:

- conditional trees keep the parent's item order, so the path above a node maps to the
  conditional tree through a per-node memo and shared prefixes are walked once per build;
- perfect extensions (items present in every transaction of a conditional database) are left out
  of the conditional tree and combined with each set found below instead; this is also what makes
  a single-path tree cost nothing more than its output.

On sparse data (the market-basket files: a row holds a few percent of the frequent items) the
FP-tree is hardly smaller than the transactions, and walking it costs a dependent memory load per
step. There the top-level tree is not built: each top-level item's conditional counts and
conditional tree come from a sequential scan of the transactions that contain it (found through
per-item occurrence lists), and the recursion below is the same.

The top-level items are mined in parallel: each thread owns a workspace (its conditional trees,
scratch arrays and output buffers), and the results are concatenated in the serial order, so the
output does not depend on the number of threads.
"""

from cython.parallel cimport parallel, prange, threadid
from libc.stdint cimport INT64_MAX, int32_t, int64_t
from libc.stdlib cimport calloc, free, malloc, realloc
from libc.string cimport memcpy, memset

import numpy as np

cdef extern from *:
    """
    #if defined(__GNUC__) || defined(__clang__)
    #define SKEDU_PREFETCH(address) __builtin_prefetch(address)
    #else
    #define SKEDU_PREFETCH(address) ((void) 0)
    #endif
    """
    void SKEDU_PREFETCH(const void* address) noexcept nogil

ctypedef int32_t node_t
ctypedef int32_t item_t
ctypedef int64_t count_t

# Below this many nodes in the FP-tree, building and mining it take about a millisecond: less than
# waking and joining a second thread can save (retail at 1%: 31k nodes, 0.03 s, no gain from a
# second thread).
cdef node_t MIN_NODES_FOR_THREADS = 20000
# Below this share of the frequent items per transaction, the conditional databases of the
# top-level items are read from the transactions instead of an FP-tree (the FIMI market-basket
# files are at 0.2-4%, the tree saving about 10% of the entries; mushroom and chess at 38-93%,
# where the tree is 8-80 times smaller than the transactions).
cdef double MAX_DENSITY_FOR_ROWS = 0.1
# Rows mode: below this many entry reads of the conditional counting scans (sum over
# transactions of length * (length - 1) / 2), one thread. On a shared 2-core machine a second
# thread gained nothing up to 16 million reads (T10I4D100K three times over at 0.03%, 1.3 s
# of mining); every W-fpgrowth case (at most 5.2 million) stays on one thread.
cdef int64_t MIN_SCAN_FOR_THREADS = 20_000_000
# Rows mode: an item's rows are scattered over the transactions; the row this many places
# ahead is requested from memory while the current one is scanned.
cdef int64_t PREFETCH_DISTANCE = 8


def _thread_thresholds(min_nodes=None, min_scan=None):
    """Read, or set for the tests of the threaded paths, the work below which one thread mines.

    Returns the previous ``(min_nodes, min_scan)``: FP-tree nodes (tree mode) and entry reads
    of the counting scans (rows mode).
    """
    global MIN_NODES_FOR_THREADS, MIN_SCAN_FOR_THREADS
    previous = (MIN_NODES_FOR_THREADS, MIN_SCAN_FOR_THREADS)
    if min_nodes is not None:
        MIN_NODES_FOR_THREADS = min_nodes
    if min_scan is not None:
        MIN_SCAN_FOR_THREADS = min_scan
    return previous

MODE_AUTO, MODE_TREE, MODE_ROWS = -1, 0, 1


cdef struct Tree:
    item_t* item            # (node_capacity,) local item of each node, -1 at the root
    node_t* parent          # (node_capacity,)
    count_t* count          # (node_capacity,) transactions through the node
    node_t* first_child     # (node_capacity,) -1 when none; only conditional builds need it
    node_t* next_sibling    # (node_capacity,)
    node_t* header_start    # (item_capacity + 1,) nodes of item x: header_nodes[start[x]:start[x+1]]
    node_t* header_nodes    # (node_capacity,)
    item_t* item_label      # (item_capacity,) global rank of each local item
    count_t* item_support   # (item_capacity,)
    node_t n_nodes
    node_t node_capacity
    item_t n_items
    item_t item_capacity


cdef struct Output:
    item_t* items           # items of every set, one set after another
    int64_t n_items
    int64_t item_capacity
    int64_t* ends           # end of each set in ``items``
    count_t* supports
    int64_t n_sets
    int64_t set_capacity


cdef struct Workspace:
    Tree* levels            # (max_depth + 1,) conditional tree of each recursion depth
    count_t* cond_count     # (n_items,) conditional support of each local item
    item_t* local_of        # (n_items,) local item in the conditional tree, -1 when left out
    node_t* root_child      # (n_items,) child of the conditional root for each local item
    node_t* copy_of         # (walk_capacity,) conditional node that a parent-tree node maps to
    int64_t* stamp          # (walk_capacity,) build number that set copy_of; avoids clearing it
    node_t walk_capacity    # nodes of the largest tree copy_of and stamp can serve
    int64_t build_number
    node_t* path            # (n_items + 1,) nodes walked up from a node, not yet mapped
    item_t* base            # (n_items,) items of the current prefix
    int n_base
    item_t* extensions      # (n_items,) perfect extensions of the current prefix
    int n_extensions
    item_t* chosen          # (n_items,) subset of the extensions being written
    int max_len
    count_t min_count
    int64_t max_sets        # stop (failed = 2) when this workspace has written more sets
    Output out
    int failed              # 1 when an allocation failed, 2 when max_sets was passed
    char padding[64]        # keeps the counters of neighbouring threads off one cache line


cdef int grow(void** array, int64_t n_elements, size_t element_size) noexcept nogil:
    """Reallocate ``*array`` to ``n_elements``; 0 on success, -1 when out of memory."""
    cdef void* grown = realloc(array[0], <size_t>(n_elements if n_elements > 0 else 1) * element_size)
    if grown == NULL:
        return -1
    array[0] = grown
    return 0


cdef int reserve_nodes(Tree* tree, node_t n_nodes) noexcept nogil:
    if n_nodes <= tree.node_capacity and tree.item != NULL:
        return 0
    if (grow(<void**>&tree.item, n_nodes, sizeof(item_t))
            or grow(<void**>&tree.parent, n_nodes, sizeof(node_t))
            or grow(<void**>&tree.count, n_nodes, sizeof(count_t))
            or grow(<void**>&tree.first_child, n_nodes, sizeof(node_t))
            or grow(<void**>&tree.next_sibling, n_nodes, sizeof(node_t))
            or grow(<void**>&tree.header_nodes, n_nodes, sizeof(node_t))):
        return -1
    tree.node_capacity = n_nodes
    return 0


cdef int reserve_items(Tree* tree, item_t n_items) noexcept nogil:
    if n_items <= tree.item_capacity and tree.header_start != NULL:
        return 0
    if (grow(<void**>&tree.header_start, n_items + 1, sizeof(node_t))
            or grow(<void**>&tree.item_label, n_items, sizeof(item_t))
            or grow(<void**>&tree.item_support, n_items, sizeof(count_t))):
        return -1
    tree.item_capacity = n_items
    return 0


cdef void free_tree(Tree* tree) noexcept nogil:
    free(tree.item)
    free(tree.parent)
    free(tree.count)
    free(tree.first_child)
    free(tree.next_sibling)
    free(tree.header_start)
    free(tree.header_nodes)
    free(tree.item_label)
    free(tree.item_support)
    memset(tree, 0, sizeof(Tree))


cdef void count_header_starts(Tree* tree) noexcept nogil:
    """header_start[x] = number of nodes of the items before x (the start of x's slice)."""
    cdef node_t node
    cdef item_t x
    memset(tree.header_start, 0, (tree.n_items + 1) * sizeof(node_t))
    for node in range(1, tree.n_nodes):
        tree.header_start[tree.item[node] + 1] += 1
    for x in range(tree.n_items):
        tree.header_start[x + 1] += tree.header_start[x]


cdef void sum_counts_upwards(Tree* tree) noexcept nogil:
    """Add each node's count to its parent's: parents precede their children."""
    cdef node_t node
    for node in range(tree.n_nodes - 1, 0, -1):
        tree.count[tree.parent[node]] += tree.count[node]


# ----------------------------------------------------------------------------------------------
# The top-level FP-tree, from transactions sorted lexicographically
# ----------------------------------------------------------------------------------------------

cdef inline int compare_rows(const int64_t[::1] indptr, const item_t[::1] ranks,
                             item_t a, item_t b) noexcept nogil:
    """Lexicographic order of transactions ``a`` and ``b`` (a prefix comes first)."""
    cdef int64_t i = indptr[a], end_a = indptr[a + 1]
    cdef int64_t j = indptr[b], end_b = indptr[b + 1]
    while i < end_a and j < end_b:
        if ranks[i] != ranks[j]:
            return -1 if ranks[i] < ranks[j] else 1
        i += 1
        j += 1
    return (i < end_a) - (j < end_b)


cdef void sort_rows(const int64_t[::1] indptr, const item_t[::1] ranks,
                    item_t* order, item_t* buffer, item_t n_rows) noexcept nogil:
    """Stable bottom-up merge sort of row indices by their rank sequences."""
    cdef int64_t width = 1, start, middle, end, i, j, k
    cdef item_t* source = order
    cdef item_t* target = buffer
    cdef item_t* swap
    while width < n_rows:
        start = 0
        while start < n_rows:
            middle = min(start + width, n_rows)
            end = min(start + 2 * width, n_rows)
            i, j, k = start, middle, start
            while i < middle and j < end:
                if compare_rows(indptr, ranks, source[j], source[i]) < 0:
                    target[k] = source[j]
                    j += 1
                else:
                    target[k] = source[i]
                    i += 1
                k += 1
            while i < middle:
                target[k] = source[i]
                i += 1
                k += 1
            while j < end:
                target[k] = source[j]
                j += 1
                k += 1
            start += 2 * width
        swap = source
        source = target
        target = swap
        width *= 2
    if source != order:
        memcpy(order, source, n_rows * sizeof(item_t))


cdef int build_top_tree(Tree* tree, const int64_t[::1] indptr, const item_t[::1] ranks,
                        item_t n_items) noexcept nogil:
    """FP-tree of all transactions; -1 when out of memory.

    In lexicographic order a transaction shares with the trie exactly its longest common prefix
    with the previous transaction, so insertion needs no child lookup.
    """
    cdef item_t n_rows = <item_t>(indptr.shape[0] - 1)
    cdef item_t* order = <item_t*>malloc((n_rows if n_rows > 0 else 1) * sizeof(item_t))
    cdef item_t* buffer = <item_t*>malloc((n_rows if n_rows > 0 else 1) * sizeof(item_t))
    cdef node_t* path = <node_t*>malloc((n_items + 1) * sizeof(node_t))
    cdef item_t row, previous = -1, x
    cdef int64_t start, length, common, previous_length = 0, depth
    cdef node_t node
    cdef int status = 0
    if order == NULL or buffer == NULL or path == NULL:
        status = -1
    elif reserve_nodes(tree, <node_t>(ranks.shape[0] + 1)) or reserve_items(tree, n_items):
        status = -1
    if status == 0:
        for row in range(n_rows):
            order[row] = row
        sort_rows(indptr, ranks, order, buffer, n_rows)
        tree.n_items = n_items
        tree.n_nodes = 1
        tree.item[0] = -1
        tree.parent[0] = -1
        tree.count[0] = 0
        for x in range(n_items):
            tree.item_label[x] = x
            tree.item_support[x] = 0
        for row in range(n_rows):
            start = indptr[order[row]]
            length = indptr[order[row] + 1] - start
            common = 0
            if previous >= 0:
                while (common < length and common < previous_length
                       and ranks[start + common] == ranks[indptr[previous] + common]):
                    common += 1
            node = path[common - 1] if common > 0 else 0
            for depth in range(common, length):
                x = ranks[start + depth]
                tree.item[tree.n_nodes] = x
                tree.parent[tree.n_nodes] = node
                tree.count[tree.n_nodes] = 0
                node = tree.n_nodes
                path[depth] = node
                tree.n_nodes += 1
            tree.count[node] += 1
            previous = order[row]
            previous_length = length
        sum_counts_upwards(tree)
        tree.count[0] = n_rows
        for node in range(1, tree.n_nodes):
            tree.item_support[tree.item[node]] += tree.count[node]
        count_header_starts(tree)
        fill_header(tree)
    free(order)
    free(buffer)
    free(path)
    return status


cdef void fill_header(Tree* tree) noexcept nogil:
    """Place each node in its item's slice; header_start must hold the slice starts."""
    cdef node_t node
    cdef item_t x
    # header_start[x] is advanced while filling, then shifted back by one item.
    for node in range(1, tree.n_nodes):
        x = tree.item[node]
        tree.header_nodes[tree.header_start[x]] = node
        tree.header_start[x] += 1
    for x in range(tree.n_items, 0, -1):
        tree.header_start[x] = tree.header_start[x - 1]
    tree.header_start[0] = 0


# ----------------------------------------------------------------------------------------------
# Conditional trees and the recursion
# ----------------------------------------------------------------------------------------------

cdef inline node_t child_with_item(Workspace* ws, Tree* tree, node_t parent, item_t x) noexcept nogil:
    """The child of ``parent`` holding item ``x``, created when absent (capacity is reserved)."""
    cdef node_t child
    if parent == 0:
        child = ws.root_child[x]
        if child >= 0:
            return child
    else:
        child = tree.first_child[parent]
        while child >= 0:
            if tree.item[child] == x:
                return child
            child = tree.next_sibling[child]
    child = tree.n_nodes
    tree.n_nodes += 1
    tree.item[child] = x
    tree.parent[child] = parent
    tree.count[child] = 0
    tree.first_child[child] = -1
    if parent == 0:
        ws.root_child[x] = child
        tree.next_sibling[child] = -1
    else:
        tree.next_sibling[child] = tree.first_child[parent]
        tree.first_child[parent] = child
    return child


cdef int reserve_walk(Workspace* ws, node_t n_nodes) noexcept nogil:
    """Grow copy_of and stamp to ``n_nodes`` (new stamps 0: never a current build number)."""
    if n_nodes <= ws.walk_capacity:
        return 0
    if (grow(<void**>&ws.copy_of, n_nodes, sizeof(node_t))
            or grow(<void**>&ws.stamp, n_nodes, sizeof(int64_t))):
        return -1
    memset(ws.stamp + ws.walk_capacity, 0, (n_nodes - ws.walk_capacity) * sizeof(int64_t))
    ws.walk_capacity = n_nodes
    return 0


cdef void build_conditional_tree(Workspace* ws, Tree* tree, item_t item, Tree* conditional) noexcept nogil:
    """Conditional tree of ``item``: the paths above its nodes, restricted to the local items
    that ``ws.local_of`` keeps. Items and capacities of ``conditional`` are already set."""
    cdef node_t header, node, ancestor, target
    cdef count_t count
    cdef int depth
    cdef item_t x
    ws.build_number += 1
    for x in range(conditional.n_items):
        ws.root_child[x] = -1
    conditional.n_nodes = 1
    conditional.item[0] = -1
    conditional.parent[0] = -1
    conditional.count[0] = 0
    conditional.first_child[0] = -1
    for header in range(tree.header_start[item], tree.header_start[item + 1]):
        node = tree.header_nodes[header]
        count = tree.count[node]
        # Climb to the first ancestor already mapped in this build (or the root) ...
        depth = 0
        ancestor = tree.parent[node]
        while ancestor != 0 and ws.stamp[ancestor] != ws.build_number:
            ws.path[depth] = ancestor
            depth += 1
            ancestor = tree.parent[ancestor]
        target = ws.copy_of[ancestor] if ancestor != 0 else 0
        # ... then map the new ancestors top-down; a dropped item maps to its parent's node.
        while depth > 0:
            depth -= 1
            ancestor = ws.path[depth]
            x = ws.local_of[tree.item[ancestor]]
            if x >= 0:
                target = child_with_item(ws, conditional, target, x)
            ws.copy_of[ancestor] = target
            ws.stamp[ancestor] = ws.build_number
        conditional.count[target] += count
    sum_counts_upwards(conditional)
    count_header_starts(conditional)
    fill_header(conditional)


cdef void write_set(Workspace* ws, int n_chosen, count_t support) noexcept nogil:
    cdef Output* out = &ws.out
    cdef int64_t needed = out.n_items + ws.n_base + n_chosen
    cdef int64_t capacity
    if out.n_sets >= ws.max_sets:
        ws.failed = 2
        return
    if needed > out.item_capacity:
        capacity = max(needed, 2 * out.item_capacity)
        if grow(<void**>&out.items, capacity, sizeof(item_t)):
            ws.failed = 1
            return
        out.item_capacity = capacity
    if out.n_sets + 1 > out.set_capacity:
        capacity = max(<int64_t>1024, 2 * out.set_capacity)
        if grow(<void**>&out.ends, capacity, sizeof(int64_t)) or grow(<void**>&out.supports, capacity, sizeof(count_t)):
            ws.failed = 1
            return
        out.set_capacity = capacity
    memcpy(out.items + out.n_items, ws.base, ws.n_base * sizeof(item_t))
    memcpy(out.items + out.n_items + ws.n_base, ws.chosen, n_chosen * sizeof(item_t))
    out.n_items = needed
    out.ends[out.n_sets] = needed
    out.supports[out.n_sets] = support
    out.n_sets += 1


cdef void write_with_extensions(Workspace* ws, int first, int n_chosen, int limit, count_t support) noexcept nogil:
    """Write the prefix with every subset of the perfect extensions of at most ``limit`` items."""
    cdef int i
    write_set(ws, n_chosen, support)
    if n_chosen >= limit or ws.failed:
        return
    for i in range(first, ws.n_extensions):
        ws.chosen[n_chosen] = ws.extensions[i]
        write_with_extensions(ws, i + 1, n_chosen + 1, limit, support)


cdef void mine_item(Workspace* ws, Tree* tree, item_t item, int depth) noexcept nogil:
    """Write every frequent set whose least frequent item is ``item`` of ``tree``."""
    cdef count_t support = tree.item_support[item]
    cdef count_t count
    cdef node_t header, node, ancestor
    cdef int64_t path_length = 0
    cdef item_t x, n_kept = 0
    cdef int saved_extensions = ws.n_extensions
    cdef Tree* conditional = &ws.levels[depth + 1]
    ws.base[ws.n_base] = tree.item_label[item]
    ws.n_base += 1
    if ws.n_base < ws.max_len and item > 0:
        memset(ws.cond_count, 0, item * sizeof(count_t))
        for header in range(tree.header_start[item], tree.header_start[item + 1]):
            node = tree.header_nodes[header]
            count = tree.count[node]
            ancestor = tree.parent[node]
            while ancestor != 0:
                ws.cond_count[tree.item[ancestor]] += count
                ancestor = tree.parent[ancestor]
                path_length += 1
        for x in range(item):
            if ws.cond_count[x] == support:
                ws.extensions[ws.n_extensions] = tree.item_label[x]
                ws.n_extensions += 1
                ws.local_of[x] = -1
            elif ws.cond_count[x] >= ws.min_count:
                ws.local_of[x] = n_kept
                n_kept += 1
            else:
                ws.local_of[x] = -1
    write_with_extensions(ws, 0, 0, ws.max_len - ws.n_base, support)
    if n_kept > 0 and not ws.failed:
        if (reserve_items(conditional, n_kept) or reserve_walk(ws, tree.n_nodes)
                or reserve_nodes(conditional, <node_t>min(<int64_t>tree.n_nodes, path_length + 1))):
            ws.failed = 1
        else:
            conditional.n_items = n_kept
            for x in range(item):
                if ws.local_of[x] >= 0:
                    conditional.item_label[ws.local_of[x]] = tree.item_label[x]
                    conditional.item_support[ws.local_of[x]] = ws.cond_count[x]
            build_conditional_tree(ws, tree, item, conditional)
            for x in range(n_kept - 1, -1, -1):
                if ws.failed:
                    break
                mine_item(ws, conditional, x, depth + 1)
    ws.n_extensions = saved_extensions
    ws.n_base -= 1


cdef struct Rows:
    const item_t* ranks     # the ranked transactions (ranks ascending within each)
    const int64_t* occurrence_start  # (n_items + 2,) rows of item x, by where they start:
    const int64_t* occurrence_entry  # occurrence_entry[occurrence_start[x]:occurrence_start[x + 1]]


cdef void mine_top_item_from_rows(Workspace* ws, Rows* rows, item_t item) noexcept nogil:
    """``mine_item`` for a top-level item, its conditional database read from the transactions.

    Same counts, same conditional tree (as a set of weighted paths) and the same output order
    as ``mine_item`` on the top-level FP-tree.
    """
    cdef count_t support = rows.occurrence_start[item + 1] - rows.occurrence_start[item]
    cdef int64_t o, e, n_inserted = 0
    cdef int64_t first = rows.occurrence_start[item], last = rows.occurrence_start[item + 1]
    cdef item_t x, r, local, n_kept = 0
    cdef node_t node
    cdef int saved_extensions = ws.n_extensions
    cdef Tree* conditional = &ws.levels[1]
    ws.base[ws.n_base] = item
    ws.n_base += 1
    if ws.n_base < ws.max_len and item > 0:
        memset(ws.cond_count, 0, item * sizeof(count_t))
        for o in range(first, last):
            if o + PREFETCH_DISTANCE < last:
                SKEDU_PREFETCH(rows.ranks + rows.occurrence_entry[o + PREFETCH_DISTANCE])
            e = rows.occurrence_entry[o]
            # The row is ascending and contains ``item``: its prefix below it is what counts.
            r = rows.ranks[e]
            while r != item:
                ws.cond_count[r] += 1
                e += 1
                r = rows.ranks[e]
        for x in range(item):
            if ws.cond_count[x] == support:
                ws.extensions[ws.n_extensions] = x
                ws.n_extensions += 1
                ws.local_of[x] = -1
            elif ws.cond_count[x] >= ws.min_count:
                ws.local_of[x] = n_kept
                n_kept += 1
                n_inserted += ws.cond_count[x]
            else:
                ws.local_of[x] = -1
    write_with_extensions(ws, 0, 0, ws.max_len - ws.n_base, support)
    if n_kept > 0 and not ws.failed:
        if reserve_items(conditional, n_kept) or reserve_nodes(conditional, <node_t>(n_inserted + 1)):
            ws.failed = 1
        else:
            conditional.n_items = n_kept
            for x in range(item):
                if ws.local_of[x] >= 0:
                    conditional.item_label[ws.local_of[x]] = x
                    conditional.item_support[ws.local_of[x]] = ws.cond_count[x]
            for x in range(n_kept):
                ws.root_child[x] = -1
            conditional.n_nodes = 1
            conditional.item[0] = -1
            conditional.parent[0] = -1
            conditional.count[0] = 0
            conditional.first_child[0] = -1
            # Insert each row's kept prefix; a node's count is the rows ending there, summed
            # upwards afterwards (children are created after their parents).
            for o in range(first, last):
                if o + PREFETCH_DISTANCE < last:
                    SKEDU_PREFETCH(rows.ranks + rows.occurrence_entry[o + PREFETCH_DISTANCE])
                e = rows.occurrence_entry[o]
                node = 0
                r = rows.ranks[e]
                while r != item:
                    local = ws.local_of[r]
                    if local >= 0:
                        node = child_with_item(ws, conditional, node, local)
                    e += 1
                    r = rows.ranks[e]
                conditional.count[node] += 1
            conditional.count[0] = 0
            sum_counts_upwards(conditional)
            count_header_starts(conditional)
            fill_header(conditional)
            for x in range(n_kept - 1, -1, -1):
                if ws.failed:
                    break
                mine_item(ws, conditional, x, 1)
    ws.n_extensions = saved_extensions
    ws.n_base -= 1


cdef int init_workspace(Workspace* ws, item_t n_items, node_t n_top_nodes, int max_len,
                        count_t min_count, int64_t max_sets) noexcept nogil:
    cdef size_t width = <size_t>(n_items if n_items > 0 else 1)
    memset(ws, 0, sizeof(Workspace))
    ws.max_len = max_len
    ws.max_sets = max_sets
    ws.min_count = min_count
    ws.levels = <Tree*>calloc(width + 1, sizeof(Tree))
    ws.cond_count = <count_t*>malloc(width * sizeof(count_t))
    ws.local_of = <item_t*>malloc(width * sizeof(item_t))
    ws.root_child = <node_t*>malloc(width * sizeof(node_t))
    ws.walk_capacity = max(n_top_nodes, 1)
    ws.copy_of = <node_t*>malloc(<size_t>ws.walk_capacity * sizeof(node_t))
    ws.stamp = <int64_t*>calloc(<size_t>ws.walk_capacity, sizeof(int64_t))
    ws.path = <node_t*>malloc((width + 1) * sizeof(node_t))
    ws.base = <item_t*>malloc(width * sizeof(item_t))
    ws.extensions = <item_t*>malloc(width * sizeof(item_t))
    ws.chosen = <item_t*>malloc(width * sizeof(item_t))
    if (ws.levels == NULL or ws.cond_count == NULL or ws.local_of == NULL or ws.root_child == NULL
            or ws.copy_of == NULL or ws.stamp == NULL or ws.path == NULL or ws.base == NULL
            or ws.extensions == NULL or ws.chosen == NULL):
        ws.failed = 1
        return -1
    return 0


cdef void free_workspace(Workspace* ws, item_t n_levels) noexcept nogil:
    cdef item_t level
    if ws.levels != NULL:
        for level in range(n_levels + 1):
            free_tree(&ws.levels[level])
    free(ws.levels)
    free(ws.cond_count)
    free(ws.local_of)
    free(ws.root_child)
    free(ws.copy_of)
    free(ws.stamp)
    free(ws.path)
    free(ws.base)
    free(ws.extensions)
    free(ws.chosen)
    free(ws.out.items)
    free(ws.out.ends)
    free(ws.out.supports)


def mine_frequent_itemsets(const int64_t[::1] indptr, const item_t[::1] ranks, item_t n_items,
                           count_t min_count, int max_len, int n_threads,
                           int64_t max_itemsets=-1, int mode=MODE_AUTO):
    """Every set of items contained in at least ``min_count`` transactions.

    Parameters
    ----------
    indptr : ndarray of shape (n_transactions + 1,), int64
        Transaction ``t`` is ``ranks[indptr[t]:indptr[t + 1]]``.
    ranks : ndarray of shape (n_entries,), int32
        Frequent items as ranks in ``[0, n_items)``, 0 the most frequent, strictly ascending within
        each transaction.
    n_items : int
        Number of frequent items.
    min_count : int
        Minimum number of transactions, at least 1.
    max_len : int
        Largest set size written.
    n_threads : int
        OpenMP threads over the top-level items (from ``effective_n_threads``).
    max_itemsets : int, default=-1
        Stop with ``OverflowError`` once more sets than this are found (-1: no limit). The
        check is per thread, so up to ``n_threads * max_itemsets`` sets are held before it.
    mode : int, default=MODE_AUTO
        ``MODE_TREE``: mine the top-level FP-tree; ``MODE_ROWS``: read the top-level items'
        conditional databases from the transactions (no top-level tree); ``MODE_AUTO``: rows
        when a transaction holds on average under 10% of the frequent items. The result is
        the same.

    Returns
    -------
    items : ndarray of shape (n_entries_out,), int32
        Ranks of the items of every set, one set after another.
    offsets : ndarray of shape (n_sets + 1,), int64
        Set ``s`` is ``items[offsets[s]:offsets[s + 1]]``.
    supports : ndarray of shape (n_sets,), int64
        Number of transactions containing each set.
    n_tree_nodes : int
        Nodes of the FP-tree of all transactions, root included; 0 in rows mode, where it is
        not built.
    """
    cdef Tree top
    cdef Rows rows
    cdef int64_t* occurrence_start = NULL
    cdef int64_t* occurrence_entry = NULL
    cdef int64_t n_rows = indptr.shape[0] - 1, row, e, scan_cost = 0, length
    cdef bint use_rows
    cdef Workspace* workspaces = NULL
    cdef Workspace* ws
    cdef item_t* owner = NULL
    cdef int64_t* first_set = NULL
    cdef int64_t* last_set = NULL
    cdef int n_workspaces, t, thread, failed = 0
    cdef item_t position, x
    cdef int64_t n_sets = 0, n_entries = 0
    memset(&top, 0, sizeof(Tree))
    if min_count < 1:
        raise ValueError("min_count must be at least 1.")
    if max_len < 1:
        raise ValueError("max_len must be at least 1.")
    if ranks.shape[0] >= np.iinfo(np.int32).max or indptr.shape[0] > np.iinfo(np.int32).max:
        raise ValueError("FP-growth supports fewer than 2**31 - 1 transactions and item entries.")
    if indptr.shape[0] < 1 or indptr[0] != 0 or indptr[n_rows] != ranks.shape[0]:
        raise ValueError("indptr must start at 0 and end at len(ranks).")
    with nogil:
        for row in range(n_rows):
            if indptr[row + 1] < indptr[row]:
                failed = 1
        for e in range(ranks.shape[0]):
            if ranks[e] < 0 or ranks[e] >= n_items:
                failed = 2
    if failed:
        raise ValueError("indptr must be non-decreasing." if failed == 1
                         else "ranks must lie in [0, n_items).")
    if mode == MODE_AUTO:
        use_rows = (n_items > 0 and ranks.shape[0]
                    < MAX_DENSITY_FOR_ROWS * <double>n_rows * <double>n_items)
    elif mode in (MODE_TREE, MODE_ROWS):
        use_rows = mode == MODE_ROWS
    else:
        raise ValueError(f"mode must be MODE_AUTO, MODE_TREE or MODE_ROWS, got {mode}.")
    n_workspaces = max(1, min(n_threads, <int>n_items))
    if use_rows:
        top.n_nodes = 0
        occurrence_start = <int64_t*>calloc(<size_t>n_items + 2, sizeof(int64_t))
        occurrence_entry = <int64_t*>malloc(<size_t>max(ranks.shape[0], 1) * sizeof(int64_t))
        if occurrence_start == NULL or occurrence_entry == NULL:
            free(occurrence_start)
            free(occurrence_entry)
            raise MemoryError("not enough memory for the occurrence lists")
        with nogil:
            # Rows of each item, by a counting sort of the entries; and the work of the
            # conditional counting scans, which sizes the thread count.
            for e in range(ranks.shape[0]):
                occurrence_start[ranks[e] + 2] += 1
            for row in range(n_rows):
                length = indptr[row + 1] - indptr[row]
                scan_cost += length * (length - 1) // 2
            for e in range(n_items):
                occurrence_start[e + 2] += occurrence_start[e + 1]
            for row in range(n_rows):
                for e in range(indptr[row], indptr[row + 1]):
                    occurrence_entry[occurrence_start[ranks[e] + 1]] = indptr[row]
                    occurrence_start[ranks[e] + 1] += 1
        rows.ranks = &ranks[0] if ranks.shape[0] > 0 else NULL
        rows.occurrence_start = occurrence_start
        rows.occurrence_entry = occurrence_entry
        if scan_cost < MIN_SCAN_FOR_THREADS:
            n_workspaces = 1
    else:
        with nogil:
            failed = build_top_tree(&top, indptr, ranks, n_items)
        if failed:
            free_tree(&top)
            raise MemoryError("not enough memory for the FP-tree")
        if top.n_nodes < MIN_NODES_FOR_THREADS:
            n_workspaces = 1
    workspaces = <Workspace*>calloc(n_workspaces, sizeof(Workspace))
    owner = <item_t*>malloc((n_items if n_items > 0 else 1) * sizeof(item_t))
    first_set = <int64_t*>malloc((n_items if n_items > 0 else 1) * sizeof(int64_t))
    last_set = <int64_t*>malloc((n_items if n_items > 0 else 1) * sizeof(int64_t))
    try:
        if workspaces == NULL or owner == NULL or first_set == NULL or last_set == NULL:
            raise MemoryError("not enough memory for the mining workspaces")
        for t in range(n_workspaces):
            if init_workspace(&workspaces[t], n_items, top.n_nodes, max_len, min_count,
                              max_itemsets if max_itemsets >= 0 else INT64_MAX):
                raise MemoryError("not enough memory for the mining workspaces")
        with nogil:
            if n_workspaces == 1:
                for position in range(n_items):
                    x = n_items - 1 - position
                    first_set[x] = workspaces[0].out.n_sets
                    if use_rows:
                        mine_top_item_from_rows(&workspaces[0], &rows, x)
                    else:
                        mine_item(&workspaces[0], &top, x, 0)
                    last_set[x] = workspaces[0].out.n_sets
                    owner[x] = 0
            else:
                with parallel(num_threads=n_workspaces):
                    thread = threadid()
                    for position in prange(n_items, schedule='guided'):
                        x = n_items - 1 - position
                        ws = &workspaces[thread]
                        first_set[x] = ws.out.n_sets
                        if use_rows:
                            mine_top_item_from_rows(ws, &rows, x)
                        else:
                            mine_item(ws, &top, x, 0)
                        last_set[x] = ws.out.n_sets
                        owner[x] = thread
        for t in range(n_workspaces):
            if workspaces[t].failed == 1:
                raise MemoryError(
                    "not enough memory for the frequent itemsets (found "
                    f"{sum(workspaces[u].out.n_sets for u in range(n_workspaces))} so far)")
        for t in range(n_workspaces):
            n_sets += workspaces[t].out.n_sets
            if workspaces[t].failed == 2:
                n_sets = sum(workspaces[u].out.n_sets for u in range(n_workspaces))
                raise OverflowError(n_sets)
        for t in range(n_workspaces):
            n_entries += workspaces[t].out.n_items
        items = np.empty(n_entries, dtype=np.int32)
        offsets = np.empty(n_sets + 1, dtype=np.int64)
        supports = np.empty(n_sets, dtype=np.int64)
        _concatenate(workspaces, owner, first_set, last_set, n_items, items, offsets, supports)
        return items, offsets, supports, int(top.n_nodes)
    finally:
        if workspaces != NULL:
            for t in range(n_workspaces):
                free_workspace(&workspaces[t], n_items)
        free(workspaces)
        free(owner)
        free(first_set)
        free(last_set)
        free(occurrence_start)
        free(occurrence_entry)
        free_tree(&top)


cdef void _concatenate(Workspace* workspaces, item_t* owner, int64_t* first_set, int64_t* last_set,
                       item_t n_items, item_t[::1] items, int64_t[::1] offsets,
                       count_t[::1] supports) noexcept nogil:
    """Copy each top-level item's sets in serial order (last item first) into the outputs."""
    cdef item_t position, x
    cdef int64_t s, cursor_sets = 0, cursor_items = 0, begin, end
    cdef Output* out
    offsets[0] = 0
    for position in range(n_items):
        x = n_items - 1 - position
        out = &workspaces[owner[x]].out
        for s in range(first_set[x], last_set[x]):
            begin = out.ends[s - 1] if s > 0 else 0
            end = out.ends[s]
            memcpy(&items[cursor_items], out.items + begin, (end - begin) * sizeof(item_t))
            cursor_items += end - begin
            supports[cursor_sets] = out.supports[s]
            cursor_sets += 1
            offsets[cursor_sets] = cursor_items
