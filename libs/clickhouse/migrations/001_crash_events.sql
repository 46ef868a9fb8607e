-- Normalized crash events: one row per input event. Raw events expire after the TTL;
-- the aggregate state below (issues, minutes, releases) is kept.
CREATE TABLE IF NOT EXISTS crash_events
(
    project           LowCardinality(String),
    fingerprint       String,
    event_id          String,
    timestamp         DateTime64(3, 'UTC'),
    received_at       DateTime64(3, 'UTC'),
    platform          LowCardinality(String),
    release           LowCardinality(String),
    environment       LowCardinality(String),
    severity          LowCardinality(String),
    error_type        String,
    message           String,
    message_template  String,
    canonical_kind    LowCardinality(String),
    user_id           String,
    region            LowCardinality(String),
    transaction       String,
    server_name       String,
    os                LowCardinality(String),
    device            LowCardinality(String),
    browser           LowCardinality(String),
    runtime           LowCardinality(String),
    tags              Map(String, String),
    crash_frame       String,
    fingerprint_parts Array(String),
    source_kind       LowCardinality(String),
    source_name       String,
    source_line       Int64,
    event_json        String CODEC(ZSTD(3)),
    inserted_at       DateTime64(3, 'UTC') DEFAULT now64(3),
    INDEX idx_event_id event_id TYPE bloom_filter(0.01) GRANULARITY 4
)
ENGINE = MergeTree
PARTITION BY toYYYYMMDD(timestamp)
ORDER BY (project, fingerprint, timestamp)
TTL toDateTime(timestamp) + INTERVAL {{events_ttl_days}} DAY
SETTINGS non_replicated_deduplication_window = 1000;
