#!/usr/bin/env bash
# Run a real single-node Apache Kafka broker (KRaft, combined broker+controller)
# from Maven Central jars: no Docker, no tarball download.
#
#   kafka.sh fetch                          resolve the jars into the cache
#   kafka.sh start  [--port N] [--dir DIR] [--fresh]
#   kafka.sh stop   [--port N] [--dir DIR]
#   kafka.sh status [--port N] [--dir DIR]
#   kafka.sh run-class CLASS [ARGS...]      run a Kafka CLI class from the jars
#
# See README.md beside this file for the environment variables.
set -euo pipefail

SCRIPT_DIR="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
REPO_ROOT="$(cd "$SCRIPT_DIR/../.." && pwd)"
POM="$SCRIPT_DIR/pom.xml"

# The pom is the single source of truth for the Kafka version.
KAFKA_VERSION="$(sed -n 's:.*<kafka.version>\(.*\)</kafka.version>.*:\1:p' "$POM" | head -n1)"
[[ -n "$KAFKA_VERSION" ]] || { echo "kafka.sh: no <kafka.version> in $POM" >&2; exit 1; }

CACHE="${FAULTLINE_CACHE:-$REPO_ROOT/.cache}"
mkdir -p "$CACHE"
CACHE="$(cd "$CACHE" && pwd)"          # absolute: paths end up in config files
VERSION_DIR="$CACHE/kafka/$KAFKA_VERSION"
LIBS="$VERSION_DIR/libs"
MARKER="$VERSION_DIR/.fetched"         # holds the pom's hash once libs/ is complete

START_TIMEOUT="${KAFKA_START_TIMEOUT:-60}"
STOP_TIMEOUT="${KAFKA_STOP_TIMEOUT:-30}"
HEAP_OPTS="${KAFKA_HEAP_OPTS:--Xms256m -Xmx768m}"
USE_CDS="${KAFKA_CDS:-1}"

log() { echo "kafka.sh: $*" >&2; }
die() { log "$*"; exit 1; }

# ---------------------------------------------------------------- fetch

pom_hash() { sha256sum "$POM" | cut -d' ' -f1; }

fetch() {
  # Fast path: a marker written only after a complete copy, keyed on the pom.
  if [[ -f "$MARKER" && "$(cat "$MARKER")" == "$(pom_hash)" && -d "$LIBS" ]]; then
    return 0
  fi
  mkdir -p "$VERSION_DIR"
  # Serialize concurrent fetches (e.g. two `start`s at once).
  exec 9>"$VERSION_DIR/.lock"
  flock 9
  if [[ -f "$MARKER" && "$(cat "$MARKER")" == "$(pom_hash)" && -d "$LIBS" ]]; then
    exec 9>&-; return 0
  fi
  command -v mvn >/dev/null || die "mvn not found (Maven is needed once, to fetch the jars)"
  log "fetching Kafka $KAFKA_VERSION jars into $LIBS"
  # Copy into a temp dir and swap, so an interrupted fetch never looks complete.
  local tmp="$VERSION_DIR/libs.tmp"
  rm -rf "$tmp"
  # Output only on failure (Debian's mvn -q still prints colour codes).
  if ! mvn -q -B -f "$POM" dependency:copy-dependencies \
      -DincludeScope=runtime -DoutputDirectory="$tmp" >"$VERSION_DIR/fetch.log" 2>&1; then
    cat "$VERSION_DIR/fetch.log" >&2
    die "fetch failed (see above)"
  fi
  rm -rf "$LIBS"
  mv "$tmp" "$LIBS"
  pom_hash >"$MARKER"
  exec 9>&-
}

# ---------------------------------------------------------------- helpers

PORT="${KAFKA_PORT:-39092}"
DIR=""
FRESH=0

parse_args() {
  while (($#)); do
    case "$1" in
      --port) PORT="${2:?--port needs a value}"; shift 2 ;;
      --port=*) PORT="${1#*=}"; shift ;;
      --dir) DIR="${2:?--dir needs a value}"; shift 2 ;;
      --dir=*) DIR="${1#*=}"; shift ;;
      --fresh) FRESH=1; shift ;;
      *) die "unknown argument: $1" ;;
    esac
  done
  if ! [[ "$PORT" =~ ^[0-9]+$ ]] || ((PORT < 1 || PORT > 65534)); then die "bad port: $PORT"; fi
  CONTROLLER_PORT=$((PORT + 1))
  DIR="$(realpath -m "${DIR:-$CACHE/kafka/run-$PORT}")"  # absolute, may not exist yet
  PID_FILE="$DIR/kafka.pid"
  PROPS="$DIR/server.properties"
  LOG_FILE="$DIR/logs/server.log"
  OUT_FILE="$DIR/logs/kafka.out"
}

