"""Split search over the features of one node: histograms (hist splitter), then the best split
of each candidate feature (``_split``, ``_exact_split``, ``_random_split``), in parallel over
features when the node is large, reduced in draw order so the tree does not depend on threads.
"""

from cython.parallel import prange, threadid
from libc.math cimport INFINITY
from libc.stdint cimport uint32_t, uint64_t
from libc.stdlib cimport free, malloc
from libc.string cimport memcpy, memset

from ._exact_split cimport best_split_sorted, gather_bins, gather_values
from ._histogram cimport (COUNT_ROWS, COUNTS_FROM_HESSIANS, COUNTS_LEFT_OUT,
                          add_packed_sparse_rows, add_sparse_rows, build_column_histograms,
                          build_packed_histograms,
                          build_feature_histogram_labels, build_histograms,
                          clear_sparse_histograms, count_column_rows, counts_from_hessians,
                          fill_sparse_defaults, packed_gradient, packed_hessian,
                          packed_hessian_units, subtract_histograms, unpack_histograms)
from ._random cimport next_random, random_below, random_uniform
from ._absolute_error cimport random_split_absolute_error
from ._random_split cimport random_split
from ._sort cimport sort_values_with_rows
from ._sparse_split cimport build_sparse_histogram, prepare_sparse_node, sparse_feature_split
from ._split cimport best_split_from_histogram, bounded_second_order_split
from ._workspace cimport (COLUMN_GROUP, GATHER_CHUNK, MAX_BATCH, acquire_histogram,
                          feature_built_by_column, release_histogram)
from ._types cimport ABSOLUTE_ERROR, HIST, RANDOM, MISSING_BIN, N_BINS, BIN_DTYPE_C, X_DTYPE_C, GrowData, GrowParams

# A parallel region costs about a microsecond while the threads are awake (one boosted tree's
# nodes come one after another), but work that one thread writes and another reads (a node's
# gathered statistics, its histograms, the scan's records) crosses between the cores' caches:
# measured on boosting with 2 threads (2,000 to 50,000 rows), histograms of fewer than 32k
# (row, feature) pairs (tens of microseconds) and scans of fewer than 8k values gained nothing
# from a second thread, and 2,000 x 10 fitted 15% faster without splitting them. Sorts, mostly
# met in trees grown one at a time, keep their own threshold. On a machine whose cores are
# busy, a region can cost milliseconds (a thread waits for a core). Units: (row, feature)
# pairs to sort, (row, feature) pairs to add to histograms (a batch's nodes together),
# histogram values (bins x features x channels) to scan.
cdef intp_t MIN_PARALLEL_SORT = 32768
cdef intp_t MIN_PARALLEL_HISTOGRAM = 32768
cdef intp_t MIN_PARALLEL_SCAN = 8192
# Nodes holding less than one row in SCATTERED_DENSITY of the data, and at most
# SCATTERED_MAX_ROWS rows, build their many-bin features' histograms from the row-major bins
# (``build_group``): their rows lie one to a cache line of each column, so a group of four
# columns loads four lines a row where the row-major copy loads one, which the group's next
# passes find in cache. 30 rounds, 2 threads, engine: W-gbdt-multi (200k x 40, 10 classes)
# 5.18-5.19 -> 4.80-5.02 s; W-gbdt and W-gbdt-reg (500k x 28) unchanged (0.96-0.99 s); a
# density of 1/32 left W-gbdt 25% slower (the rows of 15k-row nodes leave the cache). With
# the rows' bins prefetched (``_histogram_groups.h``), 8,192 rows and 1/32 made W-gbdt's
# nodes of 4k-8k rows faster to build (2.3 -> 1.7 ns an addition) but neither fit faster
# (W-gbdt-multi 3.17-3.26 s against 3.22-3.31, 30 rounds).
cdef intp_t SCATTERED_DENSITY = 64
cdef intp_t SCATTERED_MAX_ROWS = 4096
# A group's positions in the row-major bins, relative to its first feature (a group of
# row-major features has fewer than COLUMN_GROUP * N_BINS entries, at least one a feature).
cdef intp_t GROUP_POSITIONS[COLUMN_GROUP * N_BINS]
for _position in range(COLUMN_GROUP * N_BINS):
    GROUP_POSITIONS[_position] = _position
# Rows times features from which features' rows are recounted in parallel.
cdef intp_t MIN_PARALLEL_RECOUNT = 32768
# Nodes with fewer rows read row-major copies of the data when there are some: each row's
# features share cache lines, so a small node's data stays cached across its features.
cdef intp_t ROW_MAJOR_MAX_ROWS = 2048
# A node's gathered statistics are summed by chunks of GATHER_CHUNK rows (``gather_statistics``),
# which threads share from MIN_PARALLEL_GATHER rows (a chunk is about 15 microseconds of work).
cdef intp_t MIN_PARALLEL_GATHER = 2 * GATHER_CHUNK
# Nodes of this many rows build their dense histograms in runs of groups (one a thread),
# HISTOGRAM_ROW_BLOCK rows at a time (``build_group_run``): a block's row indices and
# statistics (192 kB) stay cached while the run's groups read them. W-gbdt, 500k rows, 2
# threads: 3.90 -> 3.62 s (blocks of 2k, 4k, 16k rows: 3.86-3.92, 3.78, 3.78-3.80 s; from 16k,
# 64k or 128k rows: 3.68-3.75, 3.66-3.67, 3.71-3.76 s); one thread unchanged.
cdef intp_t BLOCKED_MIN_ROWS = 32768
# Sparse features of nodes of 2 * SPARSE_PART_MIN_ROWS rows or more, whose histograms take at
# most SPARSE_PARTS_MAX_BYTES (one-hot data), are built by parts of the rows, each part by
# one task into a histogram of its own, the parts then added in order (``run_job_task``, ``finish_job``):
# the parts are fixed by the node's size, so the sums do not depend on the threads. One task
# for every sparse feature kept a large node's other tasks waiting on it.
cdef intp_t SPARSE_PART_MIN_ROWS = 8192
cdef intp_t SPARSE_PARTS_MAX_BYTES = 1 << 18
cdef intp_t HISTOGRAM_ROW_BLOCK = 8192


cdef void gather_node_statistics(Workspace* ws, intp_t start, intp_t end) noexcept nogil:
    """Copy the hessians and the gradients (or labels) of rows ``samples[start:end]`` to
    ``gathered_*[start:end]``, in that order: every feature's search then reads them by
    position from small arrays, not the whole data's at random (exact and random splitters on
    dense X). Done for the root; partitions move them with the rows."""
    cdef intp_t n_channels = ws.data.n_channels, n_outputs = ws.params.n_outputs
    cdef intp_t i, k, row
    cdef const intp_t* labels = ws.data.labels
    cdef bint unit = True
    for i in range(start, end):
        row = ws.samples[i]
        ws.gathered_hessians[i] = ws.hessians[row]
        unit = unit and ws.hessians[row] == 1.0
        if labels != NULL:
            for k in range(n_outputs):
                ws.gathered_labels[i * n_outputs + k] = labels[row * n_outputs + k]
        else:
            for k in range(n_channels):
                ws.gathered_gradients[i * n_channels + k] = ws.gradients[row * n_channels + k]
    ws.unit_hessians = unit


