"""Transactions in and item sets out: the Python-object ends of FP-growth.

- ``encode_transactions``: iterables of hashable items to integer ids in CSR form (one pass, a
  dict from item to id, duplicates within a transaction dropped);
- ``rank_transactions``: ids to frequency ranks, infrequent items dropped, each transaction sorted;
- ``itemsets_as_tuples``: the mined flat arrays to tuples of the original labels.
"""

from cpython.dict cimport PyDict_GetItem, PyDict_SetItem
from cpython.object cimport PyObject
from cpython.ref cimport Py_INCREF
from cpython.tuple cimport PyTuple_New, PyTuple_SET_ITEM
from libc.stdint cimport int32_t, int64_t
from libc.stdlib cimport qsort

import numpy as np


def encode_transactions(transactions):
    """Map each distinct item to an integer id, in order of first appearance.

    Parameters
    ----------
    transactions : iterable of iterables of hashable
        One iterable of items per transaction; an item repeated within a transaction counts once.

    Returns
    -------
    indptr : ndarray of shape (n_transactions + 1,), int64
    ids : ndarray of shape (n_entries,), int32
        Item ids of transaction ``t`` in ``ids[indptr[t]:indptr[t + 1]]``, without repeats.
    labels : list
        The item of each id.
    """
    cdef dict id_of = {}
    cdef list labels = []
    cdef PyObject* found
    cdef int32_t item_id
    cdef int64_t n_entries = 0, n_transactions = 0, transaction_start
    cdef int64_t entry_capacity = 1024, row_capacity = 1024, label_capacity = 1024
    cdef int32_t[::1] ids = np.empty(entry_capacity, dtype=np.int32)
    cdef int64_t[::1] indptr = np.empty(row_capacity, dtype=np.int64)
    # last_row[id] is the last transaction that listed the item: repeats are dropped in O(1).
    cdef int64_t[::1] last_row = np.empty(label_capacity, dtype=np.int64)
    indptr[0] = 0
    for transaction in transactions:
        if isinstance(transaction, (str, bytes)):
            raise TypeError(
                "Each transaction must be an iterable of items, got a string "
                f"{transaction!r}; wrap it in a list to use it as one item."
            )
        transaction_start = n_entries
        for item in transaction:
            found = PyDict_GetItem(id_of, item)
            if found == NULL:
                item_id = len(labels)
                PyDict_SetItem(id_of, item, item_id)
                labels.append(item)
                if item_id >= label_capacity:
                    label_capacity *= 2
                    last_row = np.resize(np.asarray(last_row), label_capacity)
                last_row[item_id] = -1
            else:
                item_id = <object>found
            if last_row[item_id] == n_transactions:
                continue
            last_row[item_id] = n_transactions
            if n_entries >= entry_capacity:
                entry_capacity *= 2
                ids = np.resize(np.asarray(ids), entry_capacity)
            ids[n_entries] = item_id
            n_entries += 1
        n_transactions += 1
        if n_transactions >= row_capacity:
            row_capacity *= 2
            indptr = np.resize(np.asarray(indptr), row_capacity)
        indptr[n_transactions] = n_entries
    return (np.asarray(indptr)[:n_transactions + 1].copy(), np.asarray(ids)[:n_entries].copy(),
            labels)


cdef int compare_int32(const void* a, const void* b) noexcept nogil:
    cdef int32_t left = (<const int32_t*>a)[0], right = (<const int32_t*>b)[0]
    return (left > right) - (left < right)


cdef inline void sort_short(int32_t* values, int64_t n) noexcept nogil:
    """Insertion sort for short transactions, qsort for long ones."""
    cdef int64_t i, j
    cdef int32_t value
    if n > 32:
        qsort(values, n, sizeof(int32_t), compare_int32)
        return
    for i in range(1, n):
        value = values[i]
        j = i - 1
        while j >= 0 and values[j] > value:
            values[j + 1] = values[j]
            j -= 1
        values[j + 1] = value


def rank_transactions(const int64_t[::1] indptr, const int32_t[::1] ids, const int32_t[::1] rank_of):
    """Replace ids by ranks, drop the ids whose rank is -1, and sort each transaction.

    Parameters
    ----------
    indptr : ndarray of shape (n_transactions + 1,), int64
    ids : ndarray of shape (n_entries,), int32
        Item ids without repeats within a transaction.
    rank_of : ndarray of shape (n_ids,), int32
        Rank of each id (0 the most frequent), -1 for an infrequent item.

    Returns
    -------
    ranked_indptr : ndarray of shape (n_transactions + 1,), int64
    ranks : ndarray of shape (n_kept,), int32
        Ascending within each transaction.
    """
    cdef int64_t n_transactions = indptr.shape[0] - 1, row, entry, n_kept = 0
    cdef int32_t rank
    ranked_indptr_array = np.empty(n_transactions + 1, dtype=np.int64)
    ranks_array = np.empty(ids.shape[0], dtype=np.int32)
    cdef int64_t[::1] ranked_indptr = ranked_indptr_array
    cdef int32_t[::1] ranks = ranks_array
    with nogil:
        ranked_indptr[0] = 0
        for row in range(n_transactions):
            for entry in range(indptr[row], indptr[row + 1]):
                rank = rank_of[ids[entry]]
                if rank >= 0:
                    ranks[n_kept] = rank
                    n_kept += 1
            ranked_indptr[row + 1] = n_kept
            if n_kept > ranked_indptr[row]:
                sort_short(&ranks[ranked_indptr[row]], n_kept - ranked_indptr[row])
    return ranked_indptr_array, ranks_array[:n_kept].copy()


def itemsets_as_tuples(const int32_t[::1] items, const int64_t[::1] offsets, list labels):
    """Tuples of labels from the flat mining output.

    Parameters
    ----------
    items : ndarray of shape (n_entries,), int32
        Indices into ``labels``.
    offsets : ndarray of shape (n_sets + 1,), int64
    labels : list
        The label of each index.

    Returns
    -------
    itemsets : list of tuple
    """
    cdef int64_t n_sets = offsets.shape[0] - 1, s, entry
    cdef Py_ssize_t position
    cdef list itemsets = [None] * n_sets
    cdef object label
    for s in range(n_sets):
        itemset = PyTuple_New(offsets[s + 1] - offsets[s])
        position = 0
        for entry in range(offsets[s], offsets[s + 1]):
            label = labels[items[entry]]
            Py_INCREF(label)
            PyTuple_SET_ITEM(itemset, position, label)
            position += 1
        itemsets[s] = itemset
    return itemsets
