# The LeetCode prelude: names a LeetCode-style solution expects without importing them (LeetCode's own
# judge and the LeetCodeDataset prompts provide them): typing, collections, heapq, bisect, itertools,
# functools, math, string and operator star-imported, `inf`, and ListNode / TreeNode with their list
# helpers. `from builtins import *` last restores builtins the star imports shadow (math.pow,
# operator.abs), as LiveCodeBench's import_string does. Lines starting with # at the top are not part of
# the text that runs (python-harness.ts).
from typing import *
from collections import *
from heapq import *
from bisect import *
from itertools import *
from functools import *
from math import *
from string import *
from operator import *
from builtins import *
import bisect, collections, functools, heapq, itertools, math, operator, random, re, string, sys

inf = float('inf')


class ListNode:
    def __init__(self, val=0, next=None):
        self.val = val
        self.next = next


class TreeNode:
    def __init__(self, val=0, left=None, right=None):
        self.val = val
        self.left = left
        self.right = right


def list_node(values):
    head = None
    for val in reversed(list(values)):
        head = ListNode(val, head)
    return head


def is_same_list(p1, p2):
    while p1 is not None and p2 is not None:
        if p1.val != p2.val:
            return False
        p1, p2 = p1.next, p2.next
    return p1 is None and p2 is None


def tree_node(values):
    values = list(values)
    if not values or values[0] is None:
        return None
    root = TreeNode(values[0])
    queue = deque([root])
    i = 1
    while queue and i < len(values):
        node = queue.popleft()
        if i < len(values) and values[i] is not None:
            node.left = TreeNode(values[i])
            queue.append(node.left)
        i += 1
        if i < len(values) and values[i] is not None:
            node.right = TreeNode(values[i])
            queue.append(node.right)
        i += 1
    return root


def is_same_tree(p, q):
    if p is None or q is None:
        return p is q
    return p.val == q.val and is_same_tree(p.left, q.left) and is_same_tree(p.right, q.right)
