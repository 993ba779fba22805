"""Scorecard results per evaluation day, and the specs the warehouse remembers.

Re-evaluating a scorecard on a day replaces that day's rows of that scorecard (other scorecards
and other days stay). The specs of the last evaluation that named --spec files are remembered,
so a later `pitwall scorecards evaluate` without --spec runs them again.
"""
from __future__ import annotations

from collections.abc import Sequence
from datetime import UTC, datetime

import duckdb
import pandas as pd

from scorecards.evaluate import Evaluation
from scorecards.json_text import json_text
from scorecards.model import Scorecard
from warehouse.transaction import transaction

__all__ = ["save_evaluation", "save_specs", "saved_specs"]

DAY_TABLES = ("scorecard_runs", "scorecard_results", "scorecard_rule_results")


def _frames(evaluation: Evaluation) -> dict[str, pd.DataFrame]:
    """The rows of each table, columns in table order."""
    day, now = evaluation.evaluated_on, datetime.now(UTC)
    runs = pd.DataFrame([[day, c.id, c.title, list(c.levels), c.file, now] for c in evaluation.scorecards],
                        columns=["evaluated_on", "scorecard", "title", "levels", "file", "evaluated_at"])
    results = pd.DataFrame([[day, r.scorecard, r.service, r.team, r.level, r.level_rank, r.score]
                            for r in evaluation.results],
                           columns=["evaluated_on", "scorecard", "service", "team", "level", "level_rank", "score"])
    rules = pd.DataFrame([[day, r.scorecard, r.service, rule.rule, rule.level, rule.weight, rule.status,
                           json_text(rule.value), rule.reason, rule.remediation]
                          for r in evaluation.results for rule in r.rules],
                         columns=["evaluated_on", "scorecard", "service", "rule", "level", "weight", "status",
                                  "value", "reason", "remediation"])
    return {"scorecard_runs": runs, "scorecard_results": results, "scorecard_rule_results": rules}


def save_evaluation(con: duckdb.DuckDBPyConnection, evaluation: Evaluation) -> None:
    """Store the evaluation's rows in one transaction, replacing its scorecards' rows of that day."""
    with transaction(con):
        for card in evaluation.scorecards:
            for table in DAY_TABLES:
                con.execute(f"DELETE FROM {table} WHERE evaluated_on = ? AND scorecard = ?",
                            [evaluation.evaluated_on, card.id])
        for table, frame in _frames(evaluation).items():
            con.from_df(frame).insert_into(table)


def save_specs(con: duckdb.DuckDBPyConnection, cards: Sequence[Scorecard]) -> None:
    """Remember `cards` (file and text) as the warehouse's scorecards, replacing the previous set."""
    frame = pd.DataFrame([[c.id, c.file, c.text, datetime.now(UTC)] for c in cards],
                         columns=["scorecard", "file", "text", "saved_at"])
    with transaction(con):
        con.execute("DELETE FROM scorecard_specs")
        con.from_df(frame).insert_into("scorecard_specs")


def saved_specs(con: duckdb.DuckDBPyConnection) -> list[tuple[str, str]]:
    """(file, text) of the remembered scorecards, by file."""
    return con.execute("SELECT file, text FROM scorecard_specs ORDER BY file").fetchall()
