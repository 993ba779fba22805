"""Which deployment ships each commit (METRICS.md rule 3), for every series at once.

Input: table derive_series (series_deployments.sql): every successful production deployment with
`g`, its place in the order of its repository's deployments (deployed_at, seq, id, source),
`layer`, which of its repository's series it belongs to, and `walks`, whether it ships what
its walk newly reaches (not the first of its series, no explicit list).
Output: temporary tables derive_shipments(node, row, g, parent_count): the deployment that ships
each node (`row`: the rowid of its commit, -1 when no commit row holds its sha; `parent_count`:
the length of its commit's parents list, 0 when it has none) and derive_unknown_shas(node, sha),
the shas no commit row holds (named as a parent, a deployment's sha or in an explicit list).

Per series, a commit is first reached by the earliest deployment whose sha contains it
(metrics.reach); that deployment ships it if it `walks`. An explicit list ships what it lists.
A commit counts once per series (the earlier of the two) and once per repository: its earliest
shipment across the series of the repository wins, which is the smallest `g`.

`read_walk` reads what the walk needs from DuckDB; `walk` runs on numpy arrays alone (no
connection: metrics.derive runs it in a thread while DuckDB works on other tables);
`store_shipments` writes its result.
"""
from __future__ import annotations

from dataclasses import dataclass

import duckdb
import numpy as np
import pyarrow as pa

from metrics.reach import UNREACHED, CommitGraph, smallest_reaching

__all__ = ["WalkInput", "read_walk", "walk", "store_shipments"]

SEGMENT_BITS = 17  # 131,072 rowids a segment: more than a DuckDB row group holds
SEGMENT_MASK = (1 << SEGMENT_BITS) - 1

ROWID_SEGMENTS = f"SELECT DISTINCT rowid >> {SEGMENT_BITS} AS segment FROM commits ORDER BY segment"

# Kinds of the rows of NAMED_SHAS.
PARENT, DEPLOYED, LISTED = 0, 1, 2

# In one join against the commits: every parent link of the commits of repositories with a
# production deployment (kind PARENT, `at` the child's rowid), each deployment's sha (DEPLOYED,
# `at` its g) and each sha of an explicit list (LISTED, `at` its g); `node` is the rowid of the
# commit holding the sha, -1 (with its repo and sha) when none does.
NAMED_SHAS = f"""
WITH named AS (
    SELECT {PARENT} AS kind, rowid AS at, repo, unnest(parents) AS sha
    FROM commits
    WHERE repo IN (SELECT DISTINCT repo FROM derive_series)
    UNION ALL
    SELECT {DEPLOYED}, g, repo, sha FROM derive_series
    UNION ALL
    SELECT {LISTED}, g, repo, unnest(explicit_commits) FROM derive_series
    WHERE explicit_commits IS NOT NULL
)
SELECT n.kind, n.at, coalesce(c.rowid, -1) AS node,
       CASE WHEN c.rowid IS NULL THEN n.repo END AS repo,
       CASE WHEN c.rowid IS NULL THEN n.sha END AS sha
FROM named AS n
LEFT JOIN commits AS c ON c.repo = n.repo AND c.sha = n.sha
"""

# Per deployment g (0, 1, ...): its series within its repository and whether it walks.
SERIES = "SELECT layer, walks FROM derive_series ORDER BY g"


def _column(table: pa.Table, name: str, dtype: type) -> np.ndarray:
    return table.column(name).to_numpy().astype(dtype, copy=False)


