"""Which deployment ships each commit (METRICS.md rule 3), for every series at once.

Input: table derive_series (series_deployments.sql): every successful production deployment with
`g`, its place in the order of its repository's deployments (deployed_at, seq, id, source),
`layer`, which of its repository's series it belongs to, and `walks`, whether it ships what
its walk newly reaches (not the first of its series, no explicit list).
Output: temporary tables derive_shipments(node, row, g): the deployment that ships each node
(`row`: the rowid of its commit, -1 when no commit row holds its sha), and
derive_unknown_shas(node, sha), the shas no commit row holds (named as a parent, a deployment's
sha or in an explicit list).

Per series, a commit is first reached by the earliest deployment whose sha contains it
(metrics.reach); that deployment ships it if it `walks`. An explicit list ships what it lists.
A commit counts once per series (the earlier of the two) and once per repository: its earliest
shipment across the series of the repository wins, which is the smallest `g`.
"""
from __future__ import annotations

import duckdb
import numpy as np
import pyarrow as pa

from metrics.reach import UNREACHED, CommitGraph, smallest_reaching

__all__ = ["store_shipments"]

SEGMENT_BITS = 17  # 131,072 rowids a segment: more than a DuckDB row group holds
SEGMENT_MASK = (1 << SEGMENT_BITS) - 1

ROWID_SEGMENTS = f"SELECT DISTINCT rowid >> {SEGMENT_BITS} AS segment FROM commits ORDER BY segment"

# Every parent link of the commits of repositories with a production deployment; a parent no
# commit row holds comes back with its repo and sha.
EDGES = """
SELECT c.child, coalesce(p.rowid, -1) AS parent,
       CASE WHEN p.rowid IS NULL THEN c.repo END AS repo,
       CASE WHEN p.rowid IS NULL THEN c.parent_sha END AS sha
FROM (
    SELECT rowid AS child, repo, unnest(parents) AS parent_sha
    FROM commits
    WHERE repo IN (SELECT DISTINCT repo FROM derive_series)
) AS c
LEFT JOIN commits AS p ON p.repo = c.repo AND p.sha = c.parent_sha
"""

# Each deployment's sha (listed = false), and each sha of an explicit list (listed = true), as a
# commit rowid where one holds it.
STARTS = """
WITH named AS (
    SELECT g, layer, walks, false AS listed, repo, sha FROM derive_series
    UNION ALL
    SELECT g, layer, walks, true, repo, unnest(explicit_commits) FROM derive_series
    WHERE explicit_commits IS NOT NULL
)
SELECT n.g, n.layer, n.walks, n.listed, coalesce(c.rowid, -1) AS node,
       CASE WHEN c.rowid IS NULL THEN n.repo END AS repo,
       CASE WHEN c.rowid IS NULL THEN n.sha END AS sha
FROM named AS n
LEFT JOIN commits AS c ON c.repo = n.repo AND c.sha = n.sha
"""