# True if $1 is a live broker started from this DIR (guards against pid reuse).
is_our_broker() {
  local pid="$1"
  [[ -n "$pid" ]] && kill -0 "$pid" 2>/dev/null || return 1
  tr '\0' ' ' <"/proc/$pid/cmdline" 2>/dev/null | grep -qF "kafka.Kafka $PROPS"
}

running_pid() {
  local pid
  [[ -f "$PID_FILE" ]] || return 1
  pid="$(cat "$PID_FILE")"
  is_our_broker "$pid" && echo "$pid"
}

port_open() { (exec 3<>"/dev/tcp/127.0.0.1/$1") 2>/dev/null; }

# Speaks the Kafka protocol directly: sends ApiVersionsRequest v0 and checks
# the response carries our correlation id and error_code 0. Costs milliseconds,
# unlike a JVM-based client.
api_versions_ok() {
  local hex
  # shellcheck disable=SC2016  # $1 is expanded by the inner bash
  hex="$(timeout 3 bash -c '
    exec 3<>"/dev/tcp/127.0.0.1/$1" || exit 1
    # size=10 | api_key=18 | api_version=0 | correlation_id=0x0fa17 | client_id=null
    printf "\x00\x00\x00\x0a\x00\x12\x00\x00\x00\x00\xfa\x17\xff\xff" >&3
    head -c 10 <&3 | od -An -tx1' _ "$1" 2>/dev/null | tr -d ' \n')" || return 1
  # bytes 4..7 correlation id, 8..9 error code
  [[ "${hex:8:12}" == "0000fa170000" ]]
}

# Short-lived JVMs (tools): client VM-ish flags start noticeably faster.
TOOL_JVM_OPTS=(-XX:TieredStopAtLevel=1 -XX:+UseSerialGC -Xshare:auto -Xss1m)

write_tools_log4j() {
  # Tools log WARN+ to stderr only, like the distribution's tools-log4j.properties.
  local f="$VERSION_DIR/tools-log4j.properties"
  [[ -f "$f" ]] || cat >"$f" <<'EOF'
log4j.rootLogger=WARN, stderr
log4j.appender.stderr=org.apache.log4j.ConsoleAppender
log4j.appender.stderr.layout=org.apache.log4j.PatternLayout
log4j.appender.stderr.layout.ConversionPattern=[%d] %p %m (%c)%n
log4j.appender.stderr.Target=System.err
EOF
  echo "$f"
}

run_class() {
  local cfg
  cfg="$(write_tools_log4j)"
  java "${TOOL_JVM_OPTS[@]}" -Dlog4j.configuration="file:$cfg" -cp "$LIBS/*" "$@"
}

# Random KRaft cluster id: 16 random bytes, base64url without padding (the
# format kafka-storage random-uuid prints), without spawning a JVM. Like
# Kafka's Uuid.randomUuid, avoid a leading '-' (it would look like a flag).
random_cluster_id() {
  local id
  while :; do
    id="$(head -c 16 /dev/urandom | base64 | tr '+/' '-_' | tr -d '=\n')"
    [[ "$id" != -* ]] && { echo "$id"; return; }
  done
}

# AppCDS: the first broker run dumps the classes it loaded into an archive when
# it exits (on `stop`); later starts map it and reach "ready" ~1 s sooner
# (about 1.6 s instead of 2.6 s here). The archive is only valid for the exact
# JVM and classpath, so its name carries both. A stale or broken one is ignored
# by the JVM (-Xshare:auto), never fatal.
cds_archive() {
  local java_id
  java_id="$(stat -Lc '%n %s %Y' "$(command -v java)" | sha256sum | cut -c1-12)"
  echo "$VERSION_DIR/cds/broker-$java_id-$(cut -c1-12 "$MARKER").jsa"
}

cds_opts() {   # sets CDS_OPTS
  CDS_OPTS=()
  ((USE_CDS)) || return 0
  local jsa
  jsa="$(cds_archive)"
  if [[ -f "$jsa" ]]; then
    CDS_OPTS=("-XX:SharedArchiveFile=$jsa")
  else
    # Each broker dumps to its own file; `stop` moves it into place, so two
    # brokers stopping at once cannot write the same archive.
    mkdir -p "$(dirname "$jsa")"
    rm -f "$DIR/broker.jsa.tmp"
    # (-Xlog: the dump warns about every pre-Java-6 class in reload4j/slf4j.)
    CDS_OPTS=("-XX:ArchiveClassesAtExit=$DIR/broker.jsa.tmp" -Xlog:cds=off -Xlog:cds+dynamic=off)
  fi
}