cdef void build_node_histogram(Workspace* ws, intp_t start, intp_t end, double* histogram,
                               double* parent) noexcept nogil:
    """Fill ``histogram`` with the histograms of the rows ``samples[start:end]``; when
    ``parent`` is not NULL (the node's parent's histogram), leave in it the sibling's
    histogram: the parent's minus this node's (the subtraction trick). Each task subtracts the
    features it just built, while they are in its cache, in parallel with the others."""
    cdef const GrowData* data = ws.data
    cdef intp_t n_channels = data.n_channels, stride = data.n_channels + 2
    cdef intp_t i, t, f, n_rows = end - start, n_tasks
    cdef HistogramJob job
    cdef const intp_t* rows = ws.samples + start
    if data.csr_indptr != NULL:
        build_sparse_histogram(ws, start, end, histogram)
        if parent != NULL:
            subtract_histograms(parent, histogram, ws.histogram_size)
        return
    if data.labels != NULL:
        # Labels: only the hessians are gathered (n_rows x n_classes would not fit).
        for i in range(n_rows):
            ws.ordered_stats[i] = ws.hessians[rows[i]]
        for f in prange(data.n_features, schedule='static', num_threads=ws.params.n_threads,
                        use_threads_if=ws.params.n_threads > 1
                        and n_rows * data.n_features >= MIN_PARALLEL_HISTOGRAM):
            build_feature_histogram_labels(data.binned + f * data.n_samples, rows, n_rows,
                                           data.labels, ws.params.n_outputs,
                                           ws.ordered_stats, n_channels,
                                           data.n_bins_non_missing[f],
                                           histogram + ws.histogram_offsets[f] * stride)
        if parent != NULL:
            subtract_histograms(parent, histogram, ws.histogram_size)
        return
    if ws.root_gathered:
        # The root's statistics were gathered with its sums (``_grower.grow_tree``).
        ws.root_gathered = False
    else:
        gather_statistics(ws, rows, n_rows, ws.ordered_stats, ws.node_totals)
    # Tasks: the sparse features' parts (when there are some), then the dense units. Every
    # entry adds its rows in row order whichever thread builds it.
    job.start, job.end, job.histogram, job.parent = start, end, histogram, parent
    job.first_task = 0
    n_tasks = plan_job(ws, &job)
    if (ws.params.n_threads > 1 and n_tasks > 1
            and n_rows * ws.histogram_width >= MIN_PARALLEL_HISTOGRAM):
        for t in prange(n_tasks, schedule='dynamic', num_threads=ws.params.n_threads):
            run_job_task(ws, &job, t, ws.ordered_stats, ws.node_totals)
    else:
        for t in range(n_tasks):
            run_job_task(ws, &job, t, ws.ordered_stats, ws.node_totals)
    finish_job(ws, &job, ws.node_totals)


cdef inline double* stats_at(const Workspace* ws, const double* stats,
                            intp_t position) noexcept nogil:
    """Where the statistics of row ``position`` of a gather starting at ``stats`` are."""
    if ws.packed_stats:
        return <double*>(<const uint64_t*>stats + position)
    return <double*>(stats + position * (ws.data.n_channels + 1))


