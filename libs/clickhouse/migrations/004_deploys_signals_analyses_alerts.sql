CREATE TABLE IF NOT EXISTS deploys
(
    id            String,
    project       LowCardinality(String),
    environment   LowCardinality(String),
    release       String,
    commit_sha    String,
    previous_sha  String,
    deployed_at   DateTime64(3, 'UTC'),
    changed_files Array(String),
    received_at   DateTime64(3, 'UTC') DEFAULT now64(3)
)
ENGINE = ReplacingMergeTree
ORDER BY (project, id);

-- New issue, new cluster, spike, regression: ids are deterministic, so a replay is one row.
-- Also the outbox of the signals topic: `published` flips to 1 (a new version) once Kafka has it.
CREATE TABLE IF NOT EXISTS signals
(
    id          String,
    kind        LowCardinality(String),
    project     LowCardinality(String),
    fingerprint String,
    cluster_id  String,
    at          DateTime64(3, 'UTC'),
    release     String,
    deploy_id   String,
    details     String,
    published   UInt8,
    version     UInt64
)
ENGINE = ReplacingMergeTree(version)
ORDER BY (project, kind, id);

CREATE TABLE IF NOT EXISTS analyses
(
    id             String,
    project        LowCardinality(String),
    cluster_id     String,
    cache_key      String,
    analyzer       LowCardinality(String),
    model          String,
    status         LowCardinality(String),
    failure_reason String,
    document       String CODEC(ZSTD(3)),
    markdown       String CODEC(ZSTD(3)),
    evidence       String CODEC(ZSTD(3)),
    input_tokens   UInt64,
    output_tokens  UInt64,
    created_at     DateTime64(3, 'UTC')
)
ENGINE = ReplacingMergeTree(created_at)
ORDER BY (project, cluster_id, id);

CREATE TABLE IF NOT EXISTS alerts
(
    id           String,
    project      LowCardinality(String),
    cluster_id   String,
    trigger      LowCardinality(String),
    target       String,
    status       LowCardinality(String),
    attempts     UInt32,
    last_error   String,
    payload      String,
    created_at   DateTime64(3, 'UTC'),
    updated_at   DateTime64(3, 'UTC')
)
ENGINE = ReplacingMergeTree(updated_at)
ORDER BY (project, id, target);

-- The project store: ingest keys live here (or in config).
CREATE TABLE IF NOT EXISTS projects
(
    id          String,
    name        String,
    public_key  String,
    repo_path   String,
    created_at  DateTime64(3, 'UTC'),
    version     UInt64
)
ENGINE = ReplacingMergeTree(version)
ORDER BY id;
