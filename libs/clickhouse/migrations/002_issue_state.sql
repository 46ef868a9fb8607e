-- Issue state, maintained incrementally by materialized views: one row per (project, fingerprint)
-- after merges; read with the -Merge combinators (or max/min/sum over SimpleAggregateFunction).
CREATE TABLE IF NOT EXISTS issue_stats
(
    project         LowCardinality(String),
    fingerprint     String,
    first_seen      SimpleAggregateFunction(min, DateTime64(3, 'UTC')),
    last_seen       SimpleAggregateFunction(max, DateTime64(3, 'UTC')),
    events          SimpleAggregateFunction(sum, UInt64),
    users           AggregateFunction(uniq, String),
    releases        AggregateFunction(groupUniqArray(100), String),
    environments    AggregateFunction(groupUniqArray(20), String),
    sample_event_id AggregateFunction(any, String)
)
ENGINE = AggregatingMergeTree
ORDER BY (project, fingerprint);

CREATE MATERIALIZED VIEW IF NOT EXISTS issue_stats_mv TO issue_stats AS
SELECT
    project,
    fingerprint,
    min(timestamp)                                 AS first_seen,
    max(timestamp)                                 AS last_seen,
    toUInt64(count())                              AS events,
    uniqStateIf(user_id, user_id != '')            AS users,
    groupUniqArrayStateIf(100)(release, release != '') AS releases,
    groupUniqArrayStateIf(20)(environment, environment != '') AS environments,
    anyState(event_id)                             AS sample_event_id
FROM crash_events
GROUP BY project, fingerprint;

-- Per-minute counts per issue, for rates, spikes and timelines.
CREATE TABLE IF NOT EXISTS issue_minutes
(
    project     LowCardinality(String),
    fingerprint String,
    minute      DateTime('UTC'),
    events      SimpleAggregateFunction(sum, UInt64),
    users       AggregateFunction(uniq, String)
)
ENGINE = AggregatingMergeTree
PARTITION BY toYYYYMM(minute)
ORDER BY (project, fingerprint, minute);

CREATE MATERIALIZED VIEW IF NOT EXISTS issue_minutes_mv TO issue_minutes AS
SELECT
    project,
    fingerprint,
    toStartOfMinute(timestamp)          AS minute,
    toUInt64(count())                   AS events,
    uniqStateIf(user_id, user_id != '') AS users
FROM crash_events
GROUP BY project, fingerprint, minute;

-- Releases as seen in events (inferred releases), per environment.
CREATE TABLE IF NOT EXISTS release_stats
(
    project     LowCardinality(String),
    environment LowCardinality(String),
    release     String,
    first_seen  SimpleAggregateFunction(min, DateTime64(3, 'UTC')),
    last_seen   SimpleAggregateFunction(max, DateTime64(3, 'UTC')),
    events      SimpleAggregateFunction(sum, UInt64),
    users       AggregateFunction(uniq, String)
)
ENGINE = AggregatingMergeTree
ORDER BY (project, environment, release);

CREATE MATERIALIZED VIEW IF NOT EXISTS release_stats_mv TO release_stats AS
SELECT
    project,
    environment,
    release,
    min(timestamp)                      AS first_seen,
    max(timestamp)                      AS last_seen,
    toUInt64(count())                   AS events,
    uniqStateIf(user_id, user_id != '') AS users
FROM crash_events
WHERE release != ''
GROUP BY project, environment, release;
