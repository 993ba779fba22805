"""What a GitHub sync needs to know beyond the repositories: where, which environments, which label."""
from __future__ import annotations

from datetime import datetime
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field, field_validator

__all__ = ["GithubSettings", "DEFAULT_API_URL", "SOURCE"]

SOURCE = "github"
DEFAULT_API_URL = "https://api.github.com"


class GithubSettings(BaseModel):
    """Settings of `pitwall sync github` and `pitwall rebuild` (the defaults of METRICS.md).

    `environments` are the production environment names (compared case-insensitively);
    `incident_labels` the issue labels (any case) that make an issue an incident;
    `deployments_from` the deployment signal: the Deployments API, or published releases.
    """

    model_config = ConfigDict(extra="forbid", frozen=True)

    api_url: str = DEFAULT_API_URL
    environments: tuple[str, ...] = Field(default=("production", "prod", "prd"), min_length=1)
    incident_labels: tuple[str, ...] = Field(default=("incident",), min_length=1)
    deployments_from: Literal["deployments", "releases"] = "deployments"
    since: datetime | None = None
    include_archived: bool = False
    include_forks: bool = False
    concurrency: int = Field(default=8, ge=1, le=64)

    @field_validator("environments", "incident_labels")
    @classmethod
    def _no_blank_names(cls, names: tuple[str, ...]) -> tuple[str, ...]:
        if any(not name.strip() for name in names):
            raise ValueError("a name is blank")
        return names

    @property
    def production_names(self) -> frozenset[str]:
        """The production environment names, lower-cased."""
        return frozenset(name.lower() for name in self.environments)

    @property
    def release_environment(self) -> str:
        """The environment a release deploys to when releases are the deployment signal."""
        return self.environments[0]
