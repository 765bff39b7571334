#!/bin/bash
# Users from the store (issue 5): `l2tpd user add|del|list` keep L2TP users under
# secret/l2tp/users/ (root-only records), `l2tpd serve --users store` authenticates with them.
# Asserts: add refuses a group-readable password file and a bad name (exit 2), list --json
# shows names and addresses but never a password, a client connects with MS-CHAPv2 as a store
# user and gets its static address, a wrong password is refused, del removes the user.
# Plain L2TP (--no-ipsec) on one veth between two namespaces; each host its own agent.
L2I_TEST=l2tpd-users-store
# shellcheck source=l2tpd_ipsec_lib.bash
. "$(dirname "$0")/l2tpd_ipsec_lib.bash"

topo_direct
for h in S C1; do
  spawn "$h" "$WORK/$h.agent.log" "$IPSECKIT_BIN/policyagent" --foreground --socket "$WORK/$h.sock" \
    --state-dir "$WORK/$h.state"
  PIDS="$PIDS $!"
  for _ in $(seq 200); do [ -S "$WORK/$h.sock" ] && break; sleep 0.05; done
  [ -S "$WORK/$h.sock" ] || fail "agent $h did not start"
done

printf 'hunter2\n' >"$WORK/wrong.pw"
chmod 644 "$WORK/bob.pw"
on S "$L" user add bob --password-file "$WORK/bob.pw" 2>"$WORK/err" && fail "a group-readable password file was accepted"
grep -q "readable or writable by group or others" "$WORK/err" || fail "no clear error: $(cat "$WORK/err")"
on S "$L" user add 'bad/name' --password-file "$WORK/alice.pw" 2>"$WORK/err"; rc=$?
[ "$rc" = 2 ] && grep -q "bad/name" "$WORK/err" || fail "a bad user name: exit $rc, $(cat "$WORK/err")"
chmod 600 "$WORK/bob.pw"
on S "$L" user add alice --password-file "$WORK/alice.pw" --address 203.0.113.25 >/dev/null || fail "user add alice"
on S "$L" user add bob --password-file "$WORK/bob.pw" >/dev/null || fail "user add bob"
list=$(on S "$L" user list --json) || fail "user list"
echo "$list" | "$PY" -c '
import json, sys
u = json.load(sys.stdin)
assert [x["name"] for x in u] == ["alice", "bob"], u
assert u[0]["address"] == "203.0.113.25" and u[1]["address"] == "*", u
assert all(set(x) == {"name", "server", "address"} for x in u), u' || fail "user list --json: $list"
if echo "$list $(on S "$L" user list)" | grep -q "wonder\|hunter2\|776f6e646572"; then fail "user list shows a password"; fi
echo "ok: user add (mode and name checked), list --json with names and addresses, no password shown"

spawn S "$WORK/S.l2tpd.log" "$L" serve --no-ipsec --listen 198.51.100.1 --pool "$POOL" --users store --tun l2tps0
SERVER=$!; PIDS="$PIDS $SERVER"
wait_log "$WORK/S.l2tpd.log" "LNS listening"
grep -q "2 user(s) from the store" "$WORK/S.l2tpd.log" || fail "the server did not read 2 users from the store"

# A wrong password first: refused, the client exits 1 with a clear error.
on C1 "$L" connect 198.51.100.1 --no-ipsec --user alice --password-file "$WORK/wrong.pw" --tun l2tpc0 \
  2>"$WORK/C1.wrong.log"; rc=$?
[ "$rc" = 1 ] || fail "a wrong password: client exit $rc"
grep -qi "auth\|password" "$WORK/C1.wrong.log" || fail "no clear error for a wrong password: $(tail -3 "$WORK/C1.wrong.log")"
echo "ok: a wrong password for a store user is refused (client exit 1)"

spawn C1 "$WORK/C1.l2tpd.log" "$L" connect 198.51.100.1 --no-ipsec --user alice --password-file "$WORK/alice.pw" --tun l2tpc0
CLIENT=$!; PIDS="$PIDS $CLIENT"
ok=""
for _ in $(seq 100); do
  s=$(on S "$L" sessions --json 2>/dev/null)
  if echo "$s" | "$PY" -c '
import json, sys
s = json.load(sys.stdin)
sys.exit(0 if len(s) == 1 and s[0]["state"] == "established" and s[0]["user"] == "alice" and s[0]["address"] == "203.0.113.25" else 1)'; then ok=1; break; fi
  kill -0 "$CLIENT" 2>/dev/null || fail "the client exited"
  sleep 0.1
done
[ -n "$ok" ] || fail "no established session for store user alice with 203.0.113.25: $s"
on C1 ping -c 2 -i 0.2 -W 2 "$SRV_PPP" >/dev/null || fail "no ping over PPP"
echo "ok: store user alice connects (MS-CHAPv2), gets her static address 203.0.113.25, ping over PPP"

stop "$CLIENT" "l2tpd connect"
stop "$SERVER" "l2tpd serve"
on S "$L" user del bob >/dev/null || fail "user del bob"
on S "$L" user del bob 2>/dev/null && fail "deleting a missing user succeeded"
[ "$(on S "$L" user list --json | "$PY" -c 'import json,sys; print(",".join(u["name"] for u in json.load(sys.stdin)))')" = alice ] ||
  fail "after del: $(on S "$L" user list --json)"
echo "ok: user del removes the user (a missing one: exit 1)"
echo "l2tpd_users_store: 4 passed"
