"""The facts scorecards check, one provider per origin (docs/scorecards.md lists every fact)."""
from scorecards.facts.catalog import catalog_provider, catalog_services
from scorecards.facts.delivery import ci_provider, dora_provider, incident_provider
from scorecards.facts.devex import devex_provider
from scorecards.facts.registry import (
    CatalogService,
    Fact,
    FactContext,
    FactProvider,
    FactRegistry,
    ServiceFacts,
)
from scorecards.facts.repository import repository_provider

__all__ = ["DEFAULT_REGISTRY", "CatalogService", "Fact", "FactContext", "FactProvider", "FactRegistry",
           "ServiceFacts", "catalog_services"]

DEFAULT_REGISTRY = FactRegistry([catalog_provider, repository_provider, dora_provider, devex_provider,
                                 ci_provider, incident_provider])
