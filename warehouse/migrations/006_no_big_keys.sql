-- The five big canonical tables lose their PRIMARY KEY constraint. Every writer already deletes
-- the rows with the natural keys it writes before inserting (warehouse/store.py), and the import
-- stages each key once (the last line wins), so the key stays unique without the constraint.
-- The constraint's index is what did not scale: DuckDB keeps a transaction's uncommitted index
-- entries in memory, and a ten-million-commit import (one transaction with its derive) outgrew
-- any sensible memory limit; it also cost about 2 microseconds per row written.
-- DuckDB cannot drop a constraint, so each table is rebuilt with the same columns in order.

CREATE TABLE commits_unkeyed (
    source       VARCHAR NOT NULL,
    repo         VARCHAR NOT NULL,
    sha          VARCHAR NOT NULL,
    authored_at  TIMESTAMPTZ NOT NULL,
    committed_at TIMESTAMPTZ,
    author       VARCHAR,
    parents      VARCHAR[],
    pull_request VARCHAR,
    message      VARCHAR,
    files        VARCHAR[]
);
INSERT INTO commits_unkeyed SELECT * FROM commits;
DROP TABLE commits;
ALTER TABLE commits_unkeyed RENAME TO commits;

CREATE TABLE pull_requests_unkeyed (
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
    draft            BOOLEAN
);
INSERT INTO pull_requests_unkeyed SELECT * FROM pull_requests;
DROP TABLE pull_requests;
ALTER TABLE pull_requests_unkeyed RENAME TO pull_requests;

CREATE TABLE reviews_unkeyed (
    source       VARCHAR NOT NULL,
    id           VARCHAR NOT NULL,
    pull_request VARCHAR NOT NULL,
    reviewer     VARCHAR NOT NULL,
    state        VARCHAR NOT NULL,
    submitted_at TIMESTAMPTZ NOT NULL
);
INSERT INTO reviews_unkeyed SELECT * FROM reviews;
DROP TABLE reviews;
ALTER TABLE reviews_unkeyed RENAME TO reviews;

CREATE TABLE deployments_unkeyed (
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
    commits      VARCHAR[]
);
INSERT INTO deployments_unkeyed SELECT * FROM deployments;
DROP TABLE deployments;
ALTER TABLE deployments_unkeyed RENAME TO deployments;

CREATE TABLE pipeline_runs_unkeyed (
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
    attempt     BIGINT
);
INSERT INTO pipeline_runs_unkeyed SELECT * FROM pipeline_runs;
DROP TABLE pipeline_runs;
ALTER TABLE pipeline_runs_unkeyed RENAME TO pipeline_runs;
