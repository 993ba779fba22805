"""Words for titles and messages: pull requests, commits and incidents that read like real ones."""
from __future__ import annotations

import random
import re

__all__ = [
    "branch_commit_message",
    "dependency_title",
    "incident_title",
    "pr_title",
    "slug",
    "unrelated_incident_title",
]

AREAS = ("cache", "retry policy", "health checks", "rate limiter", "config loader", "metrics",
         "request logging", "auth middleware", "database pool", "queue consumer", "feature flag",
         "pagination", "error pages", "timeouts", "schema migration", "batch job", "webhooks",
         "search filters", "API client", "dashboard", "alerting rules", "i18n strings")
FEATURE_VERBS = ("Add", "Support", "Introduce", "Enable", "Expose")
FIX_PROBLEMS = ("race condition", "memory leak", "off-by-one", "timezone bug", "null pointer",
                "flaky test", "slow query", "wrong status code", "stale reads", "double counting")
CHORES = ("Refactor", "Clean up", "Document", "Simplify", "Rename fields in")
DEPENDENCIES = ("requests", "protobuf", "grpc", "lodash", "jackson-databind", "golang.org/x/net",
                "django", "react", "aws-sdk", "opentelemetry")
BRANCH_MESSAGES = ("Add tests", "Address review comments", "Fix lint", "Handle edge case",
                   "Update docs", "Tidy up", "wip", "Rename variable", "Fix CI")
SYMPTOMS = ("Elevated 5xx errors", "Latency spike", "Failed requests", "Error rate above SLO",
            "Timeouts", "Crash loop")
UNRELATED = ("Cloud provider network degradation", "Upstream DNS resolution failures",
             "Expired TLS certificate on the status page", "Third-party payment gateway outage",
             "Disk full on the shared logging cluster", "CDN cache purge storm",
             "Office VPN outage", "Certificate authority rate limit hit")

KINDS = (("feature", ["enhancement"]), ("fix", ["bug"]), ("chore", ["chore"]))


def pr_title(rng: random.Random, prefix: str = "") -> tuple[str, list[str]]:
    """A pull request title and its labels (feature, fix or chore)."""
    kind, labels = rng.choices(KINDS, weights=(5, 3, 2))[0]
    area = rng.choice(AREAS)
    if kind == "feature":
        title = f"{rng.choice(FEATURE_VERBS)} {area}"
    elif kind == "fix":
        title = f"Fix {rng.choice(FIX_PROBLEMS)} in {area}"
    else:
        title = f"{rng.choice(CHORES)} {area}"
    return prefix + title, list(labels)


def dependency_title(rng: random.Random) -> str:
    """A dependency bump, as a bot writes it."""
    major, minor = rng.randint(1, 9), rng.randint(0, 30)
    return f"Bump {rng.choice(DEPENDENCIES)} from {major}.{minor}.0 to {major}.{minor + 1}.0"


def branch_commit_message(rng: random.Random) -> str:
    return rng.choice(BRANCH_MESSAGES)


def incident_title(rng: random.Random, service: str) -> str:
    return f"{rng.choice(SYMPTOMS)} on {service}"


def unrelated_incident_title(rng: random.Random) -> str:
    return rng.choice(UNRELATED)


def slug(title: str) -> str:
    """A branch-name fragment from a title."""
    return re.sub(r"[^a-z0-9]+", "-", title.lower()).strip("-")[:40]
