"""The sample organisation: a seeded generator of a realistic engineering organisation.

`generate(today)` returns canonical events (docs/events.md), all with source "demo", for about a
year of history ending at `today`: teams, services, repositories, commits forming a real graph,
squash- and merge-commit pull requests, reviews, deployments (with failed attempts and
rollbacks), incidents and CI runs. The configuration is sampleorg/organisation.toml; see
data-samples/README.md. `python -m sampleorg --today DATE [--small]` prints it as NDJSON.
"""
from sampleorg.config import OrgConfig, load_config
from sampleorg.generate import generate, write_ndjson
from sampleorg.records import SOURCE

__all__ = ["SOURCE", "OrgConfig", "generate", "load_config", "write_ndjson"]
