-- One row per issue (exact fingerprint): what it looks like, for clustering and titles.
-- Written once when the issue is first seen; a replay writes the same row again.
CREATE TABLE IF NOT EXISTS issues
(
    project         LowCardinality(String),
    fingerprint     String,
    title           String,
    platform        LowCardinality(String),
    error_type      String,
    canonical_kind  LowCardinality(String),
    category        LowCardinality(String),
    message_template String,
    culprit         String,
    signature       String,
    first_event_id  String,
    first_seen      DateTime64(3, 'UTC'),
    created_at      DateTime64(3, 'UTC') DEFAULT now64(3)
)
ENGINE = ReplacingMergeTree
ORDER BY (project, fingerprint);

-- Issue -> cluster, versioned: a merge or split later is one new version per issue.
CREATE TABLE IF NOT EXISTS cluster_membership
(
    project      LowCardinality(String),
    fingerprint  String,
    cluster_id   String,
    version      UInt64,
    confidence   Float32,
    evidence     String,
    assigned_by  LowCardinality(String),
    assigned_at  DateTime64(3, 'UTC')
)
ENGINE = ReplacingMergeTree(version)
ORDER BY (project, fingerprint);

-- Issue statuses set through the API: unresolved, resolved, resolved_in_release, ignored.
CREATE TABLE IF NOT EXISTS issue_status
(
    project             LowCardinality(String),
    fingerprint         String,
    status              LowCardinality(String),
    resolved_in_release String,
    changed_at          DateTime64(3, 'UTC'),
    changed_by          String,
    version             UInt64
)
ENGINE = ReplacingMergeTree(version)
ORDER BY (project, fingerprint);
