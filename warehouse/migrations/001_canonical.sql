-- Canonical tables: one per event type of docs/events.md.
-- Natural key: (source, id); a commit's is (repo, sha). Timestamps are TIMESTAMPTZ in UTC.

CREATE TABLE teams (
    source      VARCHAR NOT NULL,
    id          VARCHAR NOT NULL,
    name        VARCHAR NOT NULL,
    parent      VARCHAR,
    PRIMARY KEY (source, id)
);

CREATE TABLE services (
    source      VARCHAR NOT NULL,
    id          VARCHAR NOT NULL,
    name        VARCHAR NOT NULL,
    team        VARCHAR,
    lifecycle   VARCHAR,
    tier        VARCHAR,
    annotations JSON,
    PRIMARY KEY (source, id)
);

-- The repositories (and monorepo path prefixes) a service lists; path '' is the whole repo.
CREATE TABLE service_repos (
    source      VARCHAR NOT NULL,
    service     VARCHAR NOT NULL,
    repo        VARCHAR NOT NULL,
    path        VARCHAR NOT NULL,
    PRIMARY KEY (source, service, repo, path)
);

CREATE TABLE repos (
    source         VARCHAR NOT NULL,
    id             VARCHAR NOT NULL,
    provider       VARCHAR,
    default_branch VARCHAR,
    url            VARCHAR,
    PRIMARY KEY (source, id)
);

CREATE TABLE commits (
    source       VARCHAR NOT NULL,
    repo         VARCHAR NOT NULL,
    sha          VARCHAR NOT NULL,
    authored_at  TIMESTAMPTZ NOT NULL,
    committed_at TIMESTAMPTZ,
    author       VARCHAR,
    parents      VARCHAR[],
    pull_request VARCHAR,
    message      VARCHAR,
    PRIMARY KEY (repo, sha)
);

CREATE TABLE pull_requests (
    source           VARCHAR NOT NULL,
    id               VARCHAR NOT NULL,
    repo             VARCHAR NOT NULL,
    number           BIGINT NOT NULL,
    author           VARCHAR NOT NULL,
    created_at       TIMESTAMPTZ NOT NULL,
    title            VARCHAR,
    ready_at         TIMESTAMPTZ,
    merged_at        TIMESTAMPTZ,
    closed_at        TIMESTAMPTZ,
    base_branch      VARCHAR,
    merge_commit_sha VARCHAR,
    additions        BIGINT,
    deletions        BIGINT,
    labels           VARCHAR[],
    draft            BOOLEAN,
    PRIMARY KEY (source, id)
);

CREATE TABLE reviews (
    source       VARCHAR NOT NULL,
    id           VARCHAR NOT NULL,
    pull_request VARCHAR NOT NULL,
    reviewer     VARCHAR NOT NULL,
    state        VARCHAR NOT NULL,
    submitted_at TIMESTAMPTZ NOT NULL,
    PRIMARY KEY (source, id)
);

CREATE TABLE deployments (
    source       VARCHAR NOT NULL,
    id           VARCHAR NOT NULL,
    repo         VARCHAR NOT NULL,
    environment  VARCHAR NOT NULL,
    sha          VARCHAR NOT NULL,
    status       VARCHAR NOT NULL,
    finished_at  TIMESTAMPTZ NOT NULL,
    service      VARCHAR,
    started_at   TIMESTAMPTZ,
    -- NULL: the source gave no commit list (derive walks the commit graph); a list, even empty, wins.
    commits      VARCHAR[],
    PRIMARY KEY (source, id)
);

CREATE TABLE incidents (
    source               VARCHAR NOT NULL,
    id                   VARCHAR NOT NULL,
    started_at           TIMESTAMPTZ NOT NULL,
    resolved_at          TIMESTAMPTZ,
    service              VARCHAR,
    repo                 VARCHAR,
    title                VARCHAR,
    severity             VARCHAR,
    caused_by_deployment VARCHAR,
    caused_by_sha        VARCHAR,
    labels               VARCHAR[],
    PRIMARY KEY (source, id)
);

CREATE TABLE pipeline_runs (
    source      VARCHAR NOT NULL,
    id          VARCHAR NOT NULL,
    repo        VARCHAR NOT NULL,
    workflow    VARCHAR NOT NULL,
    status      VARCHAR NOT NULL,
    started_at  TIMESTAMPTZ NOT NULL,
    sha         VARCHAR,
    branch      VARCHAR,
    event       VARCHAR,
    finished_at TIMESTAMPTZ,
    attempt     BIGINT,
    PRIMARY KEY (source, id)
);

-- One row per import or sync run, for the data-health panel ("last sync per source").
CREATE TABLE ingest_runs (
    source      VARCHAR NOT NULL,
    target      VARCHAR NOT NULL,
    finished_at TIMESTAMPTZ NOT NULL,
    records     BIGINT NOT NULL
);
