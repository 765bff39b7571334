#!/usr/bin/env bash
# policyagent's command line: version, help, usage errors (exit 2), path resolution from
# the environment, and the man page renders without warnings.
set -euo pipefail
BIN=${IPSECKIT_BIN:?set IPSECKIT_BIN to the build bin directory}
SRC=${IPSECKIT_SRC:?set IPSECKIT_SRC to the source tree}

tmp=$(mktemp -d)
agent=
cleanup() {
  if [[ -n $agent ]]; then kill "$agent" 2>/dev/null || true; wait "$agent" 2>/dev/null || true; fi
  rm -rf "$tmp"
}
trap cleanup EXIT
fail() { echo "policyagent_cli: FAIL: $*" >&2; exit 1; }

out=$("$BIN/policyagent" --version)
[[ $out == "policyagent "* ]] || fail "--version printed '$out'"
"$BIN/policyagent" --help >"$tmp/help" || fail "--help failed"
for opt in --socket --state-dir --foreground --admin-group --log-level --log-ring --max-line --version; do
  grep -q -- "$opt" "$tmp/help" || fail "--help does not mention $opt"
done

usage() {  # usage ARGS...: must exit 2 without starting anything
  local status=0
  "$BIN/policyagent" "$@" --socket "$tmp/never.sock" --state-dir "$tmp/never" >/dev/null 2>"$tmp/err" || status=$?
  [[ $status -eq 2 ]] || fail "'policyagent $*' exited $status, wanted 2"
  [[ -s $tmp/err ]] || fail "'policyagent $*' printed no diagnostic"
}
usage --no-such-option
usage --log-level loud
usage --log-ring 0
usage --max-line 10
usage --admin-group no-such-group-ipseckit
usage stray-argument
[[ ! -e $tmp/never.sock && ! -e $tmp/never ]] || fail "a usage error still created files"

# Socket and state dir from the environment.
IPSECKIT_SOCKET=$tmp/env/agent.sock IPSECKIT_STATE_DIR=$tmp/env-state \
  "$BIN/policyagent" --foreground --log-ring 5 --max-line 1MiB 2>"$tmp/agent.log" &
agent=$!
for _ in $(seq 200); do [[ -S $tmp/env/agent.sock ]] && break; sleep 0.05; done
[[ -S $tmp/env/agent.sock ]] || fail "no socket at \$IPSECKIT_SOCKET: $(cat "$tmp/agent.log")"
[[ -f $tmp/env-state/store.db ]] || fail "no store.db in \$IPSECKIT_STATE_DIR"
[[ $(stat -c %a "$tmp/env") == 755 ]] || fail "socket dir mode $(stat -c %a "$tmp/env"), wanted 755"
[[ $(stat -c %a "$tmp/env/agent.sock") == 666 ]] || fail "socket mode is not 666"
[[ $(stat -c %a "$tmp/env-state") == 700 ]] || fail "state dir mode is not 700"
[[ $(stat -c %a "$tmp/env-state/store.db") == 600 ]] || fail "store.db mode is not 600"
# --socket beats the environment; a busy socket is refused with exit 1
status=0
IPSECKIT_SOCKET=$tmp/other.sock "$BIN/policyagent" --foreground --socket "$tmp/env/agent.sock" \
  --state-dir "$tmp/other-state" 2>"$tmp/err" || status=$?
[[ $status -eq 1 ]] || fail "a second agent on a busy socket exited $status, wanted 1"
grep -q "agent.sock" "$tmp/err" || fail "the error does not name the socket: $(cat "$tmp/err")"
kill -TERM "$agent"
status=0
wait "$agent" || status=$?
agent=
[[ $status -eq 0 ]] || fail "SIGTERM exit status $status"
[[ ! -e $tmp/env/agent.sock ]] || fail "socket left behind"

# A file that is not a socket is never replaced.
echo precious >"$tmp/file.sock"
status=0
"$BIN/policyagent" --foreground --socket "$tmp/file.sock" --state-dir "$tmp/f-state" 2>"$tmp/err" || status=$?
[[ $status -eq 1 ]] || fail "an agent on a regular file exited $status, wanted 1"
[[ $(cat "$tmp/file.sock") == precious ]] || fail "the agent replaced a regular file"

# The man page renders cleanly and documents what the code does.
man=$SRC/man/policyagent.8
[[ -f $man ]] || fail "missing $man"
warnings=$(groff -man -Tutf8 -ww -z "$man" 2>&1 || true)
[[ -z $warnings ]] || fail "groff warnings: $warnings"
groff -man -Tascii -P-cbou "$man" >"$tmp/man.txt" 2>/dev/null
for word in "EXIT STATUS" FILES socat if_revision delete_prefix log_read unsupported_version too_large \
            IPSECKIT_SOCKET IPSECKIT_STATE_DIR IPSECKIT_NO_AUTOSTART --admin-group --max-line secret/psk/ \
            /run/ipseckit/agent.sock /var/lib/ipseckit; do
  grep -q -- "$word" "$tmp/man.txt" || fail "the man page does not mention $word"
done
echo "policyagent_cli: ok"
