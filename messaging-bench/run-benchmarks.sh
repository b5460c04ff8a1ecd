#!/usr/bin/env bash
# Runs every load scenario against a bench server on Tyrus and on Jetty, one container at a time,
# writing each run's report to docs/bench/<container>-<scenario>.txt and its chart to .png.
# Usage (from the repository root, after `mvn -pl messaging-bench -am package -DskipTests`):
#   messaging-bench/run-benchmarks.sh [tyrus|jetty ...]
set -euo pipefail
JAR=messaging-bench/target/messaging-bench.jar
OUT=docs/bench
mkdir -p "$OUT"
containers=("$@")
[ $# -eq 0 ] && containers=(tyrus jetty)

run() { # container scenario args...
  local c=$1 s=$2; shift 2
  echo "### $c $s: java -jar $JAR $s $*" | tee "$OUT/$c-$s.txt"
  java -Xmx1g -XX:+UseParallelGC -jar "$JAR" "$s" --label "$c $s" --chart "$OUT/$c-$s.png" "$@" \
    2>&1 | grep -v '^\[' | tee -a "$OUT/$c-$s.txt"
}

for c in "${containers[@]}"; do
  java -Xmx2g -XX:+UseParallelGC -jar "$JAR" server --container "$c" > "/tmp/bench-server-$c.log" 2>&1 &
  server=$!
  sleep 4
  run "$c" closed-loop --pairs 200 --window 8 --warmup 5 --duration 20
  run "$c" open-loop --pairs 200 --rate 10000 --warmup 5 --duration 20
  run "$c" group --groups 20 --members 100 --window 2 --warmup 5 --duration 20
  run "$c" backlog --receivers 200 --backlog 500
  run "$c" churn --concurrency 64 --users 5000 --warmup 5 --duration 20
  kill "$server"
  wait "$server" 2>/dev/null || true
  # idle memory on a fresh server (earlier scenarios leave state behind)
  java -Xmx2g -XX:+UseParallelGC -jar "$JAR" server --container "$c" > "/tmp/bench-server-$c.log" 2>&1 &
  server=$!
  sleep 4
  run "$c" idle --connections 9000 --processes 2 --hold 5
  kill "$server"
  wait "$server" 2>/dev/null || true
done
