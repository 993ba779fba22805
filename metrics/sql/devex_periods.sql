-- The periods a developer-experience query reports on, newest first: period 0 is the window, 1
-- the period of equal length just before it (when asked for), each [since, until). Parameters:
-- $period_starts and $period_ends (their bounds, in that order); $since and $until span them all.
SELECT unnest(range(len($period_starts::TIMESTAMPTZ[]))) AS period,
       unnest($period_starts::TIMESTAMPTZ[]) AS since,
       unnest($period_ends::TIMESTAMPTZ[]) AS until
