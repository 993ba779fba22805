"""An evaluation as DESIGN.md's JSON document, as CSV rows, and as a readable summary."""
from __future__ import annotations

import json
from typing import Any

import pandas as pd

from scorecards.evaluate import EXEMPT, FAIL, Evaluation, Result

__all__ = ["CSV_COLUMNS", "SUMMARY_COLUMNS", "results_document", "results_frame", "summary_frame"]

CSV_COLUMNS = ["evaluated_at", "service", "team", "scorecard", "level", "score", "rule", "rule_level", "status",
               "value", "reason", "remediation"]
SUMMARY_COLUMNS = ["scorecard", "service", "team", "level", "score", "passed", "next"]


def _result(result: Result) -> dict[str, Any]:
    return {
        "service": result.service, "team": result.team, "scorecard": result.scorecard, "level": result.level,
        "score": result.score,
        "rules": [{"rule": r.rule, "level": r.level, "status": r.status, "value": r.value, "reason": r.reason,
                   "remediation": r.remediation} for r in result.rules],
    }


def results_document(evaluation: Evaluation) -> dict[str, Any]:
    """`{"evaluated_at": "YYYY-MM-DD", "results": [...]}`, one result per (service, scorecard)."""
    return {"evaluated_at": evaluation.evaluated_on.isoformat(), "results": [_result(r) for r in evaluation.results]}


def _cell(value: Any) -> Any:
    """A rule value in a CSV cell: numbers and text as they are, anything else as JSON."""
    if value is None or isinstance(value, str) or (isinstance(value, (int, float)) and not isinstance(value, bool)):
        return value
    return json.dumps(value, ensure_ascii=False)


def results_frame(evaluation: Evaluation) -> pd.DataFrame:
    """One row per (service, scorecard, rule): the CSV flattening of the JSON document."""
    day = evaluation.evaluated_on.isoformat()
    rows = [[day, result.service, result.team, result.scorecard, result.level, result.score, r.rule, r.level,
             r.status, _cell(r.value), r.reason, r.remediation]
            for result in evaluation.results for r in result.rules]
    return pd.DataFrame(rows, columns=CSV_COLUMNS, dtype="object")


def _next_fixes(result: Result, levels: tuple[str, ...]) -> str:
    """The failing rules of the lowest level not reached: what to fix next."""
    if result.level_rank >= len(levels):
        return ""
    target = levels[result.level_rank]
    failing = [r.rule for r in result.rules if r.level == target and r.status == FAIL]
    return f"{target}: {', '.join(failing)}"


def summary_frame(evaluation: Evaluation) -> pd.DataFrame:
    """One row per (scorecard, service): level, score, rules passed, and what to fix next."""
    levels = {card.id: card.levels for card in evaluation.scorecards}
    rows = []
    for result in evaluation.results:
        counted = [r for r in result.rules if r.status != EXEMPT]
        passed = f"{sum(r.status == 'pass' for r in counted)}/{len(counted)}"
        rows.append([result.scorecard, result.service, result.team, result.level, result.score, passed,
                     _next_fixes(result, levels[result.scorecard])])
    return pd.DataFrame(rows, columns=SUMMARY_COLUMNS, dtype="object")
