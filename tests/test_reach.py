"""metrics.reach on its own: the smallest label reaching each node of a commit graph (rule 3's walk)."""
import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from metrics.reach import UNREACHED, CommitGraph, smallest_reaching

# a - b - c - d on main; e is a side branch off b merged by m (parents c, e).
NAMES = ["a", "b", "c", "e", "m", "d"]
PARENTS = {"a": [], "b": ["a"], "c": ["b"], "e": ["b"], "m": ["c", "e"], "d": ["m"]}

# Both ways of finishing: numpy rounds only (0), and a Python walk from the start (huge threshold).
MODES = [0, 10**9]


def graph_of(names: list[str], parents: dict[str, list[str]]) -> CommitGraph:
    index = {name: n for n, name in enumerate(names)}
    child = [index[c] for c in names for _ in parents[c]]
    parent = [index[p] for c in names for p in parents[c]]
    return CommitGraph.from_edges(len(names), np.array(child, dtype=np.int64), np.array(parent, dtype=np.int64))


def labels_by_name(graph: CommitGraph, starts: dict[str, int], mode: int) -> dict[str, int | None]:
    nodes = np.array([NAMES.index(name) for name in starts], dtype=np.int64)
    labels = smallest_reaching(graph, nodes, np.array(list(starts.values()), dtype=np.int32), mode)
    return {name: (None if labels[n] == UNREACHED else int(labels[n])) for n, name in enumerate(NAMES)}


@pytest.mark.parametrize("mode", MODES)
def test_each_commit_gets_the_first_deployment_that_contains_it(mode):
    graph = graph_of(NAMES, PARENTS)
    # Deployment 0 ships b, deployment 1 ships d: a and b are in 0, the rest first in 1.
    assert labels_by_name(graph, {"b": 0, "d": 1}, mode) == {"a": 0, "b": 0, "c": 1, "e": 1, "m": 1, "d": 1}


@pytest.mark.parametrize("mode", MODES)
def test_a_smaller_label_arriving_later_replaces_a_larger_one(mode):
    graph = graph_of(NAMES, PARENTS)
    # 9 sits on b and reaches a in one step; 1 starts at d and needs four steps to reach a.
    assert labels_by_name(graph, {"d": 1, "b": 9}, mode) == {"a": 1, "b": 1, "c": 1, "e": 1, "m": 1, "d": 1}


@pytest.mark.parametrize("mode", MODES)
def test_commits_no_start_reaches_stay_unreached(mode):
    graph = graph_of(NAMES, PARENTS)
    assert labels_by_name(graph, {"e": 4}, mode) == {"a": 4, "b": 4, "c": None, "e": 4, "m": None, "d": None}


@pytest.mark.parametrize("mode", MODES)
def test_a_cycle_in_bad_data_ends(mode):
    graph = CommitGraph.from_edges(3, np.array([0, 1, 2]), np.array([1, 0, 0]))
    labels = smallest_reaching(graph, np.array([2]), np.array([7]), mode)
    assert labels.tolist() == [7, 7, 7]


def reference(parents: list[list[int]], starts: list[tuple[int, int]]) -> list[int]:
    """Walk the starts in label order, each stopping at nodes an earlier one reached."""
    labels = [UNREACHED] * len(parents)
    for node, label in sorted(starts, key=lambda start: start[1]):
        stack = [node] if labels[node] == UNREACHED else []
        if stack:
            labels[node] = label
        while stack:
            for parent in parents[stack.pop()]:
                if labels[parent] == UNREACHED:
                    labels[parent] = label
                    stack.append(parent)
    return labels


@st.composite
def dags_with_starts(draw):
    size = draw(st.integers(1, 40))
    parents = [sorted(set(draw(st.lists(st.integers(0, n - 1), max_size=3)))) if n else [] for n in range(size)]
    starts = draw(st.lists(st.tuples(st.integers(0, size - 1), st.integers(0, 50)), min_size=1, max_size=8))
    return parents, starts


@settings(max_examples=200, deadline=None)
@given(dags_with_starts(), st.sampled_from([0, 2, 10**9]))
def test_matches_walking_the_starts_in_order(case, mode):
    parents, starts = case
    child = [c for c, ps in enumerate(parents) for _ in ps]
    parent = [p for ps in parents for p in ps]
    graph = CommitGraph.from_edges(len(parents), np.array(child, dtype=np.int64), np.array(parent, dtype=np.int64))
    nodes = np.array([node for node, _ in starts], dtype=np.int64)
    labels = np.array([label for _, label in starts], dtype=np.int32)
    assert smallest_reaching(graph, nodes, labels, mode).tolist() == reference(parents, starts)
