"""Transactions in and item sets out: the Python-object ends of FP-growth.

- ``encode_transactions``: iterables of hashable items to integer ids in CSR form (one pass, a
  dict from item to id, duplicates within a transaction dropped);
- ``rank_transactions``: ids to frequency ranks, infrequent items dropped, each transaction sorted;
- ``itemsets_as_tuples``: the mined flat arrays to tuples of the original labels.
"""

from cpython.dict cimport PyDict_GetItem, PyDict_SetItem
from cpython.long cimport PyLong_CheckExact
from cpython.object cimport PyObject
from cpython.sequence cimport PySequence_Fast_GET_ITEM
from cpython.ref cimport Py_INCREF
from cpython.tuple cimport PyTuple_New, PyTuple_SET_ITEM
from libc.stdint cimport int32_t, int64_t
from libc.stdlib cimport qsort

cdef extern from "Python.h":
    long long PyLong_AsLongLongAndOverflow(object value, int* overflow) except? -1

import numpy as np


cdef int32_t SMALL_INT_TABLE_LIMIT = 1 << 22


cdef class _ItemIds:
    """Item -> id table: a dict, plus a direct array for small non-negative ints.

    Integer item codes (as in the FIMI files) are the common case, and an array lookup costs
    far less than hashing. Every item also enters the dict, so an object equal to an int (``5.0``)
    still maps to the int's id, as Python's own hashing would have it.
    """
    cdef dict id_of
    cdef list labels
    cdef int32_t[::1] id_of_small_int

    def __cinit__(self):
        self.id_of = {}
        self.labels = []
        self.id_of_small_int = np.full(1024, -1, dtype=np.int32)

    cdef int32_t lookup_or_add(self, object item) except -1:
        cdef PyObject* found = PyDict_GetItem(self.id_of, item)
        cdef int32_t item_id
        if found != NULL:
            return <int32_t><object>found
        item_id = len(self.labels)
        PyDict_SetItem(self.id_of, item, item_id)
        self.labels.append(item)
        return item_id

    cdef inline int32_t id_of_item(self, object item) except -1:
        cdef int overflow = 0
        cdef long long value
        cdef int32_t item_id
        if PyLong_CheckExact(item):
            value = PyLong_AsLongLongAndOverflow(item, &overflow)
            if overflow == 0 and 0 <= value < SMALL_INT_TABLE_LIMIT:
                if value >= self.id_of_small_int.shape[0]:
                    grown = np.full(max(2 * self.id_of_small_int.shape[0], value + 1), -1, dtype=np.int32)
                    grown[:self.id_of_small_int.shape[0]] = self.id_of_small_int
                    self.id_of_small_int = grown
                item_id = self.id_of_small_int[value]
                if item_id < 0:
                    item_id = self.lookup_or_add(item)
                    self.id_of_small_int[value] = item_id
                return item_id
        return self.lookup_or_add(item)


cdef bint _is_missing(object item):
    """NaN (float or numpy float) or pandas' NA: a missing value, never an item."""
    if isinstance(item, (float, np.floating)):
        return item != item
    return type(item).__name__ in ("NAType", "NaTType")


cdef _grown(array, int64_t n_kept, int64_t capacity, fill=None):
    """A new array of ``capacity`` holding the first ``n_kept`` values of ``array``."""
    grown = np.empty(capacity, dtype=array.dtype) if fill is None else np.full(capacity, fill, dtype=array.dtype)
    grown[:n_kept] = array[:n_kept]
    return grown


cdef int32_t* _int32_data(array):
    cdef int32_t[::1] view = array
    return &view[0]


cdef int64_t* _int64_data(array):
    cdef int64_t[::1] view = array
    return &view[0]


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
    cdef _ItemIds table = _ItemIds()
    cdef int32_t item_id
    cdef Py_ssize_t position, length
    cdef int64_t n_entries = 0, n_transactions = 0, n_labels = 0
    cdef int64_t entry_capacity = 1024, row_capacity = 1024, last_capacity = 1024
    cdef int overflow = 0
    cdef long long value
    if isinstance(transactions, (list, tuple)):
        # Sized input: allocate once (a list of lists, the common case, is counted in C).
        row_capacity = len(transactions) + 1
        entry_capacity = 0
        for transaction in transactions:
            if isinstance(transaction, (list, tuple)):
                entry_capacity += len(transaction)
        entry_capacity = max(entry_capacity, 1024)
    ids_array = np.empty(entry_capacity, dtype=np.int32)
    indptr_array = np.empty(row_capacity, dtype=np.int64)
    # last_row[id] is the last transaction that listed the item: repeats are dropped in O(1).
    last_row_array = np.full(last_capacity, -1, dtype=np.int64)
    # Raw pointers into the arrays and the small-int table, refreshed whenever one grows: the
    # loop below runs once per entry.
    cdef int32_t* ids = _int32_data(ids_array)
    cdef int64_t* indptr = _int64_data(indptr_array)
    cdef int64_t* last_row = _int64_data(last_row_array)
    cdef int32_t* small_ids = &table.id_of_small_int[0]
    cdef int64_t small_capacity = table.id_of_small_int.shape[0]
    indptr[0] = 0
    for transaction in transactions:
        if isinstance(transaction, (str, bytes)):
            raise TypeError(
                "Each transaction must be an iterable of items, got a string "
                f"{transaction!r}; wrap it in a list to use it as one item."
            )
        if not isinstance(transaction, (list, tuple)):
            transaction = list(transaction)
        length = len(transaction)
        if n_entries + length > entry_capacity:
            entry_capacity = max(2 * entry_capacity, n_entries + length)
            ids_array = _grown(ids_array, n_entries, entry_capacity)
            ids = _int32_data(ids_array)
        for position in range(length):
            item = <object>PySequence_Fast_GET_ITEM(transaction, position)
            item_id = -1
            if PyLong_CheckExact(item):
                value = PyLong_AsLongLongAndOverflow(item, &overflow)
                if overflow == 0 and 0 <= value < small_capacity:
                    item_id = small_ids[value]  # -1 for an int not seen yet
            if item_id < 0:
                item_id = table.id_of_item(item)
                small_ids = &table.id_of_small_int[0]
                small_capacity = table.id_of_small_int.shape[0]
                if item_id == n_labels:  # a new item
                    n_labels += 1
                    if _is_missing(item):
                        raise ValueError(
                            f"Transaction {n_transactions} holds a missing value ({item!r}) as "
                            "an item. A ragged basket file read by pandas pads the short rows "
                            "with NaN: drop them first, e.g. [[item for item in row if not "
                            "pandas.isna(item)] for row in df.itertuples(index=False)]."
                        )
                    if item_id >= last_capacity:
                        last_row_array = _grown(last_row_array, last_capacity, 2 * last_capacity, -1)
                        last_capacity *= 2
                        last_row = _int64_data(last_row_array)
            if last_row[item_id] == n_transactions:
                continue
            last_row[item_id] = n_transactions
            ids[n_entries] = item_id
            n_entries += 1
        n_transactions += 1
        if n_transactions >= row_capacity:
            row_capacity *= 2
            indptr_array = _grown(indptr_array, n_transactions, row_capacity)
            indptr = _int64_data(indptr_array)
        indptr[n_transactions] = n_entries
    return indptr_array[:n_transactions + 1].copy(), ids_array[:n_entries].copy(), table.labels


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
