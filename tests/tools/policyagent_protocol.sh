#!/usr/bin/env bash
# policyagent end to end: the wire protocol through socat, as man/policyagent.8 shows it,
# plus persistence across a restart, SIGTERM clean-up and daemon mode.
set -euo pipefail
BIN=${IPSECKIT_BIN:?set IPSECKIT_BIN to the build bin directory}
for tool in socat jq; do
  command -v "$tool" >/dev/null || { echo "policyagent_protocol: $tool is not installed" >&2; exit 1; }
done

tmp=$(mktemp -d)
pids=()
# Running and not a zombie (a daemon is not our child, so we cannot reap it).
alive() { [[ -r /proc/$1/stat ]] && ! grep -q '^[0-9]* (.*) Z' "/proc/$1/stat" 2>/dev/null; }
cleanup() {
  for p in "${pids[@]}"; do kill "$p" 2>/dev/null || true; done
  for p in "${pids[@]}"; do wait "$p" 2>/dev/null || true; done
  for p in "${pids[@]}"; do for _ in $(seq 100); do alive "$p" || break; sleep 0.05; done; done
  rm -rf "$tmp"
}
trap cleanup EXIT

fail() { echo "policyagent_protocol: FAIL: $*" >&2; exit 1; }
sock=$tmp/agent.sock

start_agent() {
  "$BIN/policyagent" --foreground --socket "$sock" --state-dir "$tmp/state" 2>>"$tmp/agent.log" &
  agent=$!
  pids+=("$agent")
  for _ in $(seq 200); do [[ -S $sock ]] && return 0; sleep 0.05; done
  cat "$tmp/agent.log" >&2
  fail "the agent did not create $sock"
}

# One request line per argument; prints the response lines.
req() { printf '%s\n' "$@" | socat -t 2 - UNIX-CONNECT:"$sock"; }
expect() {  # expect JQ_FILTER REQUEST...
  local filter=$1; shift
  local out
  out=$(req "$@")
  jq -e "$filter" >/dev/null <<<"$out" || fail "'$*' gave '$out', wanted $filter"
}

start_agent
expect '.ok and .protocol == 1 and .admin and .id == 1 and (.server | startswith("policyagent/"))' \
  '{"op":"hello","version":1,"id":1}'
expect '.ok == false and .error.code == "unsupported_version"' '{"op":"hello","version":9}'
expect '.ok and .revision > 0' '{"op":"put","key":"policy/web","value":{"description":"web servers"}}'
expect '.value.description == "web servers" and .key == "policy/web"' '{"op":"get","key":"policy/web"}'
expect '.error.code == "conflict" and (.error.message | contains("policy/web"))' \
  '{"op":"put","key":"policy/web","value":1,"if_revision":0}'
expect '.error.code == "not_found"' '{"op":"get","key":"policy/none"}'
expect '.error.code == "bad_request" and (.error.message | contains("key"))' '{"op":"get"}'
expect '.error.code == "bad_request"' 'this is not json'
expect '.ok and (.items | map(.key) | index("policy/web") != null) and (.items[0] | has("value") | not)' \
  '{"op":"list","prefix":"","keys_only":true}'

rev=$(req '{"op":"get","key":"policy/web"}' | jq -r .revision)
expect '.ok' "{\"op\":\"txn\",\"compare\":[{\"key\":\"policy/web\",\"revision\":$rev}],\"ops\":[{\"op\":\"put\",\"key\":\"assigned\",\"value\":\"web\"},{\"op\":\"put\",\"key\":\"dynamic/1\",\"value\":{}}]}"
expect '.error.code == "conflict" and (.error.message | contains("policy/web"))' \
  '{"op":"txn","compare":[{"key":"policy/web","revision":1}],"ops":[{"op":"delete","key":"assigned"}]}'
expect '.value == "web"' '{"op":"get","key":"assigned"}'
expect '.ok and (.value | has("compiled"))' '{"op":"get","key":"spd/status"}'
expect '.ok' '{"op":"delete","key":"dynamic/1"}'
expect '.error.code == "not_found"' '{"op":"delete","key":"dynamic/1"}'
expect '.ok and .seq >= 1' '{"op":"log","subsys":"ike","level":"audit","message":"hello log"}'
expect '.ok and (.entries | map(.message) | index("hello log") != null)' '{"op":"log_read","since":0}'

# A watcher on its own connection (stdin kept open a while), then a change.
{ echo '{"op":"watch","prefix":"ike/","snapshot":true}'; sleep 1.5; } |
  socat -t 1 - UNIX-CONNECT:"$sock" >"$tmp/watch.out" &
watcher=$!
sleep 0.5
req '{"op":"put","key":"ike/mm/1","value":{"state":"up"}}' >/dev/null
wait "$watcher" || true
jq -s -e '.[0].ok and .[0].watch > 0 and .[1].event == "put" and .[1].key == "ike/mm/1" and .[1].value.state == "up"' \
  "$tmp/watch.out" >/dev/null || fail "watch output: $(cat "$tmp/watch.out")"

# SIGTERM: exit 0, socket removed; persistent keys survive, volatile ones do not.
kill -TERM "$agent"
status=0
wait "$agent" || status=$?
[[ $status -eq 0 ]] || fail "policyagent exited $status on SIGTERM"
[[ ! -e $sock ]] || fail "socket left behind after SIGTERM"
start_agent
expect '.value.description == "web servers"' '{"op":"get","key":"policy/web"}'
expect '.error.code == "not_found"' '{"op":"get","key":"ike/mm/1"}'
kill -TERM "$agent"
wait "$agent" || true

# Daemon mode: the command returns 0 once the socket answers; the log goes to the state dir.
# Relative paths are relative to where it was started (the daemon itself runs in /).
(cd "$tmp" && "$BIN/policyagent" --socket d.sock --state-dir dstate) || fail "daemon start failed"
dpid=$(printf '%s\n' '{"op":"hello"}' | socat -t 2 - UNIX-CONNECT:"$tmp/d.sock" | jq -r .pid)
[[ $dpid =~ ^[0-9]+$ ]] || fail "daemon did not answer hello"
pids+=("$dpid")
[[ -f $tmp/dstate/policyagent.log ]] || fail "no policyagent.log in the state dir"
# a second one on the same state dir refuses to start
if "$BIN/policyagent" --socket "$tmp/e.sock" --state-dir "$tmp/dstate" 2>"$tmp/err"; then
  fail "a second agent started on a locked state dir"
fi
grep -q "in use" "$tmp/err" || fail "unexpected error: $(cat "$tmp/err")"
kill -TERM "$dpid"
for _ in $(seq 200); do alive "$dpid" || break; sleep 0.05; done
! alive "$dpid" || fail "the daemon ignored SIGTERM"
[[ ! -e $tmp/d.sock ]] || fail "daemon left its socket behind"
echo "policyagent_protocol: ok"
