"""Service maturity scorecards as code: the model (model.py), spec loading from YAML (spec.py,
spec_yaml.py) -> facts (facts/) -> rule evaluation (checks.py, logic.py, evaluate.py) -> levels
and scores -> output (report.py), storage and history (store.py, history.py); golden-path
analytics (golden_paths.py). docs/scorecards.md documents the format, every fact and the CLI."""
