"""`python -m sampleorg --today DATE [--small] [--out FILE]`: the sample organisation as NDJSON."""
from __future__ import annotations

import argparse
import sys
from collections import Counter
from datetime import UTC, date, datetime
from pathlib import Path

from sampleorg.config import DEFAULT_CONFIG, ConfigError
from sampleorg.generate import generate, write_ndjson


def _date(text: str) -> date:
    try:
        return date.fromisoformat(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"not a date (YYYY-MM-DD): {text!r}") from None


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m sampleorg", description=__doc__)
    parser.add_argument("--today", type=_date, default=datetime.now(UTC).date(),
                        help="anchor date: the history ends at its midnight (UTC); default today")
    parser.add_argument("--small", action="store_true", help="the snapshot organisation ([small])")
    parser.add_argument("--out", type=Path, help="write here instead of standard output")
    args = parser.parse_args(argv)
    try:
        events = generate(args.today, small=args.small)
    except ConfigError as error:
        print(f"error: {DEFAULT_CONFIG}: {error}", file=sys.stderr)
        return 2
    if args.out is None:
        write_ndjson(events, sys.stdout)
    else:
        with args.out.open("w", encoding="utf-8") as handle:
            write_ndjson(events, handle)
    counts = Counter(event["type"] for event in events)
    summary = ", ".join(f"{n} {t}" for t, n in sorted(counts.items()))
    print(f"{len(events)} events: {summary}", file=sys.stderr)
    return 0


if __name__ == "__main__":
    sys.exit(main())