cdef inline intp_t n_gather_chunks(intp_t n_rows) noexcept nogil:
    return max(1, (n_rows + GATHER_CHUNK - 1) // GATHER_CHUNK)


cdef void gather_chunk(const Workspace* ws, const intp_t* rows, intp_t n_rows, double* stats,
                       double* sums, double* extremes) noexcept nogil:
    """Gather the rows' gradients and hessian packed (``stats[i]`` is row ``rows[i]``'s) and
    write their sums, in row order, to ``sums``; one channel: the smallest and the largest
    hessian to ``extremes``. ``packed_stats``: each row's as one packed integer."""
    cdef intp_t i, k, row, n_channels = ws.data.n_channels, n_stats = ws.data.n_channels + 1
    cdef const double* gradients = ws.gradients
    cdef const double* hessians = ws.hessians
    cdef double gradient, hessian, gradient_sum = 0.0, hessian_sum = 0.0
    cdef double low = INFINITY, high = -INFINITY
    cdef uint64_t* packed = <uint64_t*>stats
    cdef const uint64_t* packed_statistics = ws.data.packed_statistics
    cdef uint64_t word, word_sum = 0, hessian_units
    cdef uint64_t low_units = 0xFFFFFFFFu, high_units = 0
    if ws.packed_stats:
        # One word a row; the words' sum is the words of the sums (exact: the float64 sums of
        # the quantised values, bit for bit).
        for i in range(n_rows):
            word = packed_statistics[rows[i]]
            packed[i] = word
            word_sum += word
            hessian_units = packed_hessian_units(word)
            low_units = hessian_units if hessian_units < low_units else low_units
            high_units = hessian_units if hessian_units > high_units else high_units
        sums[0] = packed_gradient(word_sum, ws.data.gradient_scale)
        sums[1] = packed_hessian(word_sum, ws.data.hessian_scale)
        extremes[0] = <double>low_units * ws.data.hessian_scale if n_rows > 0 else INFINITY
        extremes[1] = <double>high_units * ws.data.hessian_scale if n_rows > 0 else -INFINITY
        return
    if n_channels == 1 and ws.unit_hessians:
        # Every hessian 1 (unweighted squared error): not read.
        for i in range(n_rows):
            gradient = gradients[rows[i]]
            stats[2 * i] = gradient
            stats[2 * i + 1] = 1.0
            gradient_sum += gradient
            hessian_sum += 1.0
        sums[0] = gradient_sum
        sums[1] = hessian_sum
        extremes[0] = extremes[1] = 1.0
        return
    if n_channels == 1:
        # Boosting's case, its sums in registers: the generic loops below keep them in memory
        # (``sums`` may alias ``stats``), a chain of stores and reloads through every row.
        # The same additions in the same order.
        for i in range(n_rows):
            row = rows[i]
            gradient = gradients[row]
            hessian = hessians[row]
            stats[2 * i] = gradient
            stats[2 * i + 1] = hessian
            gradient_sum += gradient
            hessian_sum += hessian
            low = hessian if hessian < low else low
            high = hessian if hessian > high else high
        sums[0] = gradient_sum
        sums[1] = hessian_sum
        extremes[0] = low
        extremes[1] = high
        return
    for k in range(n_stats):
        sums[k] = 0.0
    for i in range(n_rows):
        row = rows[i]
        for k in range(n_channels):
            stats[i * n_stats + k] = ws.gradients[row * n_channels + k]
        stats[i * n_stats + n_channels] = ws.hessians[row]
        for k in range(n_stats):
            sums[k] += stats[i * n_stats + k]


cdef void add_chunk_sums(const double* chunk_sums, intp_t n_chunks, intp_t n_stats,
                         double* totals) noexcept nogil:
    """``totals``: the chunks' sums added in chunk order."""
    cdef intp_t c, k
    for k in range(n_stats):
        totals[k] = 0.0
    for c in range(n_chunks):
        for k in range(n_stats):
            totals[k] += chunk_sums[c * n_stats + k]


cdef void sum_chunk(const Workspace* ws, const intp_t* rows, intp_t n_rows,
                    double* sums) noexcept nogil:
    """One chunk of ``sum_batch_statistics``: its rows' (gradient, hessian) sums in row order
    (packed statistics: the words' sum, as a uint64 in ``sums[0]``)."""
    cdef intp_t i
    cdef double gradient = 0.0, hessian = 0.0
    cdef uint64_t word_sum = 0
    cdef const uint64_t* packed_statistics = ws.data.packed_statistics
    if ws.packed_stats:
        for i in range(n_rows):
            word_sum += packed_statistics[rows[i]]
        memcpy(sums, &word_sum, sizeof(uint64_t))
        return
    for i in range(n_rows):
        gradient += ws.gradients[rows[i]]
        hessian += ws.hessians[rows[i]]
    sums[0] = gradient
    sums[1] = hessian


cdef void add_summed_chunks(const Workspace* ws, const double* chunk_sums, intp_t n_chunks,
                            double* totals) noexcept nogil:
    """The totals of ``sum_chunk``'s chunks, added in order (packed words: exactly)."""
    cdef intp_t c
    cdef uint64_t word_sum = 0, word
    if ws.packed_stats:
        for c in range(n_chunks):
            memcpy(&word, chunk_sums + 2 * c, sizeof(uint64_t))
            word_sum += word
        totals[0] = packed_gradient(word_sum, ws.data.gradient_scale)
        totals[1] = packed_hessian(word_sum, ws.data.hessian_scale)
        return
    totals[0] = 0.0
    totals[1] = 0.0
    for c in range(n_chunks):
        totals[0] += chunk_sums[2 * c]
        totals[1] += chunk_sums[2 * c + 1]


cdef void sum_batch_statistics(const Workspace* ws, const intp_t* starts, const intp_t* ends,
                               intp_t n_ranges, double* totals) noexcept nogil:
    """The (gradient, hessian) totals of the rows ``samples[starts[j]:ends[j]]`` into
    ``totals[2 j]``, ``totals[2 j + 1]`` for each of ``n_ranges`` (at most MAX_BATCH) ranges,
    one channel, as ``gather_statistics`` sums them (by chunks of GATHER_CHUNK rows in row
    order, the chunks added in order; packed statistics: the words' sum, exact), without
    gathering: the sums of nodes whose histograms are not built are those they would have
    had. The chunks are shared among the threads (the same sums). A batch's children without
    histograms were summed one after another on one thread: W-gbdt, 2 threads, 0.66 ms a
    tree."""
    cdef intp_t j, c, chunk, n_chunks = 0, n_rows = 0
    cdef intp_t first_chunk[MAX_BATCH + 1]
    for j in range(n_ranges):
        first_chunk[j] = n_chunks
        n_chunks += n_gather_chunks(ends[j] - starts[j])
        n_rows += ends[j] - starts[j]
    first_chunk[n_ranges] = n_chunks
    for c in prange(n_chunks, schedule='dynamic', num_threads=ws.params.n_threads,
                    use_threads_if=ws.params.n_threads > 1 and n_rows >= MIN_PARALLEL_GATHER):
        j = 0
        while first_chunk[j + 1] <= c:
            j = j + 1
        chunk = (c - first_chunk[j]) * GATHER_CHUNK
        sum_chunk(ws, ws.samples + starts[j] + chunk,
                  min(GATHER_CHUNK, ends[j] - starts[j] - chunk), ws.chunk_sums + 2 * c)
    for j in range(n_ranges):
        add_summed_chunks(ws, ws.chunk_sums + 2 * first_chunk[j],
                          first_chunk[j + 1] - first_chunk[j], totals + 2 * j)


cdef void gather_statistics(const Workspace* ws, const intp_t* rows, intp_t n_rows,
                            double* stats, double* totals, double* extremes=NULL) noexcept nogil:
    """Gather the rows' gradients and hessian once, packed (``stats[i]`` is row ``rows[i]``'s),
    so that the histogram loops read them sequentially; their totals come with them (the
    sparse histograms and the grower's child sums read them), summed by chunks of
    ``GATHER_CHUNK`` rows in row order, the chunks then added in order: the same totals
    whether the chunks are gathered by one thread or several. Large nodes are gathered in
    parallel. ``extremes`` (one channel, or NULL): the rows' smallest and largest hessian (NaN
    compares false: the caller checks the totals)."""
    cdef intp_t c, first, n_stats = ws.data.n_channels + 1
    cdef intp_t n_chunks = n_gather_chunks(n_rows)
    if ws.params.n_threads > 1 and n_rows >= MIN_PARALLEL_GATHER:
        for c in prange(n_chunks, schedule='static', num_threads=ws.params.n_threads):
            first = c * GATHER_CHUNK
            gather_chunk(ws, rows + first, min(GATHER_CHUNK, n_rows - first),
                         stats_at(ws, stats, first), ws.chunk_sums + c * n_stats,
                         ws.chunk_extremes + 2 * c)
    else:
        for c in range(n_chunks):
            first = c * GATHER_CHUNK
            gather_chunk(ws, rows + first, min(GATHER_CHUNK, n_rows - first),
                         stats_at(ws, stats, first), ws.chunk_sums + c * n_stats,
                         ws.chunk_extremes + 2 * c)
    add_chunk_sums(ws.chunk_sums, n_chunks, n_stats, totals)
    if extremes != NULL and n_stats == 2:
        extremes[0] = INFINITY
        extremes[1] = -INFINITY
        for c in range(n_chunks):
            extremes[0] = min(extremes[0], ws.chunk_extremes[2 * c])
            extremes[1] = max(extremes[1], ws.chunk_extremes[2 * c + 1])


cdef void build_batch_histograms(Workspace* ws, HistogramJob* jobs,
                                 intp_t n_jobs) noexcept nogil:
    """The histograms of several nodes of one channel (dense data, gradients): the same
    gathers and tasks as ``build_node_histogram`` node by node, the same bits, but shared among
    the threads together: tasks of (node, column group), where a small node alone has too
    few to share."""
    cdef intp_t j, t, c, task, work = 0, n_chunks = 0, n_tasks = 0
    cdef HistogramJob* job
    for j in range(n_jobs):
        work += (jobs[j].end - jobs[j].start) * ws.histogram_width
        # Each job's gather in its own chunks (their sums those of gather_statistics), and
        # its tasks after the jobs' before it.
        jobs[j].first_chunk = n_chunks
        n_chunks += n_gather_chunks(jobs[j].end - jobs[j].start)
        jobs[j].first_task = n_tasks
        n_tasks += plan_job(ws, &jobs[j])
    if ws.params.n_threads > 1 and n_tasks > 1 and work >= MIN_PARALLEL_HISTOGRAM:
        for c in prange(n_chunks, schedule='dynamic', num_threads=ws.params.n_threads):
            gather_job_chunk(ws, jobs, n_jobs, c)
        for j in range(n_jobs):
            add_chunk_sums(ws.chunk_sums + 2 * jobs[j].first_chunk,
                           n_gather_chunks(jobs[j].end - jobs[j].start), 2, jobs[j].totals)
        for task in prange(n_tasks, schedule='dynamic', num_threads=ws.params.n_threads):
            j = 0
            while j + 1 < n_jobs and jobs[j + 1].first_task <= task:
                j = j + 1
            run_job_task(ws, &jobs[j], task - jobs[j].first_task,
                         ws.ordered_stats + 2 * jobs[j].start, jobs[j].totals)
    else:
        for j in range(n_jobs):
            job = &jobs[j]
            gather_statistics(ws, ws.samples + job.start, job.end - job.start,
                              ws.ordered_stats + 2 * job.start, job.totals)
            for t in range(job.first_task, n_tasks if j + 1 == n_jobs else jobs[j + 1].first_task):
                run_job_task(ws, job, t - job.first_task, ws.ordered_stats + 2 * job.start,
                             job.totals)
    for j in range(n_jobs):
        finish_job(ws, &jobs[j], jobs[j].totals)


cdef intp_t plan_job(Workspace* ws, HistogramJob* job) noexcept nogil:
    """Set the job's sparse parts (their histograms acquired; one part when none can be) and
    return its number of tasks: the parts, then the dense units (``n_dense_units``)."""
    cdef intp_t p, q, n_rows = job.end - job.start
    job.n_parts = 0
    if ws.data.n_sparse > 0:
        job.n_parts = 1
        if (ws.data.n_channels == 1 and n_rows >= 2 * SPARSE_PART_MIN_ROWS
                and ws.histogram_size * <intp_t>sizeof(double) <= SPARSE_PARTS_MAX_BYTES):
            job.n_parts = min(<intp_t>MAX_SPARSE_PARTS, n_rows // SPARSE_PART_MIN_ROWS)
            for p in range(1, job.n_parts):
                job.parts[p] = acquire_histogram(ws)
                if job.parts[p] == NULL:
                    for q in range(1, p):
                        release_histogram(ws, job.parts[q])
                    job.n_parts = 1
                    break
    return job.n_parts + n_dense_units(ws, n_rows)


cdef void run_job_task(const Workspace* ws, HistogramJob* job, intp_t task,
                       const double* ordered_stats, const double* totals) noexcept nogil:
    """Task ``task`` of the job (``plan_job``): a part of the rows of the sparse features, or
    a dense unit."""
    cdef const GrowData* data = ws.data
    cdef intp_t first, last, n_rows = job.end - job.start
    cdef const intp_t* rows = ws.samples + job.start
    cdef double* target
    if task >= job.n_parts:
        build_dense_unit(ws, task - job.n_parts, rows, n_rows, ordered_stats, job.histogram,
                         job.parent)
        return
    # Part ``task`` of the rows, into the node's histogram (part 0) or its own; a single part
    # is finished here, while its entries are in this task's cache.
    first = task * n_rows // job.n_parts
    last = (task + 1) * n_rows // job.n_parts
    target = job.histogram if task == 0 else job.parts[task]
    clear_sparse_histograms(data.n_channels, data.n_sparse, data.sparse_features,
                            data.n_bins_non_missing, ws.histogram_offsets, target)
    if ws.packed_stats:
        add_packed_sparse_rows(data.sparse_row_starts, data.sparse_entries, rows + first,
                               last - first, <const uint64_t*>ordered_stats + first,
                               data.gradient_scale, data.hessian_scale, target)
    else:
        add_sparse_rows(data.sparse_row_starts, data.sparse_entries, rows + first,
                        last - first, ordered_stats + (data.n_channels + 1) * first,
                        data.n_channels, target)
    if job.n_parts == 1:
        finish_sparse(ws, job, totals)


cdef void finish_sparse(const Workspace* ws, const HistogramJob* job,
                        const double* totals) noexcept nogil:
    """The sparse features' default bins (the node's totals minus their other entries), then
    the subtraction from the parent's histogram."""
    cdef const GrowData* data = ws.data
    cdef intp_t j, f
    fill_sparse_defaults(job.end - job.start, totals, data.n_channels, data.n_sparse,
                         data.sparse_features, data.sparse_default_slots,
                         data.n_bins_non_missing, ws.histogram_offsets, job.histogram)
    if job.parent != NULL:
        for j in range(data.n_sparse):
            f = data.sparse_features[j]
            subtract_feature(job.parent, job.histogram, ws.histogram_offsets[f],
                             data.n_bins_non_missing[f], data.n_channels + 2)


cdef void finish_job(Workspace* ws, HistogramJob* job, const double* totals) noexcept nogil:
    """Once its tasks are done: a job of several sparse parts adds the parts' entries to the
    node's in part order, then finishes the sparse features (``finish_sparse``)."""
    cdef const GrowData* data = ws.data
    cdef intp_t j, f, p, e, first, size, stride = data.n_channels + 2
    cdef double* histogram = job.histogram
    if job.n_parts <= 1:
        return
    for j in range(data.n_sparse):
        f = data.sparse_features[j]
        first = ws.histogram_offsets[f] * stride
        size = (data.n_bins_non_missing[f] + 1) * stride
        for e in range(first, first + size):
            for p in range(1, job.n_parts):
                histogram[e] += job.parts[p][e]
    for p in range(1, job.n_parts):
        release_histogram(ws, job.parts[p])
    finish_sparse(ws, job, totals)


cdef void gather_job_chunk(const Workspace* ws, const HistogramJob* jobs, intp_t n_jobs,
                           intp_t chunk) noexcept nogil:
    """Gather the batch's ``chunk``-th chunk of rows (chunks numbered job after job)."""
    cdef intp_t j = 0, first, n_rows
    while j + 1 < n_jobs and jobs[j + 1].first_chunk <= chunk:
        j += 1
    first = (chunk - jobs[j].first_chunk) * GATHER_CHUNK
    n_rows = jobs[j].end - jobs[j].start
    gather_chunk(ws, ws.samples + jobs[j].start + first, min(GATHER_CHUNK, n_rows - first),
                 stats_at(ws, ws.ordered_stats + 2 * jobs[j].start, first),
                 ws.chunk_sums + 2 * chunk,
                 ws.chunk_extremes + 2 * chunk)


cdef inline void subtract_feature(double* parent, const double* histogram, intp_t offset,
                                  intp_t n_bins_non_missing, intp_t stride) noexcept nogil:
    # One feature's entries (its bins and missing values' entry) of the subtraction trick.
    subtract_histograms(parent + offset * stride, histogram + offset * stride,
                        (n_bins_non_missing + 1) * stride)


cdef inline int dense_counting(const Workspace* ws) noexcept nogil:
    """How the dense histograms' row counts are made (``_histogram.pxd``)."""
    if ws.unit_hessians:
        return COUNTS_FROM_HESSIANS
    if ws.count_bounds.active:
        return COUNTS_LEFT_OUT
    return COUNT_ROWS


cdef enum:
    # Where a group's bins are read from (``group_source``).
    SCATTERED_ROWS = 0      # columns' features, from the row-major bins
    COLUMNS = 1             # columns' features, from their columns
    ROWS = 2                # row-major features, row by row


cdef inline int group_source(const Workspace* ws, intp_t group, intp_t n_rows) noexcept nogil:
    """How the ``group``-th group of dense features is read for a node of ``n_rows`` rows:
    row by row over the row-major bins, or from their columns, four at a time (from the
    row-major bins when the node's rows are scattered)."""
    cdef const GrowData* data = ws.data
    cdef intp_t first = ws.group_starts[group]
    if not feature_built_by_column(data, ws.dense_n_bins[first] + 1):
        return ROWS
    if (dense_row_major(data) != NULL and n_rows <= SCATTERED_MAX_ROWS
            and n_rows * SCATTERED_DENSITY < data.n_samples):
        return SCATTERED_ROWS
    return COLUMNS


cdef inline const BIN_DTYPE_C* dense_row_major(const GrowData* data) noexcept nogil:
    """The dense features' row-major bins: their own copy beside sparse features."""
    return data.dense_rows if data.n_sparse > 0 else data.binned_rows


cdef inline intp_t dense_row_stride(const GrowData* data) noexcept nogil:
    return data.n_dense if data.n_sparse > 0 else data.n_features


cdef void build_packed_group(const Workspace* ws, intp_t group, const intp_t* rows,
                             intp_t n_rows, intp_t node_rows, const uint64_t* packed,
                             intp_t first_offset, uint64_t* packed_histogram) noexcept nogil:
    """Add the rows' packed statistics (``packed_stats``) to the packed histograms of the
    ``group``-th group of dense features, read as ``build_group`` reads them; dense feature
    j's entries start at ``packed_histogram + dense_offsets[j] - first_offset``."""
    build_packed_features(ws, ws.group_starts[group],
                          ws.group_starts[group + 1] - ws.group_starts[group],
                          group_source(ws, group, node_rows), rows, n_rows, packed,
                          first_offset, packed_histogram)


cdef void build_packed_features(const Workspace* ws, intp_t first, intp_t size, int source,
                                const intp_t* rows, intp_t n_rows, const uint64_t* packed,
                                intp_t first_offset, uint64_t* packed_histogram) noexcept nogil:
    """``build_packed_group`` of the dense features ``first:first + size`` of one group."""
    cdef const GrowData* data = ws.data
    if source == COLUMNS:
        build_packed_histograms(data.binned, 1, ws.dense_features + first, size,
                                data.n_samples, rows, n_rows, packed, ws.dense_n_bins + first,
                                ws.dense_offsets + first, first_offset, packed_histogram,
                                ws.root_in_order)
    else:
        build_packed_histograms(dense_row_major(data) + first, dense_row_stride(data),
                                GROUP_POSITIONS, size, 1, rows, n_rows, packed,
                                ws.dense_n_bins + first, ws.dense_offsets + first,
                                first_offset, packed_histogram, ws.root_in_order)


cdef inline intp_t group_entries(const Workspace* ws, intp_t first_group,
                                 intp_t last_group) noexcept nogil:
    """The histogram entries of the dense groups ``first_group:last_group`` (consecutive)."""
    cdef intp_t last = ws.group_starts[last_group] - 1
    return (ws.dense_offsets[last] + ws.dense_n_bins[last] + 1
            - ws.dense_offsets[ws.group_starts[first_group]])


cdef void unpack_groups(const Workspace* ws, intp_t first_group, intp_t last_group,
                        const uint64_t* packed_histogram, bint accumulate,
                        double* histogram) noexcept nogil:
    """The float64 entries of the dense groups ``first_group:last_group`` from their packed
    ones (``packed_histogram``, from the first group's first entry)."""
    cdef intp_t first = ws.group_starts[first_group]
    unpack_histograms(packed_histogram, ws.dense_offsets[first],
                      ws.group_starts[last_group] - first, ws.dense_n_bins + first,
                      ws.dense_offsets + first, ws.data.gradient_scale,
                      ws.data.hessian_scale, accumulate, histogram)


cdef void build_group(const Workspace* ws, intp_t group, const intp_t* rows, intp_t n_rows,
                      intp_t node_rows, const double* ordered_stats, double* histogram,
                      bint accumulate) noexcept nogil:
    """The histograms of the ``group``-th group of dense features over ``rows[:n_rows]``, a
    node of ``node_rows`` rows or a block of them, read as ``group_source`` says for the
    node (``accumulate``: as ``build_histograms``); packed statistics are added as integers
    first, on the stack (a group holds at most COLUMN_GROUP * N_BINS entries)."""
    cdef const GrowData* data = ws.data
    cdef intp_t first = ws.group_starts[group], size = ws.group_starts[group + 1] - first
    cdef int source = group_source(ws, group, node_rows)
    cdef const BIN_DTYPE_C* row_major = dense_row_major(data)
    cdef intp_t row_stride = dense_row_stride(data)
    cdef uint64_t stack_histogram[COLUMN_GROUP * N_BINS]
    cdef uint64_t* packed_histogram = stack_histogram
    cdef intp_t j, n_entries
    if ws.packed_stats:
        # The group's entries from its first to its last feature's: sparse features' may lie
        # between, and then they may not fit on the stack.
        n_entries = group_entries(ws, group, group + 1)
        if n_entries > COLUMN_GROUP * N_BINS:
            packed_histogram = <uint64_t*>malloc(n_entries * sizeof(uint64_t))
        if packed_histogram != NULL:
            memset(packed_histogram, 0, n_entries * sizeof(uint64_t))
            build_packed_group(ws, group, rows, n_rows, node_rows,
                               <const uint64_t*>ordered_stats, ws.dense_offsets[first],
                               packed_histogram)
            unpack_groups(ws, group, group + 1, packed_histogram, accumulate, histogram)
        else:
            # Out of memory: one feature at a time on the stack.
            for j in range(first, first + size):
                memset(stack_histogram, 0, (ws.dense_n_bins[j] + 1) * sizeof(uint64_t))
                build_packed_features(ws, j, 1, source, rows, n_rows,
                                      <const uint64_t*>ordered_stats, ws.dense_offsets[j],
                                      stack_histogram)
                unpack_histograms(stack_histogram, ws.dense_offsets[j], 1, ws.dense_n_bins + j,
                                  ws.dense_offsets + j, data.gradient_scale,
                                  data.hessian_scale, accumulate, histogram)
        if packed_histogram != stack_histogram:
            free(packed_histogram)
        if dense_counting(ws) == COUNTS_FROM_HESSIANS and not accumulate:
            counts_from_hessians(histogram, ws.dense_n_bins + first, ws.dense_offsets + first,
                                 size)
    elif source == SCATTERED_ROWS:
        build_column_histograms(row_major + first, 0, GROUP_POSITIONS, size, rows, n_rows,
                                ordered_stats, data.n_channels, ws.dense_n_bins + first,
                                ws.dense_offsets + first, histogram, dense_counting(ws),
                                accumulate, row_stride)
    elif source == COLUMNS:
        build_column_histograms(data.binned, data.n_samples, ws.dense_features + first, size,
                                rows, n_rows, ordered_stats, data.n_channels,
                                ws.dense_n_bins + first, ws.dense_offsets + first, histogram,
                                dense_counting(ws), accumulate, 0, ws.root_in_order)
    else:
        build_histograms(row_major + first, row_stride, rows, n_rows, ordered_stats,
                         data.n_channels, size, ws.dense_n_bins + first,
                         ws.dense_offsets + first, histogram, dense_counting(ws), accumulate)


cdef void subtract_groups(const Workspace* ws, intp_t first_group, intp_t last_group,
                          const double* histogram, double* parent) noexcept nogil:
    cdef intp_t j, stride = ws.data.n_channels + 2
    for j in range(ws.group_starts[first_group], ws.group_starts[last_group]):
        subtract_feature(parent, histogram, ws.dense_offsets[j], ws.dense_n_bins[j], stride)


cdef void build_group_run(const Workspace* ws, intp_t first_group, intp_t last_group,
                          const intp_t* rows, intp_t n_rows, const double* ordered_stats,
                          double* histogram, double* parent) noexcept nogil:
    """The histograms of the dense groups ``first_group:last_group`` of a large node, block
    of rows by block of rows: a block's row indices and statistics are read from memory once
    for all the groups instead of once a group (a large node's are megabytes, and a group's
    pass over them was bound by memory). Every entry still adds its rows in row order."""
    cdef intp_t g, j, block, n_block, n_entries, stride = ws.data.n_channels + 2
    # Packed statistics: the run's packed entries, added as integers over all the blocks
    # (NULL, out of memory: each block's groups added in float64 as they are built).
    cdef uint64_t* packed_histogram = NULL
    if ws.packed_stats:
        n_entries = group_entries(ws, first_group, last_group)
        packed_histogram = <uint64_t*>malloc(n_entries * sizeof(uint64_t))
        if packed_histogram != NULL:
            memset(packed_histogram, 0, n_entries * sizeof(uint64_t))
    for j in range(ws.group_starts[first_group], ws.group_starts[last_group]):
        memset(histogram + ws.dense_offsets[j] * stride, 0,
               (ws.dense_n_bins[j] + 1) * stride * sizeof(double))
    block = 0
    while block < n_rows:
        n_block = min(HISTOGRAM_ROW_BLOCK, n_rows - block)
        for g in range(first_group, last_group):
            if packed_histogram != NULL:
                build_packed_group(ws, g, rows + block, n_block, n_rows,
                                   <const uint64_t*>ordered_stats + block,
                                   ws.dense_offsets[ws.group_starts[first_group]],
                                   packed_histogram)
            else:
                build_group(ws, g, rows + block, n_block, n_rows,
                            stats_at(ws, ordered_stats, block), histogram, True)
        block += n_block
    if packed_histogram != NULL:
        unpack_groups(ws, first_group, last_group, packed_histogram, False, histogram)
        free(packed_histogram)
    if dense_counting(ws) == COUNTS_FROM_HESSIANS:
        counts_from_hessians(histogram, ws.dense_n_bins + ws.group_starts[first_group],
                             ws.dense_offsets + ws.group_starts[first_group],
                             ws.group_starts[last_group] - ws.group_starts[first_group])
    if parent != NULL:
        subtract_groups(ws, first_group, last_group, histogram, parent)


cdef inline bint built_in_blocks(const Workspace* ws, intp_t n_rows) noexcept nogil:
    """Whether a node's dense groups are built in runs of groups, block of rows by block of
    rows (one gradient channel: the statistics' layout ``build_group_run`` reads)."""
    return ws.data.n_channels == 1 and ws.n_groups > 1 and n_rows >= BLOCKED_MIN_ROWS


cdef inline intp_t n_dense_units(const Workspace* ws, intp_t n_rows) noexcept nogil:
    """A node's histogram tasks over its dense features: its groups, or, for a large node,
    one run of groups a thread (the grouping does not change the sums)."""
    if built_in_blocks(ws, n_rows):
        return min(max(ws.params.n_threads, 1), ws.n_groups)
    return ws.n_groups


cdef void build_dense_unit(const Workspace* ws, intp_t unit, const intp_t* rows, intp_t n_rows,
                           const double* ordered_stats, double* histogram,
                           double* parent) noexcept nogil:
    """Dense unit ``unit`` of a node (``n_dense_units``): a group, or a run of groups built
    block by block; then, when ``parent`` is not NULL, its subtraction from the parent's."""
    cdef intp_t n_runs
    if built_in_blocks(ws, n_rows):
        n_runs = n_dense_units(ws, n_rows)
        build_group_run(ws, unit * ws.n_groups // n_runs, (unit + 1) * ws.n_groups // n_runs,
                        rows, n_rows, ordered_stats, histogram, parent)
        return
    build_group(ws, unit, rows, n_rows, n_rows, ordered_stats, histogram, False)
    if parent != NULL:
        subtract_groups(ws, unit, unit + 1, histogram, parent)


cdef bint counted_feature_split(const Workspace* ws, intp_t feature,
                                const SplitContext* context, intp_t start, intp_t end,
                                const double* histogram, SplitRecord* record,
                                double* scratch) noexcept nogil:
    """The search of a dense feature of the node's histogram (``count_bounds``: without row
    counts) once its rows are counted: a copy of its entries at ``scratch`` with the counts
    of one pass over its bins, searched as counted histograms are."""
    cdef const GrowData* data = ws.data
    cdef intp_t n_bins = data.n_bins_non_missing[feature]
    memcpy(scratch, histogram + ws.histogram_offsets[feature] * 3,
           (n_bins + 1) * 3 * sizeof(double))
    count_column_rows(data.binned + feature * data.n_samples, ws.samples + start, end - start,
                      n_bins, scratch)
    record.found = False
    record.gain = -INFINITY
    record.bin_threshold = 0
    record.unsure_gain = -INFINITY
    # One channel: the scratch past the entries is not read.
    return best_split_from_histogram(feature, scratch, n_bins,
                                     data.bin_thresholds + feature * MISSING_BIN, context,
                                     record, scratch)


cdef void settle_unsure_features(Workspace* ws, const SplitContext* context, intp_t start,
                                 intp_t end, const double* histogram, const intp_t* order,
                                 intp_t n_searched, SplitRecord* records,
                                 double best_gain) noexcept nogil:
    """Hessian-bounded counts: search again, with their rows counted, the features of
    ``order[:n_searched]`` whose undecided candidates may gain as much as the node's best
    split (``best_gain`` at most that of the node's best sure split). The others' sure bests
    are their bests, or lose to the node's best either way: the node's split is that of
    counted histograms."""
    cdef intp_t j, feature, n_unsure = 0
    cdef intp_t* unsure = ws.unsure_features
    for j in range(n_searched):
        feature = order[j]
        if records[feature].found and records[feature].gain > best_gain:
            best_gain = records[feature].gain
    for j in range(n_searched):
        feature = order[j]
        if records[feature].unsure_gain > -INFINITY and records[feature].unsure_gain >= best_gain:
            unsure[n_unsure] = feature
            n_unsure += 1
    if (ws.params.n_threads > 1 and n_unsure > 1
            and (end - start) * n_unsure >= MIN_PARALLEL_RECOUNT):
        for j in prange(n_unsure, schedule='dynamic', num_threads=ws.params.n_threads):
            counted_feature_split(ws, unsure[j], context, start, end, histogram,
                                  &records[unsure[j]], ws.scratch + threadid() * ws.scratch_stride)
    else:
        for j in range(n_unsure):
            counted_feature_split(ws, unsure[j], context, start, end, histogram,
                                  &records[unsure[j]], ws.scratch)


cdef void evaluate_feature(Workspace* ws, intp_t feature, int thread, const SplitContext* context,
                           intp_t start, intp_t end, const double* histogram,
                           SplitRecord* records, unsigned char* constants) noexcept nogil:
    """The best split of one feature of the node into ``records[feature]``, and whether the
    feature is constant there into ``constants[feature]``."""
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
    cdef intp_t i, n_non_missing, bin_threshold
    cdef bint varies
    # Where the feature's values are read: row-major copies for small nodes when given.
    cdef bint row_major = end - start < ROW_MAJOR_MAX_ROWS
    cdef intp_t stride = 1
    cdef const X_DTYPE_C* values = NULL
    cdef const BIN_DTYPE_C* bins = NULL
    if (ws.n_constant_words > 0
            and (ws.node_constant[feature >> 6] >> (feature & 63)) & 1):
        # Constant in an ancestor: no need to read it.
        constants[feature] = True
        records[feature].found = False
        records[feature].gain = -INFINITY
        records[feature].unsure_gain = -INFINITY
        return
    if data.csr_indptr != NULL and histogram == NULL:
        local_record.found = False
        local_record.gain = -INFINITY
        local_record.bin_threshold = 0
        local_record.unsure_gain = -INFINITY
        varies = sparse_feature_split(ws, feature, thread, context, start, end, &local_record)
        constants[feature] = not varies
        records[feature] = local_record
        return
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
    record.unsure_gain = -INFINITY
    if histogram != NULL and context.count_bounds.active and not ws.listed_feature[feature]:
        varies = bounded_second_order_split(
            feature, histogram + ws.histogram_offsets[feature] * 3,
            data.n_bins_non_missing[feature], data.bin_thresholds + feature * MISSING_BIN,
            context, record)
    elif histogram != NULL:
        varies = best_split_from_histogram(
            feature, histogram + ws.histogram_offsets[feature] * (data.n_channels + 2),
            data.n_bins_non_missing[feature], data.bin_thresholds + feature * MISSING_BIN,
            context, record, scratch)
    elif ws.params.splitter == HIST:
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
    elif ws.params.splitter == RANDOM and context.criterion == ABSOLUTE_ERROR:
        varies = random_split_absolute_error(feature, values, stride, ws.samples + start,
                                             end - start, ws.gradients, ws.hessians, context,
                                             ws.feature_uniforms[feature], record, scratch)
    elif ws.params.splitter == RANDOM:
        varies = random_split(feature, values, stride, ws.samples + start, end - start,
                              ws.gathered_gradients + start * data.n_channels,
                              ws.gathered_hessians + start, context,
                              ws.feature_uniforms[feature], record, sort_values, scratch)
    else:
        n_non_missing = gather_values(values, stride, ws.samples + start, end - start,
                                      sort_values, sort_rows)
        sort_values_with_rows(sort_values, sort_rows, n_non_missing, scratch_keys, scratch_rows)
        if context.criterion == ABSOLUTE_ERROR:
            # Its sweep reads per-row target ranks: positions back to row ids.
            for i in range(end - start):
                sort_rows[i] = ws.samples[start + sort_rows[i]]
            varies = best_split_sorted(feature, end - start, n_non_missing, ws.gradients,
                                       ws.hessians, context, record, sort_values, sort_rows,
                                       scratch, False)
        else:
            varies = best_split_sorted(feature, end - start, n_non_missing,
                                       ws.gathered_gradients + start * data.n_channels,
                                       ws.gathered_hessians + start, context, record,
                                       sort_values, sort_rows, scratch, False)
    constants[feature] = not varies
    records[feature] = local_record


cdef inline SplitRecord no_split() noexcept nogil:
    """The best split before any feature is searched: none."""
    cdef SplitRecord record
    record.found = False
    record.gain = -INFINITY
    record.feature = -1
    record.threshold = INFINITY
    record.n_left = 0
    record.bin_threshold = 0
    record.missing_go_left = False
    record.missing_by_majority = False
    record.unsure_gain = -INFINITY
    return record


cdef inline bint is_perfect(const SplitRecord* split, const SplitContext* context) noexcept nogil:
    # A split into two pure children cannot be beaten (later features need a strictly larger
    # gain), so the search stops: in deep trees most nodes are tiny and split perfectly.
    return split.found and split.gain >= context.perfect_gain


cdef SplitRecord find_best_split(Workspace* ws, const SplitContext* context, intp_t start,
                                 intp_t end, const double* histogram) noexcept nogil:
    """Best split over ``max_features`` features drawn in random order, and more, one at a
    time, while every feature drawn was constant (scikit-learn's rule)."""
    cdef const GrowParams* params = ws.params
    cdef intp_t n_features = ws.n_tree_features
    cdef intp_t n_visited = 0, next_position = 0, batch, position, j, feature, swap_with
    cdef bint any_varies = False
    cdef intp_t n_evaluated, work
    cdef SplitRecord best
    cdef bint parallel
    best = no_split()
    # The random splitter keeps the best feature's values for the partition (serial searches).
    cdef bint keep_values = (ws.kept_values != NULL and histogram == NULL
                             and context.criterion != ABSOLUTE_ERROR)
    cdef double kept_gain = -INFINITY
    ws.kept_feature = -1
    if ws.data.csr_indptr != NULL and histogram == NULL:
        prepare_sparse_node(ws, start, end)
    start_node_draws(ws, start, end)
    # Constant features count against max_features, as in scikit-learn (its splitters' loop:
    # at least one drawn feature must vary, so past max_features the draws go on one at a
    # time until one does). A batch is searched in parallel and reduced in draw order: the
    # result does not depend on the thread count.
    while next_position < n_features and (n_visited < params.max_features or not any_varies):
        batch = min(max(params.max_features - n_visited, 1), n_features - next_position)
        # Drawn in random order even when every feature is searched: ties between features
        # are frequent on discrete data, and always preferring low indices biases the tree.
        for position in range(next_position, next_position + batch):
            swap_with = position + random_below(&ws.rng, n_features - position)
            ws.features[position], ws.features[swap_with] = (ws.features[swap_with],
                                                             ws.features[position])
            if params.splitter == RANDOM:
                ws.feature_uniforms[ws.features[position]] = random_uniform(&ws.rng)
        if histogram != NULL:
            work = batch * ws.histogram_size // ws.data.n_features // MIN_PARALLEL_SCAN
        elif ws.data.csr_indptr != NULL:
            # Sparse data: a feature costs its stored entries in the node, not the node's rows.
            work = (ws.node_offsets[ws.data.n_features] * batch
                    // (ws.data.n_features * MIN_PARALLEL_SORT))
        else:
            work = (end - start) * batch // MIN_PARALLEL_SORT
        parallel = params.n_threads > 1 and batch > 1 and work > 0
        n_evaluated = batch
        if parallel:
            for j in prange(batch, schedule='dynamic', num_threads=params.n_threads):
                evaluate_feature(ws, ws.features[next_position + j], threadid(), context,
                                 start, end, histogram, ws.feature_splits, ws.feature_constant)
        else:
            for j in range(batch):
                feature = ws.features[next_position + j]
                evaluate_feature(ws, feature, 0, context, start, end, histogram,
                                 ws.feature_splits, ws.feature_constant)
                # The reduction's rule (found, strictly more gain, in draw order): the feature
                # kept last is the node's best unless a parallel batch found a better one.
                if (keep_values and ws.feature_splits[feature].found
                        and ws.feature_splits[feature].gain > kept_gain):
                    memcpy(ws.kept_values + start, ws.sort_values, (end - start) * sizeof(float))
                    ws.kept_feature = feature
                    kept_gain = ws.feature_splits[feature].gain
                if is_perfect(&ws.feature_splits[feature], context):
                    n_evaluated = j + 1
                    break
        if context.count_bounds.active and histogram != NULL:
            settle_unsure_features(ws, context, start, end, histogram,
                                   ws.features + next_position, n_evaluated, ws.feature_splits,
                                   best.gain)
        # The reduction stops where the serial search stops: the same split either way.
        for position in range(next_position, next_position + n_evaluated):
            feature = ws.features[position]
            n_visited += 1
            if not ws.feature_constant[feature]:
                any_varies = True
            elif ws.n_constant_words > 0:
                ws.node_constant[feature >> 6] |= (<uint64_t>1) << (feature & 63)
            if ws.feature_splits[feature].found and ws.feature_splits[feature].gain > best.gain:
                best = ws.feature_splits[feature]
            if is_perfect(&best, context):
                return best
        next_position += batch
    return best



cdef bint searches_drawn_at_once(const Workspace* ws) noexcept nogil:
    """Whether ``find_best_split`` draws the order of every feature at once and searches them
    all (every feature may be searched; hist splitter): then a node's search can be split into
    ``draw_feature_order``, ``search_jobs`` and ``reduce_job``."""
    return ws.params.max_features >= ws.n_tree_features and ws.params.splitter == HIST


cdef inline void start_node_draws(Workspace* ws, intp_t start, intp_t end) noexcept nogil:
    """With ``node_draws``: the node's own stream, from the tree's seed and the node's rows'
    positions (unique: a child never has both its parent's ends), and the features in their
    given order, so the node's draws do not depend on the nodes drawn before it."""
    cdef uint64_t state
    if not ws.node_draws:
        return
    state = ws.seed ^ (<uint64_t>(ws.row_offset + start) * <uint64_t>0xD1B54A32D192ED03)
    state = next_random(&state) ^ (<uint64_t>(ws.row_offset + end) * <uint64_t>0x9E3779B97F4A7C15)
    ws.rng = next_random(&state)
    memcpy(ws.features, ws.initial_features, ws.n_tree_features * sizeof(intp_t))


cdef void draw_feature_order(Workspace* ws, intp_t start, intp_t end, intp_t* order) noexcept nogil:
    """``find_best_split``'s draws for the node of rows ``samples[start:end]`` (the same
    random stream, the same order), written to ``order``."""
    cdef intp_t position, swap_with, n_features = ws.n_tree_features
    start_node_draws(ws, start, end)
    for position in range(n_features):
        swap_with = position + random_below(&ws.rng, n_features - position)
        ws.features[position], ws.features[swap_with] = (ws.features[swap_with],
                                                         ws.features[position])
    memcpy(order, ws.features, n_features * sizeof(intp_t))


cdef void search_jobs(Workspace* ws, ScanJob* jobs, intp_t n_jobs) noexcept nogil:
    """Every feature of every job's node searched (``evaluate_feature`` into the job's own
    records), in one parallel region of (node, feature) tasks when there is enough work:
    the children of a batch of small nodes, each too small to share among threads."""
    cdef intp_t j, task, work = 0, n_features = ws.n_tree_features
    cdef ScanJob* job
    for j in range(n_jobs):
        if jobs[j].histogram != NULL:
            work += ws.histogram_size // max(ws.data.n_features, 1) * n_features
        else:
            work += ((jobs[j].end - jobs[j].start) * n_features * MIN_PARALLEL_SCAN
                     // MIN_PARALLEL_SORT)
    if ws.params.n_threads > 1 and n_jobs * n_features > 1 and work >= MIN_PARALLEL_SCAN:
        for task in prange(n_jobs * n_features, schedule='dynamic',
                           num_threads=ws.params.n_threads):
            job = &jobs[task // n_features]
            evaluate_feature(ws, job.order[task % n_features], threadid(), &job.context,
                             job.start, job.end, job.histogram, job.records, job.constants)
    else:
        for task in range(n_jobs * n_features):
            job = &jobs[task // n_features]
            evaluate_feature(ws, job.order[task % n_features], 0, &job.context, job.start,
                             job.end, job.histogram, job.records, job.constants)
    for j in range(n_jobs):
        if jobs[j].context.count_bounds.active and jobs[j].histogram != NULL:
            settle_unsure_features(ws, &jobs[j].context, jobs[j].start, jobs[j].end,
                                   jobs[j].histogram, jobs[j].order, n_features, jobs[j].records,
                                   -INFINITY)


cdef SplitRecord reduce_job(const Workspace* ws, const ScanJob* job) noexcept nogil:
    """``find_best_split``'s reduction of one searched node: in draw order, the first of the
    largest gains, stopping at a perfect split (the split the serial search returns)."""
    cdef intp_t position, feature
    cdef SplitRecord best
    best = no_split()
    for position in range(ws.n_tree_features):
        feature = job.order[position]
        if job.records[feature].found and job.records[feature].gain > best.gain:
            best = job.records[feature]
        if is_perfect(&best, &job.context):
            break
    return best
