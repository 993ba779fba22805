"""scorecards.json_text writes what json.dumps(value, default=str, ensure_ascii=...) writes."""
from __future__ import annotations

import json
from datetime import date

from hypothesis import given
from hypothesis import strategies as st

from scorecards.json_text import json_text

SCALARS = st.one_of(st.none(), st.booleans(), st.integers(), st.floats(), st.text())
VALUES = st.recursive(SCALARS, lambda inner: st.one_of(st.lists(inner, max_size=4),
                                                      st.dictionaries(st.text(max_size=5), inner, max_size=4)),
                      max_leaves=10)


@given(VALUES, st.booleans())
def test_any_json_value_is_written_as_json_dumps_writes_it(value, ensure_ascii):
    assert json_text(value, ensure_ascii=ensure_ascii) == json.dumps(value, default=str, ensure_ascii=ensure_ascii)


def test_scalars_text_and_values_json_cannot_write_by_hand():
    assert [json_text(v) for v in (None, True, False, 0, -7, 1.5, 1e300, "é\"\n")] == [
        "null", "true", "false", "0", "-7", "1.5", "1e+300", '"\\u00e9\\"\\n"']
    assert json_text("é", ensure_ascii=False) == '"é"'
    assert [json_text(v) for v in (float("nan"), float("-inf"), date(2026, 1, 2), ["a", 1])] == [
        "NaN", "-Infinity", '"2026-01-02"', '["a", 1]']
