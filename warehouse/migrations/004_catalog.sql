-- The service catalog (pitwall catalog import), repository facts and scorecard results.

-- Every entity of the imported Backstage catalog, references resolved to names
-- (`group:default/payments` -> `payments`; outside the default namespace `namespace/name`).
-- Services and teams also become canonical `services` and `teams` rows with the same source.
CREATE TABLE catalog_entities (
    source      VARCHAR NOT NULL,
    ref         VARCHAR NOT NULL,   -- kind:namespace/name, kind in lower case
    kind        VARCHAR NOT NULL,   -- as written: Component, Group, ...
    namespace   VARCHAR NOT NULL,
    name        VARCHAR NOT NULL,
    entity_id   VARCHAR NOT NULL,   -- name, or namespace/name outside the default namespace
    api_version VARCHAR NOT NULL,
    type        VARCHAR,            -- spec.type
    title       VARCHAR,
    description VARCHAR,
    owner       VARCHAR,            -- spec.owner resolved
    team        VARCHAR,            -- the owning group (a User owner: its first group)
    lifecycle   VARCHAR,
    system      VARCHAR,            -- spec.system resolved
    parent      VARCHAR,            -- spec.parent (Group) resolved
    member_of   VARCHAR[],          -- spec.memberOf (User) resolved
    tags        VARCHAR[] NOT NULL,
    annotations JSON NOT NULL,      -- {key: value}
    links       JSON NOT NULL,      -- [{url, title, type}]
    template    VARCHAR,            -- the backstage.io/source-template annotation resolved
    has_docs    BOOLEAN NOT NULL,
    file        VARCHAR NOT NULL,   -- where the entity was defined
    line        INTEGER NOT NULL,
    PRIMARY KEY (source, ref)
);

-- What one tree listing of a repository showed (ingest/repo_facts.py); NULL facts: unknown
-- (the listing was refused or missing, `listed` false).
CREATE TABLE repo_tree_facts (
    repo        VARCHAR NOT NULL,
    source      VARCHAR NOT NULL,
    listed      BOOLEAN NOT NULL,
    readme      BOOLEAN,
    codeowners  BOOLEAN,
    ci_workflow BOOLEAN,
    dockerfile  BOOLEAN,
    docs_folder BOOLEAN,
    listed_at   TIMESTAMPTZ NOT NULL,
    PRIMARY KEY (repo, source)
);

-- The scorecard specs `pitwall scorecards evaluate` runs when no --spec is given: the set of the
-- last evaluation that named --spec files, replaced whole each time.
CREATE TABLE scorecard_specs (
    scorecard   VARCHAR NOT NULL PRIMARY KEY,
    file        VARCHAR NOT NULL,
    text        VARCHAR NOT NULL,
    saved_at    TIMESTAMPTZ NOT NULL
);

-- One row per scorecard and evaluation day (UTC); re-evaluating a day replaces its rows.
CREATE TABLE scorecard_runs (
    evaluated_on DATE NOT NULL,
    scorecard    VARCHAR NOT NULL,
    title        VARCHAR NOT NULL,
    levels       VARCHAR[] NOT NULL, -- lowest first
    file         VARCHAR NOT NULL,
    evaluated_at TIMESTAMPTZ NOT NULL,
    PRIMARY KEY (evaluated_on, scorecard)
);

-- Per service: the level reached ('none' below the first) and the score (NULL: every rule exempt).
CREATE TABLE scorecard_results (
    evaluated_on DATE NOT NULL,
    scorecard    VARCHAR NOT NULL,
    service      VARCHAR NOT NULL,
    team         VARCHAR,
    level        VARCHAR NOT NULL,
    level_rank   INTEGER NOT NULL,   -- 0 for 'none', 1 for the first level, ...
    score        DOUBLE,
    PRIMARY KEY (evaluated_on, scorecard, service)
);

-- Per service and rule: status pass / fail / exempt, the fact value (JSON), reason, remediation.
CREATE TABLE scorecard_rule_results (
    evaluated_on DATE NOT NULL,
    scorecard    VARCHAR NOT NULL,
    service      VARCHAR NOT NULL,
    rule         VARCHAR NOT NULL,
    level        VARCHAR NOT NULL,
    weight       DOUBLE NOT NULL,
    status       VARCHAR NOT NULL,
    value        JSON,
    reason       VARCHAR NOT NULL,
    remediation  VARCHAR,
    PRIMARY KEY (evaluated_on, scorecard, service, rule)
);