class _Nodes:
    """Node numbers: a commit's from its rowid, then one per (repo, sha) no commit row holds.

    Rowids are dense within a DuckDB row group but not overall (rows a transaction has not yet
    committed count from 2**55): the rowids of each 2**17-row segment in use map to 2**17
    consecutive node numbers, segment after segment.
    """

    def __init__(self, segments: np.ndarray):
        self.segments = segments
        self.first_unknown = len(segments) << SEGMENT_BITS
        self.unknown: dict[tuple[str, str], int] = {}

    def of(self, result: pa.Table, column: str = "node") -> np.ndarray:
        """The nodes of `result`'s rowid `column`; its -1 entries numbered from their repo and sha."""
        rowids = result.column(column).to_numpy().astype(np.int64)
        known = rowids >= 0
        nodes = np.empty_like(rowids)
        segment = np.searchsorted(self.segments, rowids[known] >> SEGMENT_BITS)
        nodes[known] = (segment << SEGMENT_BITS) | (rowids[known] & SEGMENT_MASK)
        missing = np.flatnonzero(~known)
        if len(missing):
            repos = result.column("repo").take(missing).to_pylist()
            shas = result.column("sha").take(missing).to_pylist()
            for row, key in zip(missing.tolist(), zip(repos, shas)):
                nodes[row] = self.unknown.setdefault(key, self.first_unknown + len(self.unknown))
        return nodes

    @property
    def count(self) -> int:
        return self.first_unknown + len(self.unknown)

    def rowids(self, nodes: np.ndarray) -> np.ndarray:
        """The commit rowid of each node, -1 for a sha no commit row holds."""
        commits = nodes < self.first_unknown
        rowids = np.full(len(nodes), -1, dtype=np.int64)
        rowids[commits] = (self.segments[nodes[commits] >> SEGMENT_BITS] << SEGMENT_BITS) | (
            nodes[commits] & SEGMENT_MASK)
        return rowids

    def unknown_table(self) -> pa.Table:
        return pa.table({"node": pa.array(list(self.unknown.values()), pa.int64()),
                         "sha": pa.array([sha for _, sha in self.unknown], pa.string())})


def _fetch(con: duckdb.DuckDBPyConnection, query: str) -> pa.Table:
    return con.sql(query).to_arrow_table()


def _column(table: pa.Table, name: str, dtype: type) -> np.ndarray:
    return table.column(name).to_numpy().astype(dtype, copy=False)


def shipping_deployments(con: duckdb.DuckDBPyConnection) -> tuple[pa.Table, pa.Table]:
    """derive_shipments(node, row, g): the deployment `g` that ships each shipped node (`row`: its
    commit's rowid, -1 for a sha no commit row holds), and derive_unknown_shas(node, sha)."""
    numbering = _Nodes(_column(_fetch(con, ROWID_SEGMENTS), "segment", np.int64))
    edges = _fetch(con, EDGES)
    child = numbering.of(edges, "child")
    parent = numbering.of(edges, "parent")
    del edges
    starts = _fetch(con, STARTS)
    start_nodes = numbering.of(starts)
    g, layer, walks, listed = (_column(starts, name, dtype) for name, dtype in (
        ("g", np.int32), ("layer", np.int32), ("walks", np.bool_), ("listed", np.bool_)))
    del starts
    walks_by_g = np.zeros(int(g.max()) + 1 if len(g) else 0, dtype=np.bool_)
    walks_by_g[g] = walks
    graph = CommitGraph.from_edges(numbering.count, child, parent)
    del child, parent
    winner = np.full(graph.nodes, UNREACHED, dtype=np.int32)
    for series_layer in range(int(layer.max()) + 1 if len(layer) else 0):
        in_layer = (layer == series_layer) & ~listed
        reached = smallest_reaching(graph, start_nodes[in_layer], g[in_layer])
        hit = np.flatnonzero(reached != UNREACHED)
        by = reached[hit]
        hit, by = hit[walks_by_g[by]], by[walks_by_g[by]]
        winner[hit] = np.minimum(winner[hit], by)
    np.minimum.at(winner, start_nodes[listed], g[listed])
    nodes = np.flatnonzero(winner != UNREACHED)
    shipments = pa.table({"node": nodes.astype(np.int64), "row": numbering.rowids(nodes), "g": winner[nodes]})
    return shipments, numbering.unknown_table()


def store_shipments(con: duckdb.DuckDBPyConnection) -> None:
    """Create the temporary tables derive_shipments(node, row, g) and derive_unknown_shas(node, sha)."""
    shipments, unknown = shipping_deployments(con)
    for table, rows in (("derive_shipments", shipments), ("derive_unknown_shas", unknown)):
        con.register("derive_rows", rows)
        try:
            con.execute(f"CREATE OR REPLACE TEMP TABLE {table} AS SELECT * FROM derive_rows")
        finally:
            con.unregister("derive_rows")
