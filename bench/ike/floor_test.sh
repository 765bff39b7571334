#!/bin/bash
# bench/ike's floor responder (bench_ike_loadgen --floor-responder, floor_responder.cpp) and
# its initiator (--floor) over loopback in a private namespace, per group: a runt, a truncated MM1
# and an MM3 whose public value is not one (off the curve / y = 1, after a good MM1) are counted
# and dropped without harm; then the initiator's negotiations complete (count > 0, failed=0) and
# the responder, stopped by SIGTERM, reports them all ended (no state left beyond those in flight).
set -u
. "$(dirname "$0")/../../tests/tools/lib.bash"
enter_netns "$@"
LG="$IPSECKIT_BIN/bench_ike_loadgen"
[ -x "$LG" ] || fail "$LG missing (build target bench_ike_loadgen)"

for grp in ecp256 modp2048; do
  "$LG" --floor-responder --listen 127.0.0.1 --group "$grp" 2>"$WORK/resp-$grp.log" &
  R=$!; PIDS="$PIDS $R"
  for _ in $(seq 100); do grep -q listening "$WORK/resp-$grp.log" && break; sleep 0.05; done
  grep -q listening "$WORK/resp-$grp.log" || fail "$grp: floor responder did not start: $(cat "$WORK/resp-$grp.log")"
  # RFC 2408 3.1 header: exchange 2 (Main Mode), zero responder cookie. MM1 is 144 bytes and
  # MM3 180 (ECP-256) or 372 (MODP-2048) in floor_script.h's script.
  python3 - "$grp" <<'PY' || fail "$grp: could not send the bad datagrams"
import socket, struct, sys
ecp = sys.argv[1] == "ecp256"
def hdr(icky, rcky, n):
    return icky + rcky + bytes([1, 0x10, 2, 0]) + struct.pack(">II", 0, n)
s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
s.bind(("127.0.0.9", 500))
s.settimeout(5)
to = ("127.0.0.1", 500)
s.sendto(b"\x01" * 10, to)                          # a runt
s.sendto((hdr(b"I" * 8, bytes(8), 144) + bytes(116))[:100], to)  # a truncated MM1
s.sendto(hdr(b"I" * 8, bytes(8), 144) + bytes(116), to)  # a good MM1 ...
mm2, _ = s.recvfrom(2048)
assert len(mm2) == 124, len(mm2)
pub = (b"\x01" * 64) if ecp else (bytes(255) + b"\x01")  # ... then (1, 1): off P-256; y = 1
mm3 = hdr(b"I" * 8, mm2[8:16], 0) + struct.pack(">BBH", 10, 0, 4 + len(pub)) + pub
mm3 += bytes((180 if ecp else 372) - len(mm3))
s.sendto(mm3, to)
PY
  sleep 0.2
  kill -0 "$R" 2>/dev/null || fail "$grp: the floor responder died on bad datagrams: $(cat "$WORK/resp-$grp.log")"
  out=$("$LG" --floor --target 127.0.0.1 --sources 127.0.0.10-127.0.0.29 --group "$grp" --inflight 8 \
    --warmup 0.2 --seconds 1 --pid "$R" 2>"$WORK/init-$grp.log") || fail "$grp: floor initiator: $out $(cat "$WORK/init-$grp.log")"
  echo "$out"
  field() { sed -n "s/.* $1=\([^ ]*\).*/\1/p" <<<"$out"; }
  [ "$(field negotiations)" -gt 0 ] 2>/dev/null || fail "$grp: no negotiation completed: $out"
  [ "$(field failed)" = 0 ] || fail "$grp: failed negotiations: $out"
  [ -n "$(field per_responder_cpu_s)" ] || fail "$grp: no per_responder_cpu_s: $out"
  kill -TERM "$R"; wait "$R" || fail "$grp: floor responder exit status on SIGTERM: $(cat "$WORK/resp-$grp.log")"
  PIDS=${PIDS/ $R/}
  stats=$(grep "negotiations=" "$WORK/resp-$grp.log")
  echo "$stats"
  grep -q " malformed=2 " <<<"$stats" || fail "$grp: the runt and the truncated MM1 not counted as malformed: $stats"
  grep -q " bad_ke=1 " <<<"$stats" || fail "$grp: the bad public value not refused: $stats"
  n=$(sed -n 's/.*negotiations=\([0-9]*\).*/\1/p' <<<"$stats")
  [ "$n" -ge "$(field negotiations)" ] || fail "$grp: the responder ended $n negotiations, fewer than measured: $stats"
  [ "$(sed -n 's/.* states=\([0-9]*\).*/\1/p' <<<"$stats")" -le 8 ] || fail "$grp: more states left than in flight: $stats"
done
echo "ok: floor responder and initiator"
