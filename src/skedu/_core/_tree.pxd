from libc.math cimport isnan
from ._types cimport intp_t, Node, X_DTYPE_C


cdef inline intp_t next_node(const X_DTYPE_C* row, const Node* node) noexcept nogil:
    """The child of a split node that ``row`` goes to (missing values to the learned side)."""
    cdef X_DTYPE_C value = row[node.feature]
    if isnan(value):
        return node.left_child if node.missing_go_left else node.right_child
    return node.left_child if value <= node.threshold else node.right_child


cdef intp_t find_leaf(const X_DTYPE_C* row, const Node* nodes) noexcept nogil
