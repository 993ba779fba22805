"""Catalog facts (what catalog-info.yaml says) and the services a scorecard evaluates."""
from __future__ import annotations

import json
from collections import defaultdict
from collections.abc import Sequence

import duckdb

from scorecards.facts.registry import CatalogService, Fact, FactContext, FactProvider, ServiceFacts

__all__ = ["CATALOG_FACTS", "catalog_provider", "catalog_services"]

# Components of type service or website (as ingest.catalog imports them as services).
CATALOG_SERVICES = """
SELECT entity_id, lower(type) AS type, owner, team, lifecycle, system, description, tags, annotations,
       template, has_docs
FROM catalog_entities
WHERE lower(kind) = 'component' AND lower(type) IN ('service', 'website')
ORDER BY entity_id
"""

# The repositories of each service, whichever source lists them (catalog, import, sync).
SERVICE_REPOS = "SELECT DISTINCT service, repo FROM service_repos ORDER BY service, repo"

CATALOG_FACTS = (
    Fact("owner", "text", "spec.owner resolved to a name (`group:default/payments` -> `payments`)."),
    Fact("team", "text", "The owning team: the owner when it is a Group; a User owner's first group."),
    Fact("lifecycle", "text", "spec.lifecycle (production, experimental, deprecated, ...)."),
    Fact("system", "text", "spec.system resolved to a name."),
    Fact("type", "text", "spec.type: service or website."),
    Fact("description", "text", "metadata.description."),
    Fact("tags", "list", "metadata.tags (an empty list when there are none)."),
    Fact("has_docs", "boolean", "A backstage.io/techdocs-ref annotation, or a metadata.links entry whose "
                                "type or title contains \"doc\"."),
    Fact("template", "text", "The golden-path template the service was created from: the "
                             "backstage.io/source-template annotation resolved (`template:default/go-service` "
                             "-> `go-service`)."),
    Fact("repos", "list", "The repositories the service lives in (catalog annotations and any other source)."),
)
ANNOTATIONS = Fact("annotations.", "text", "The value of annotation KEY, e.g. `annotations.pagerduty.com/service-id`.")


def catalog_services(con: duckdb.DuckDBPyConnection) -> list[CatalogService]:
    """Every catalog service with its catalog facts and repositories, by id."""
    repos: dict[str, list[str]] = defaultdict(list)
    for service, repo in con.execute(SERVICE_REPOS).fetchall():
        repos[service].append(repo)
    services = []
    for row in con.execute(CATALOG_SERVICES).fetchall():
        (entity_id, kind, owner, team, lifecycle, system, description, tags, annotations, template,
         has_docs) = row
        annotations = json.loads(annotations)
        values = {"owner": owner, "team": team, "lifecycle": lifecycle, "system": system, "type": kind,
                  "description": description, "tags": list(tags), "has_docs": has_docs, "template": template,
                  "repos": repos.get(entity_id, [])}
        values |= {ANNOTATIONS.name + key: value for key, value in annotations.items()}
        services.append(CatalogService(id=entity_id, type=kind, lifecycle=lifecycle, team=team,
                                       annotations=annotations, repos=tuple(repos.get(entity_id, ())),
                                       catalog=values))
    return services


def _collect(con: duckdb.DuckDBPyConnection, services: Sequence[CatalogService], context: FactContext) -> ServiceFacts:
    return {service.id: dict(service.catalog) for service in services}


catalog_provider = FactProvider("catalog", CATALOG_FACTS, _collect, prefix=ANNOTATIONS)
