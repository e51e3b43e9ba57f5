from libc.math cimport isnan
from libc.stdint cimport int32_t, uint8_t
from ._types cimport intp_t, TreeNode, LEAF, MISSING_BIN, MISSING_GO_LEFT

# Rows the prediction kernels read: raw float32 values, or uint8 bins (MISSING_BIN = missing).
ctypedef fused row_t:
    float
    uint8_t


cdef inline int32_t next_node(const row_t* row, const TreeNode* node) noexcept nogil:
    """The child of a split node that ``row`` goes to (missing values to the learned side)."""
    if row_t is float:
        if isnan(row[node.feature]):
            return node.left_child if node.flags & MISSING_GO_LEFT else node.right_child
        return node.left_child if row[node.feature] <= node.threshold else node.right_child
    else:
        if row[node.feature] == MISSING_BIN:
            return node.left_child if node.flags & MISSING_GO_LEFT else node.right_child
        return node.left_child if row[node.feature] <= node.bin_threshold else node.right_child


cdef inline intp_t find_leaf(const row_t* row, const TreeNode* nodes) noexcept nogil:
    """Index (local to the tree) of the leaf that ``row`` reaches."""
    cdef int32_t node = 0
    while nodes[node].left_child != LEAF:
        node = next_node(row, &nodes[node])
    return node
