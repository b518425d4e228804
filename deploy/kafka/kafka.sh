#!/usr/bin/env bash
# Runs a real single-node Apache Kafka broker (KRaft, broker+controller) for local work and CI.
#   kafka.sh start   resolve jars (cached), format storage once, start, wait until it answers
#   kafka.sh stop    stop the broker this script started
#   kafka.sh status  exit 0 when something answers on the broker port
#   kafka.sh jars    resolve the jars (cached) and print their folder (test clusters run from it)
# Jars and data live in .local/kafka (git-ignored); Maven caches the downloads in ~/.m2.
set -euo pipefail

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)"
HERE="$ROOT/deploy/kafka"
HOME_DIR="${KAFKA_LOCAL_DIR:-$ROOT/.local/kafka}"
LIBS="$HOME_DIR/libs"
DATA="$HOME_DIR/data"
PIDFILE="$HOME_DIR/kafka.pid"
LOG="$HOME_DIR/kafka.log"
HOST="${KAFKA_HOST:-127.0.0.1}"
PORT="${KAFKA_PORT:-9092}"
CONTROLLER_PORT="${KAFKA_CONTROLLER_PORT:-9093}"
# A fixed cluster id keeps re-formatting deterministic; it is not a secret.
CLUSTER_ID="${KAFKA_CLUSTER_ID:-YWN0aXZpdHktbG9jYWwt}"

log() { printf '[kafka] %s\n' "$*" >&2; }

answers() { (exec 3<>"/dev/tcp/$HOST/$PORT") 2>/dev/null; }

resolve_jars() {
  local version
  version="$(sed -n 's:.*<kafka.version>\(.*\)</kafka.version>.*:\1:p' "$HERE/pom.xml")"
  if ls "$LIBS"/kafka_2.13-"$version".jar >/dev/null 2>&1; then return 0; fi
  command -v mvn >/dev/null || { log "mvn not found: Maven is needed once to resolve the broker jars"; exit 1; }
  command -v java >/dev/null || { log "java not found: the broker needs Java 17+"; exit 1; }
  log "resolving org.apache.kafka:kafka_2.13:$version from Maven Central (cached in ~/.m2)"
  rm -rf "$LIBS"
  mkdir -p "$HOME_DIR"
  if ! mvn -q -B -Dstyle.color=never -f "$HERE/pom.xml" dependency:copy-dependencies -DincludeScope=runtime -DoutputDirectory="$LIBS" >"$HOME_DIR/mvn.log" 2>&1; then
    log "Maven could not resolve the broker; its output:"; cat "$HOME_DIR/mvn.log" >&2; exit 1
  fi
}

write_config() {
  cat >"$HOME_DIR/server.properties" <<PROPS
process.roles=broker,controller
node.id=1
controller.quorum.voters=1@$HOST:$CONTROLLER_PORT
listeners=PLAINTEXT://$HOST:$PORT,CONTROLLER://$HOST:$CONTROLLER_PORT
advertised.listeners=PLAINTEXT://$HOST:$PORT
controller.listener.names=CONTROLLER
inter.broker.listener.name=PLAINTEXT
listener.security.protocol.map=CONTROLLER:PLAINTEXT,PLAINTEXT:PLAINTEXT
log.dirs=$DATA
num.partitions=${KAFKA_TOPIC_PARTITIONS:-12}
offsets.topic.replication.factor=1
offsets.topic.num.partitions=12
transaction.state.log.replication.factor=1
transaction.state.log.min.isr=1
share.coordinator.state.topic.replication.factor=1
share.coordinator.state.topic.min.isr=1
min.insync.replicas=1
default.replication.factor=1
auto.create.topics.enable=false
group.initial.rebalance.delay.ms=0
log.retention.hours=24
log.segment.bytes=67108864
PROPS
}

start() {
  if answers; then log "already answering on $HOST:$PORT; leaving it alone"; return 0; fi
  mkdir -p "$HOME_DIR" "$DATA"
  resolve_jars
  write_config
  local cp="$LIBS/*"
  if [ ! -f "$DATA/meta.properties" ]; then
    log "formatting storage in $DATA"
    java -cp "$cp" -Dlog4j2.configurationFile="$HERE/log4j2.yaml" kafka.tools.StorageTool format \
      -t "$CLUSTER_ID" -c "$HOME_DIR/server.properties" --ignore-formatted >>"$LOG" 2>&1
  fi
  log "starting broker on $HOST:$PORT (log: ${LOG#"$ROOT"/})"
  nohup java ${KAFKA_HEAP_OPTS:--Xms256m -Xmx768m} -XX:+UseG1GC -Djava.awt.headless=true \
    -Dlog4j2.configurationFile="$HERE/log4j2.yaml" -cp "$cp" kafka.Kafka "$HOME_DIR/server.properties" \
    >>"$LOG" 2>&1 </dev/null &
  echo $! >"$PIDFILE"
  for _ in $(seq 1 120); do
    if answers; then log "broker answers"; return 0; fi
    if ! kill -0 "$(cat "$PIDFILE")" 2>/dev/null; then log "broker exited; last lines of its log:"; tail -n 30 "$LOG" >&2; exit 1; fi
    sleep 0.5
  done
  log "broker did not answer within 60 s"; tail -n 30 "$LOG" >&2; exit 1
}

stop() {
  [ -f "$PIDFILE" ] || { log "no broker started by this script"; return 0; }
  local pid; pid="$(cat "$PIDFILE")"
  if kill -0 "$pid" 2>/dev/null; then
    log "stopping broker (pid $pid)"
    kill -TERM "$pid"
    for _ in $(seq 1 60); do kill -0 "$pid" 2>/dev/null || break; sleep 0.5; done
    kill -0 "$pid" 2>/dev/null && { log "broker ignored SIGTERM for 30 s; killing"; kill -KILL "$pid"; }
  fi
  rm -f "$PIDFILE"
}

case "${1:-}" in
  start) start ;;
  stop) stop ;;
  status) answers ;;
  jars) resolve_jars; echo "$LIBS" ;;
  *) echo "usage: $0 start|stop|status|jars" >&2; exit 2 ;;
esac
