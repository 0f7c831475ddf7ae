#!/usr/bin/env bash
# Issue 6, point 7: a bounded mixed read/write load against `roster serve` on loopback
# with wrk (Debian package `wrk`, installed when missing). Passes when there was no
# 5xx, every acknowledged write (201) is in the store afterwards, and the server's
# memory stayed within a generous bound (before/after RSS is printed).
#
#   bash .ci/load.sh                  # 15 s, as CI runs it
#   LOAD_SECONDS=60 bash .ci/load.sh  # the issue's upper bound
set -euo pipefail
cd "$(dirname "$0")/.."

if ! command -v wrk >/dev/null 2>&1; then
  echo "== installing wrk"
  (apt-get update -qq && apt-get install -y -qq wrk) >/dev/null
fi
cargo build --locked -q
roster=target/debug/roster
seconds=${LOAD_SECONDS:-15}
[ "$seconds" -le 60 ] || { echo "LOAD_SECONDS is at most 60"; exit 2; }

work=$(mktemp -d)
server=""
cleanup() {
  if [ -n "$server" ]; then kill "$server" 2>/dev/null || true; wait "$server" 2>/dev/null || true; fi
  rm -rf "$work"
}
trap cleanup EXIT

export ROSTER_STORE="$work/store"
unset ROSTER_ORG ROSTER_SERVER ROSTER_TOKEN ROSTER_CONTEXT
"$roster" init --demo >/dev/null
export LOAD_ORG=$("$roster" --json org list | python3 -c 'import json,sys; print(json.load(sys.stdin)[0]["slug"])')
export LOAD_TOKEN=$("$roster" token create --operator --label load --json |
  python3 -c 'import json,sys; print(json.load(sys.stdin)["results"][0]["secret"])')
groups() {
  "$roster" --org "$LOAD_ORG" --json group list | python3 -c 'import json,sys; print(len(json.load(sys.stdin)))'
}
before_groups=$(groups)

"$roster" serve --listen 127.0.0.1:0 >"$work/serve.out" 2>"$work/serve.log" &
server=$!
for _ in $(seq 100); do
  grep -q '^listening on ' "$work/serve.out" 2>/dev/null && break
  sleep 0.1
done
base=$(sed -n 's/^listening on //p' "$work/serve.out" | head -1)
[ -n "$base" ] || { echo "roster serve did not start:"; cat "$work/serve.log"; exit 1; }
rss() { awk '/^VmRSS/ {print $2}' "/proc/$server/status"; }

# A short warm-up, so the "before" memory is the server's working size.
LOAD_RUN=warm wrk -t1 -c2 -d2s -s .ci/load.lua "$base" >/dev/null
rss_before=$(rss)
warm_groups=$(groups)
echo "== wrk: ${seconds}s, 2 threads, 8 connections against $base"
LOAD_RUN=main wrk -t2 -c8 -d"${seconds}s" --timeout 10s --latency -s .ci/load.lua "$base" | tee "$work/wrk.out"
rss_after=$(rss)
kill "$server"; wait "$server" 2>/dev/null || true; server=""

line=$(grep '^LOAD ' "$work/wrk.out")
val() { echo "$line" | tr ' ' '\n' | sed -n "s/^$1=//p"; }
created=$(val created); server_err=$(val server_err); client_err=$(val client_err)
after_groups=$(groups)
stored=$((after_groups - warm_groups))
echo "== acknowledged writes: $created; new groups in the store: $stored (before the run: $before_groups)"
echo "== server RSS: ${rss_before} kB after warm-up, ${rss_after} kB after the run"

fail=0
if [ "$server_err" != 0 ]; then echo "FAIL: $server_err answers were 5xx"; fail=1; fi
# Every request is a valid one by an operator: a 4xx would be a wrong refusal.
if [ "$client_err" != 0 ]; then echo "FAIL: $client_err answers were 4xx"; fail=1; fi
if [ "$created" -lt 1 ]; then echo "FAIL: no write was acknowledged"; fail=1; fi
# Every 201 is in the store. A write whose answer wrk did not wait for may be there
# without having been counted, so the store may hold more, never fewer.
if [ "$stored" -lt "$created" ]; then echo "FAIL: $((created - stored)) acknowledged writes are missing"; fail=1; fi
# Memory: the directory grows with the groups written, so only a runaway fails this.
if [ "$rss_after" -gt $((rss_before * 4 + 262144)) ]; then echo "FAIL: memory grew from ${rss_before} kB to ${rss_after} kB"; fail=1; fi
if grep -qi panicked "$work/serve.log"; then echo "FAIL: roster serve panicked"; fail=1; fi
exit $fail
