"""Reachability in a commit graph held as integer arrays: the smallest label that reaches each node.

Nodes are integers 0..n-1; `CommitGraph` lists each node's parents in CSR form. `smallest_reaching`
gives every node the smallest label among the starts it is reachable from (itself included). With
a series' deployments labelled in series order, that is the first deployment whose sha contains
the commit: exactly what walking the deployments in order, each stopping at commits an earlier one
reached, assigns (`git log previous..sha`, METRICS.md rule 3).

Labels flow from children to parents a level at a time with numpy over every series at once; a
node whose label drops passes it on in the next round. When few nodes are left to pass a label on
(a long linear history below the first deployment), a plain depth-first walk finishes faster.
"""
from __future__ import annotations

from dataclasses import dataclass

import numpy as np

__all__ = ["CommitGraph", "UNREACHED", "smallest_reaching"]

UNREACHED = np.iinfo(np.int32).max
"""The label of a node no start reaches."""

SMALL_FRONTIER = 64
"""Below this many nodes left to pass labels on, the walk finishes in plain Python."""


@dataclass(frozen=True)
class CommitGraph:
    """Parents per node: node i's parents are parents[indptr[i]:indptr[i + 1]]."""

    indptr: np.ndarray    # int64, n + 1
    parents: np.ndarray   # int64

    @classmethod
    def from_edges(cls, nodes: int, child: np.ndarray, parent: np.ndarray) -> CommitGraph:
        """The graph of `nodes` nodes with an edge child[k] -> parent[k] for every k."""
        order = np.argsort(child, kind="stable")
        indptr = np.zeros(nodes + 1, dtype=np.int64)
        np.cumsum(np.bincount(child, minlength=nodes), out=indptr[1:])
        return cls(indptr=indptr, parents=parent[order].astype(np.int64, copy=False))

    @property
    def nodes(self) -> int:
        return len(self.indptr) - 1


def smallest_reaching(graph: CommitGraph, start_nodes: np.ndarray, start_labels: np.ndarray,
                      small_frontier: int = SMALL_FRONTIER) -> np.ndarray:
    """Per node (int32): the smallest label of a start it is reachable from, else UNREACHED.

    Rounds of numpy pass labels on while at least `small_frontier` nodes have one to pass on;
    a Python walk finishes.
    """
    labels = np.full(graph.nodes, UNREACHED, dtype=np.int32)
    np.minimum.at(labels, start_nodes, start_labels.astype(np.int32))
    slot = np.empty(graph.nodes, dtype=np.int64)
    frontier = _distinct(start_nodes, slot)
    while len(frontier) and len(frontier) >= small_frontier:
        frontier = _pass_on(graph, labels, frontier, slot)
    _walk(graph, labels, frontier)
    return labels


def _distinct(nodes: np.ndarray, slot: np.ndarray) -> np.ndarray:
    """`nodes` without repeats, in time linear in len(nodes) (`slot`: scratch, one per node)."""
    places = np.arange(len(nodes), dtype=np.int64)
    slot[nodes] = places
    return nodes[slot[nodes] == places]


def _pass_on(graph: CommitGraph, labels: np.ndarray, frontier: np.ndarray, slot: np.ndarray) -> np.ndarray:
    """One round: the frontier's labels go to their parents; returns the parents whose label dropped."""
    first = graph.indptr[frontier]
    counts = graph.indptr[frontier + 1] - first
    total = int(counts.sum())
    if total == 0:
        return frontier[:0]
    ends = np.cumsum(counts)
    edge = np.arange(total, dtype=np.int64) + np.repeat(first - (ends - counts), counts)
    targets = graph.parents[edge]
    offered = np.repeat(labels[frontier], counts)
    better = offered < labels[targets]
    targets, offered = targets[better], offered[better]
    np.minimum.at(labels, targets, offered)
    return _distinct(targets, slot)


def _walk(graph: CommitGraph, labels: np.ndarray, frontier: np.ndarray) -> None:
    """Finish in plain Python from a small frontier, smallest label first (each node set once)."""
    indptr, parents = graph.indptr, graph.parents
    for node in sorted(frontier.tolist(), key=lambda n: labels[n]):
        label = int(labels[node])
        stack = [node]
        while stack:
            current = stack.pop()
            for parent in parents[indptr[current]:indptr[current + 1]].tolist():
                if label < labels[parent]:
                    labels[parent] = label
                    stack.append(parent)