class _Nodes:
    """Node numbers: a commit's from its rowid, then one per (repo, sha) no commit row holds.

    Rowids are dense within a DuckDB row group but not overall (rows a transaction has not yet
    committed count from 2**55): the rowids of each 2**17-row segment in use map to 2**17
    consecutive node numbers, segment after segment.
    """

    def __init__(self, segments: np.ndarray):
        self.segments = segments
        self.dense = bool(np.array_equal(segments, np.arange(len(segments))))  # rowid = node
        self.first_unknown = len(segments) << SEGMENT_BITS
        self.unknown: dict[tuple[str, str], int] = {}

    def of_rowids(self, rowids: np.ndarray) -> np.ndarray:
        """The nodes of commit rowids (none of them -1)."""
        if self.dense:
            return rowids
        segment = np.searchsorted(self.segments, rowids >> SEGMENT_BITS)
        return (segment << SEGMENT_BITS) | (rowids & SEGMENT_MASK)

    def of(self, result: pa.Table) -> np.ndarray:
        """The nodes of `result`'s rowid column `node`; its -1 entries numbered from their repo and sha."""
        rowids = _column(result, "node", np.int64)
        known = rowids >= 0
        nodes = np.empty_like(rowids)
        nodes[known] = self.of_rowids(rowids[known])
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
        if self.dense:
            rowids[commits] = nodes[commits]
        else:
            rowids[commits] = (self.segments[nodes[commits] >> SEGMENT_BITS] << SEGMENT_BITS) | (
                nodes[commits] & SEGMENT_MASK)
        return rowids

    def unknown_table(self) -> pa.Table:
        return pa.table({"node": pa.array(list(self.unknown.values()), pa.int64()),
                         "sha": pa.array([sha for _, sha in self.unknown], pa.string())})


@dataclass
class WalkInput:
    """What the walk needs, read from DuckDB: the rows of NAMED_SHAS and each g's series."""

    segments: np.ndarray  # int64: the rowid segments in use, ascending
    named: pa.Table       # NAMED_SHAS
    layer: np.ndarray     # int32 per g
    walks: np.ndarray     # bool per g


def read_walk(con: duckdb.DuckDBPyConnection) -> WalkInput:
    """Read the commit graph and the deployments' starting points (table derive_series)."""
    series = con.sql(SERIES).to_arrow_table()
    return WalkInput(segments=_column(con.sql(ROWID_SEGMENTS).to_arrow_table(), "segment", np.int64),
                     named=con.sql(NAMED_SHAS).to_arrow_table(),
                     layer=_column(series, "layer", np.int32), walks=_column(series, "walks", np.bool_))


def walk(given: WalkInput) -> tuple[pa.Table, pa.Table]:
    """The rows of derive_shipments and of derive_unknown_shas (numpy only, no connection)."""
    numbering = _Nodes(given.segments)
    kind = _column(given.named, "kind", np.int8)
    at = _column(given.named, "at", np.int64)
    nodes = numbering.of(given.named)
    edge = kind == PARENT
    child = numbering.of_rowids(at[edge])
    parent = nodes[edge]
    start_nodes, g = nodes[~edge], at[~edge].astype(np.int32)
    listed = kind[~edge] == LISTED
    del kind, at, nodes, edge
    graph = CommitGraph.from_edges(numbering.count, child, parent)
    del child, parent
    layer = given.layer[g]
    winner = np.full(graph.nodes, UNREACHED, dtype=np.int32)
    for series_layer in range(int(given.layer.max()) + 1 if len(given.layer) else 0):
        in_layer = (layer == series_layer) & ~listed
        reached = smallest_reaching(graph, start_nodes[in_layer], g[in_layer])
        hit = np.flatnonzero(reached != UNREACHED)
        by = reached[hit]
        hit, by = hit[given.walks[by]], by[given.walks[by]]
        winner[hit] = np.minimum(winner[hit], by)
    np.minimum.at(winner, start_nodes[listed], g[listed])
    shipped = np.flatnonzero(winner != UNREACHED)
    parent_count = graph.indptr[shipped + 1] - graph.indptr[shipped]
    shipments = pa.table({"node": shipped.astype(np.int64), "row": numbering.rowids(shipped),
                          "g": winner[shipped], "parent_count": parent_count.astype(np.int32)})
    return shipments, numbering.unknown_table()


def store_shipments(con: duckdb.DuckDBPyConnection, shipments: pa.Table, unknown: pa.Table) -> None:
    """Create the temporary tables derive_shipments and derive_unknown_shas from `walk`'s result."""
    for table, rows in (("derive_shipments", shipments), ("derive_unknown_shas", unknown)):
        con.register("derive_rows", rows)
        try:
            con.execute(f"CREATE OR REPLACE TEMP TABLE {table} AS SELECT * FROM derive_rows")
        finally:
            con.unregister("derive_rows")