cds_adopt() {
  # Called once the broker has exited: keep its dump if none is in place yet.
  local tmp="$DIR/broker.jsa.tmp" jsa
  [[ -f "$tmp" ]] || return 0
  jsa="$(cds_archive)"
  # After a SIGKILL the dump may be half-written: drop it.
  if ((!KILLED)) && [[ ! -f "$jsa" ]]; then
    cp "$tmp" "$jsa.$$" && mv -f "$jsa.$$" "$jsa" && log "saved class-data archive for faster starts"
  fi
  rm -f "$tmp"
}

write_config() {
  mkdir -p "$DIR/data" "$DIR/logs"
  cat >"$PROPS" <<EOF
# Generated by deploy/kafka/kafka.sh; rewritten on every start.
process.roles=broker,controller
node.id=1
# Static single-voter quorum: the simplest KRaft setup that 3.9 supports.
controller.quorum.voters=1@127.0.0.1:$CONTROLLER_PORT
listeners=PLAINTEXT://127.0.0.1:$PORT,CONTROLLER://127.0.0.1:$CONTROLLER_PORT
advertised.listeners=PLAINTEXT://127.0.0.1:$PORT
listener.security.protocol.map=PLAINTEXT:PLAINTEXT,CONTROLLER:PLAINTEXT
controller.listener.names=CONTROLLER
inter.broker.listener.name=PLAINTEXT
log.dirs=$DIR/data

# Single node: every internal topic must live with one replica.
offsets.topic.replication.factor=1
transaction.state.log.replication.factor=1
transaction.state.log.min.isr=1
# Fewer internal partitions: the first consumer group / transaction comes up faster.
offsets.topic.num.partitions=4
transaction.state.log.num.partitions=4

# Tests want determinism and speed: no surprise topics, no join delay.
auto.create.topics.enable=false
num.partitions=1
group.initial.rebalance.delay.ms=0

# Small footprint: 2-core machines, short-lived data.
num.network.threads=2
num.io.threads=4
log.segment.bytes=16777216
log.index.size.max.bytes=1048576
log.retention.hours=24
EOF
  # Broker log goes to a file in the data dir, rolled by size.
  cat >"$DIR/log4j.properties" <<'EOF'
log4j.rootLogger=INFO, file
log4j.appender.file=org.apache.log4j.RollingFileAppender
log4j.appender.file.File=${kafka.logs.dir}/server.log
log4j.appender.file.MaxFileSize=20MB
log4j.appender.file.MaxBackupIndex=2
log4j.appender.file.layout=org.apache.log4j.PatternLayout
log4j.appender.file.layout.ConversionPattern=[%d] %p %m (%c)%n
# The same quietening the distribution's log4j.properties applies.
log4j.logger.kafka=INFO
log4j.logger.org.apache.kafka=INFO
log4j.logger.kafka.request.logger=WARN
log4j.logger.kafka.controller=INFO
log4j.logger.state.change.logger=INFO
log4j.logger.kafka.log.LogCleaner=INFO
EOF
}

format_storage() {
  # Format once; later starts reuse the data (use --fresh to wipe).
  [[ -f "$DIR/data/meta.properties" ]] && return 0
  log "formatting KRaft storage in $DIR/data"
  run_class kafka.tools.StorageTool format \
    --config "$PROPS" --cluster-id "$(random_cluster_id)" --ignore-formatted >/dev/null
}

KILLED=0   # set when kill_pid had to SIGKILL
kill_pid() {
  local pid="$1" waited=0
  kill -TERM "$pid" 2>/dev/null || return 0
  while kill -0 "$pid" 2>/dev/null && ((waited < STOP_TIMEOUT * 10)); do
    sleep 0.1; waited=$((waited + 1))
  done
  if kill -0 "$pid" 2>/dev/null; then
    log "pid $pid still alive after ${STOP_TIMEOUT}s: SIGKILL"
    kill -KILL "$pid" 2>/dev/null || true
    KILLED=1
    while kill -0 "$pid" 2>/dev/null; do sleep 0.1; done
  fi
}

show_logs() {
  log "last 50 lines of $LOG_FILE:"
  tail -n 50 "$LOG_FILE" >&2 2>/dev/null || true
  if [[ -s "$OUT_FILE" ]]; then
    log "last 50 lines of $OUT_FILE:"
    tail -n 50 "$OUT_FILE" >&2
  fi
}

# ---------------------------------------------------------------- commands

