-- Provider syncs (GitHub first): what was fetched, where each stream stopped, and a run log.

-- The raw JSON of every fetched resource, so canonical rows can be re-derived offline
-- (`pitwall rebuild`) after a setting changes. One document per (source, scope, kind, key):
-- scope is the repository ('owner/name'), kind the resource ('pull', 'pull_commits',
-- 'deployment', 'compare', ...), key its identity within the scope (a number, an id, 'base...head').
CREATE TABLE raw_documents (
    source     VARCHAR NOT NULL,
    scope      VARCHAR NOT NULL,
    kind       VARCHAR NOT NULL,
    key        VARCHAR NOT NULL,
    -- The item's own change marker (its updated_at): an unchanged item is not fetched again.
    version    VARCHAR,
    -- The ETag of the single-page response the document came from (conditional re-fetch).
    etag       VARCHAR,
    fetched_at TIMESTAMPTZ NOT NULL,
    body       JSON NOT NULL,
    PRIMARY KEY (source, scope, kind, key)
);

-- Where each resource list of a scope stopped: written in the same transaction as the data it
-- covers, so a bookmark never runs ahead of what is stored.
CREATE TABLE sync_state (
    source     VARCHAR NOT NULL,
    scope      VARCHAR NOT NULL,
    stream     VARCHAR NOT NULL,
    -- The first-page URL the ETag belongs to (a conditional request must repeat it exactly).
    url        VARCHAR,
    etag       VARCHAR,
    -- The newest change marker (e.g. updated_at) up to which everything is stored.
    bookmark   VARCHAR,
    updated_at TIMESTAMPTZ NOT NULL,
    PRIMARY KEY (source, scope, stream)
);

-- One row per sync run: started as 'running', finished as 'success' or 'failed'
-- (a run killed outright stays 'running' and is marked 'interrupted' by the next one).
CREATE TABLE sync_runs (
    id               VARCHAR NOT NULL PRIMARY KEY,
    source           VARCHAR NOT NULL,
    target           VARCHAR NOT NULL,
    started_at       TIMESTAMPTZ NOT NULL,
    finished_at      TIMESTAMPTZ,
    status           VARCHAR NOT NULL,
    requests         BIGINT,
    not_modified     BIGINT,
    rate_limit_waits BIGINT,
    retries          BIGINT,
    records          JSON,
    error            VARCHAR
);
