-- Developer experience: the files a commit changed (monorepo attribution) and people's teams.

-- The paths (relative to the repository root) a commit changed, as the provider's compare or
-- commit response lists them; NULL when the source does not say.
ALTER TABLE commits ADD COLUMN files VARCHAR[];

-- People and the team they belong to, for the cross-team figures and new hires per team.
-- `id` is the login that commits, pull requests and reviews name (compared case-insensitively).
-- Filled by pitwall.toml's [metrics.teams] (source "config", rewritten on every refresh) and by
-- the catalog import from Backstage User entities (source "catalog"); where both know a person,
-- the configuration wins.
CREATE TABLE people (
    source VARCHAR NOT NULL,
    id     VARCHAR NOT NULL,
    name   VARCHAR,
    email  VARCHAR,
    team   VARCHAR,
    PRIMARY KEY (source, id)
);