cmd_start() {
  parse_args "$@"
  local pid
  mkdir -p "$DIR"
  # One start per dir at a time: a concurrent second start waits, then finds
  # the broker running. (fd 8 is closed for java so it won't hold the lock.)
  exec 8>"$DIR/.start.lock"
  flock 8
  if pid="$(running_pid)"; then
    log "already running for $DIR (pid $pid)"
    if ((FRESH)); then log "--fresh ignored: stop the broker first"; fi
    echo "KAFKA_BROKERS=127.0.0.1:$PORT"
    return 0
  fi
  rm -f "$PID_FILE"
  # Fail fast instead of timing out when someone else holds our ports.
  for p in "$PORT" "$CONTROLLER_PORT"; do
    port_open "$p" && die "port $p on 127.0.0.1 is already in use"
  done
  fetch
  command -v java >/dev/null || die "java not found (needs Java 17+)"
  if ((FRESH)); then rm -rf "$DIR/data" "$DIR/logs"; fi
  write_config
  format_storage

  # Keep the previous run's log aside: the readiness check greps this file.
  if [[ -f "$LOG_FILE" ]]; then mv -f "$LOG_FILE" "$LOG_FILE.prev"; fi

  local heap t0=${EPOCHREALTIME/./}
  read -r -a heap <<<"$HEAP_OPTS"
  cds_opts
  # setsid: the broker must outlive this script and not get the caller's
  # Ctrl-C / process-group signals; stdio to files so $(kafka.sh start) returns.
  setsid java -server "${heap[@]}" "${CDS_OPTS[@]}" \
    -XX:+UseG1GC -XX:MaxGCPauseMillis=20 -XX:InitiatingHeapOccupancyPercent=35 \
    -XX:+ExplicitGCInvokesConcurrent -XX:+UseStringDeduplication -Xshare:auto \
    -Djava.awt.headless=true \
    -Dkafka.logs.dir="$DIR/logs" -Dlog4j.configuration="file:$DIR/log4j.properties" \
    -cp "$LIBS/*" kafka.Kafka "$PROPS" \
    </dev/null >"$OUT_FILE" 2>&1 8>&- &
  pid=$!
  echo "$pid" >"$PID_FILE"
  log "started pid $pid, waiting up to ${START_TIMEOUT}s for 127.0.0.1:$PORT"
  # Interrupted while waiting (Ctrl-C, CI timeout): don't leave a half-started broker.
  trap 'log "interrupted"; kill_pid "$pid"; rm -f "$PID_FILE"; exit 130' INT TERM

  # Ready = the broker logged its start AND answers a Kafka ApiVersions request.
  local deadline=$((SECONDS + START_TIMEOUT))
  while ((SECONDS < deadline)); do
    if ! kill -0 "$pid" 2>/dev/null; then
      log "broker exited during startup"
      show_logs; rm -f "$PID_FILE"; exit 1
    fi
    if grep -q "Kafka Server started" "$LOG_FILE" 2>/dev/null && api_versions_ok "$PORT"; then
      trap - INT TERM
      log "ready after $(((${EPOCHREALTIME/./} - t0) / 1000)) ms"
      echo "KAFKA_BROKERS=127.0.0.1:$PORT"
      return 0
    fi
    sleep 0.2
  done
  log "not ready after ${START_TIMEOUT}s; stopping pid $pid"
  show_logs
  kill_pid "$pid"
  rm -f "$PID_FILE"
  exit 1
}

cmd_stop() {
  parse_args "$@"
  local pid
  if ! pid="$(running_pid)"; then
    rm -f "$PID_FILE"
    log "not running ($DIR)"
    return 0
  fi
  log "stopping pid $pid"
  kill_pid "$pid"
  rm -f "$PID_FILE"
  cds_adopt
  log "stopped"
}

cmd_status() {
  parse_args "$@"
  local pid
  if pid="$(running_pid)"; then
    if api_versions_ok "$PORT"; then
      echo "running: pid $pid, 127.0.0.1:$PORT, dir $DIR"
    else
      echo "running but not answering yet: pid $pid, 127.0.0.1:$PORT, dir $DIR"
    fi
    return 0
  fi
  echo "not running: 127.0.0.1:$PORT, dir $DIR"
  return 3   # LSB "program is not running"
}

case "${1:-}" in
  fetch) shift; fetch; echo "$LIBS" ;;
  start) shift; cmd_start "$@" ;;
  stop) shift; cmd_stop "$@" ;;
  status) shift; cmd_status "$@" ;;
  run-class) shift; [[ $# -ge 1 ]] || die "usage: kafka.sh run-class CLASS [ARGS...]"; fetch; run_class "$@" ;;
  *)
    sed -n '2,10p' "${BASH_SOURCE[0]}" | sed 's/^# \{0,1\}//' >&2
    exit 2 ;;
esac
