#!/usr/bin/env bash
# Issue 6, point 7: a bounded mixed read/write load against `roster serve` on loopback
# with wrk (Debian package `wrk`, installed when missing). Passes when there was no
# 5xx, every acknowledged write (201) is in the store afterwards, and the server's
# memory is flat: RSS is sampled every second and printed; after the mixed run a
# read-only run must not grow it (a per-request leak), and the mixed run's growth per
# acknowledged write must stay far below what a leak per write would cost.
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
sampler=""
cleanup() {
  if [ -n "$sampler" ]; then kill "$sampler" 2>/dev/null || true; fi
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
rss() { awk '/^VmRSS/ {print $2}' "/proc/$server/status" 2>/dev/null || echo 0; }
# One RSS sample (kB) a second for the whole run, printed at the end.
(while sleep 1; do echo "$(rss)"; done) >"$work/rss" &
sampler=$!

# A short warm-up, so the "before" memory is the server's working size.
LOAD_RUN=warm wrk -t1 -c2 -d2s -s .ci/load.lua "$base" >/dev/null
rss_before=$(rss)
warm_groups=$(groups)
echo "== wrk: ${seconds}s, 2 threads, 8 connections against $base"
LOAD_RUN=main wrk -t2 -c8 -d"${seconds}s" --timeout 10s --latency -s .ci/load.lua "$base" | tee "$work/wrk.out"
rss_after=$(rss)
# Read-only: a first half to settle, then the half that is judged.
half=$(( seconds / 4 > 3 ? seconds / 4 : 3 ))
echo "== read-only: ${half}s to settle, ${half}s measured"
LOAD_WRITES=0 LOAD_RUN=read1 wrk -t2 -c8 -d"${half}s" --timeout 10s -s .ci/load.lua "$base" >"$work/read1.out"
rss_read=$(rss)
LOAD_WRITES=0 LOAD_RUN=read2 wrk -t2 -c8 -d"${half}s" --timeout 10s -s .ci/load.lua "$base" >"$work/read2.out"
rss_read_end=$(rss)
kill "$sampler" 2>/dev/null || true
kill "$server"; wait "$server" 2>/dev/null || true; server=""

val() { echo "$1" | tr ' ' '\n' | sed -n "s/^$2=//p"; }
line=$(grep '^LOAD ' "$work/wrk.out")
created=$(val "$line" created); server_err=$(val "$line" server_err); client_err=$(val "$line" client_err)
for r in read1 read2; do
  l=$(grep '^LOAD ' "$work/$r.out")
  server_err=$((server_err + $(val "$l" server_err))); client_err=$((client_err + $(val "$l" client_err)))
done
l2=$(grep '^LOAD ' "$work/read2.out")
reads=$(val "$l2" ok)
after_groups=$(groups)
stored=$((after_groups - warm_groups))
echo "== acknowledged writes: $created; new groups in the store: $stored (before the run: $before_groups)"
echo "== server RSS samples (kB, one a second): $(tr '\n' ' ' <"$work/rss")"
per_write=$(( (rss_after - rss_before) * 1024 / (created > 0 ? created : 1) ))
echo "== server RSS: ${rss_before} kB after warm-up, ${rss_after} kB after the mixed run (${per_write} bytes per acknowledged write)"
echo "== read-only: ${rss_read} kB -> ${rss_read_end} kB over $reads answered reads"

fail=0
if [ "$server_err" != 0 ]; then echo "FAIL: $server_err answers were 5xx"; fail=1; fi
# Every request is a valid one by an operator: a 4xx would be a wrong refusal.
if [ "$client_err" != 0 ]; then echo "FAIL: $client_err answers were 4xx"; fail=1; fi
if [ "$created" -lt 1 ]; then echo "FAIL: no write was acknowledged"; fail=1; fi
# Every 201 is in the store. A write whose answer wrk did not wait for may be there
# without having been counted, so the store may hold more, never fewer.
if [ "$stored" -lt "$created" ]; then echo "FAIL: $((created - stored)) acknowledged writes are missing"; fail=1; fi
# Memory. Reads change no data, so once settled they must not grow it: 8 MB of
# allocator slack plus 2 kB per answered read (a leak of even a few kB per request
# shows far above that). Writes do add data (a group, its event, the change feed's
# recent events) and glibc keeps some freed memory per thread; measured ~25 kB per
# write (docs/performance.md, "Load and memory"), so 256 kB per write can only be a leak.
if [ "$rss_read_end" -gt $((rss_read + 8192 + reads * 2)) ]; then
  echo "FAIL: memory grew from ${rss_read} kB to ${rss_read_end} kB under reads alone"; fail=1
fi
if [ "$per_write" -gt 262144 ]; then echo "FAIL: memory grew by ${per_write} bytes per write"; fail=1; fi
if grep -qi panicked "$work/serve.log"; then echo "FAIL: roster serve panicked"; fail=1; fi
exit $fail
