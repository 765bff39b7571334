# Libreswan 4.10 pluto as an IKEv1 peer inside a network namespace (source it; needs
# ikeview-ssw.bash first). The libreswan package conflicts with strongSwan's, so it is not
# installed: its dependencies are (install-peer.sh), and the .deb is fetched with
# `apt-get download` and unpacked once into $LSW_ROOT (kept for later runs). Pluto exec's the
# compiled-in /usr/libexec/ipsec/addconn, so the unpacked /usr/libexec is bind-mounted inside
# the mount namespace of `ip netns exec` only (the host's /usr/libexec is never touched).
# See ../../../shared/interop/strongswan-notes.md section 5.
LSW_ROOT=${LSW_ROOT:-/var/tmp/ipseckit-libreswan/root}
LSW_DEPS="libnss3-tools libldns3 libunbound8 libcurl3-nss libevent-core-2.1-7 libevent-pthreads-2.1-7 libldap-2.5-0 libcap-ng0 libnspr4 libnss3"
PLUTO_PID=""

lsw_obtain() {  # exit 77 when Libreswan cannot be obtained
  "$IKV_LIB/install-peer.sh" $LSW_DEPS || exit 77
  command -v certutil >/dev/null || { echo "SKIP: certutil (libnss3-tools) missing" >&2; exit 77; }
  [ -x "$LSW_ROOT/usr/libexec/ipsec/pluto" ] && return 0
  local dl; dl=$(dirname "$LSW_ROOT")
  mkdir -p "$dl" && chmod 755 "$dl" || exit 77
  if ! ls "$dl"/libreswan_4.10*.deb >/dev/null 2>&1; then
    (cd "$dl" && apt-get download libreswan=4.10* >&2) ||
      { apt-get -o DPkg::Lock::Timeout=600 update -qq >&2 && (cd "$dl" && apt-get download libreswan=4.10* >&2); } ||
      { echo "SKIP: cannot download libreswan 4.10 (apt-get download)" >&2; exit 77; }
  fi
  rm -rf "$LSW_ROOT.tmp"
  dpkg-deb -x "$(ls "$dl"/libreswan_4.10*.deb | head -1)" "$LSW_ROOT.tmp" && mv "$LSW_ROOT.tmp" "$LSW_ROOT" ||
    { echo "SKIP: cannot unpack the libreswan .deb" >&2; exit 77; }
  [ -x "$LSW_ROOT/usr/libexec/ipsec/pluto" ] || { echo "SKIP: no pluto in the libreswan .deb" >&2; exit 77; }
}

# lsw_up NS ADDR PEER LOCAL_SUBNET REMOTE_SUBNET PSK: private config in $WORK/lsw, start
# pluto (foreground, log file) and add connection "peer".
lsw_up() {
  local ns=$1 addr=$2 peer=$3 lsub=$4 rsub=$5 psk=$6
  LD=$WORK/lsw; rm -rf "$LD"; mkdir -p "$LD/run" "$LD/ipsec.d" "$LD/nss"; chmod 700 "$LD"
  cat >"$LD/ipsec.conf" <<CONF
config setup
	plutodebug=none
	ikev1-policy=accept
	dumpdir=$LD/run
conn peer
	ikev2=no
	authby=secret
	left=$addr
	leftsubnet=$lsub
	right=$peer
	rightsubnet=$rsub
	ike=aes128-sha1;modp2048
	phase2alg=aes128-sha1
	pfs=no
	auto=add
CONF
  printf '%s %s : PSK "%s"\n' "$addr" "$peer" "$psk" >"$LD/ipsec.secrets"; chmod 600 "$LD/ipsec.secrets"
  certutil -N -d "sql:$LD/nss" --empty-password >/dev/null 2>&1 || fail "certutil -N"
  setsid ip netns exec "$ns" sh -c "mount --bind '$LSW_ROOT/usr/libexec' /usr/libexec && exec /usr/libexec/ipsec/pluto \
    --config '$LD/ipsec.conf' --nofork --rundir '$LD/run' --secretsfile '$LD/ipsec.secrets' --ipsecdir '$LD/ipsec.d' \
    --nssdir '$LD/nss' --logfile '$LD/pluto.log'" >"$LD/stdout" 2>&1 </dev/null &
  PLUTO_PID=$!
  local _
  for _ in $(seq 100); do [ -S "$LD/run/pluto.ctl" ] && break; kill -0 "$PLUTO_PID" 2>/dev/null || break; sleep 0.1; done
  [ -S "$LD/run/pluto.ctl" ] || fail "pluto did not start: $(tail -5 "$LD/stdout" "$LD/pluto.log" 2>/dev/null)"
  lsw_exec addconn --config "$LD/ipsec.conf" --ctlsocket "$LD/run/pluto.ctl" peer >"$LD/addconn.log" 2>&1 ||
    fail "addconn: $(cat "$LD/addconn.log")"
  PLOG=$LD/pluto.log
}
lsw_exec() {  # lsw_exec PROG ARGS: a Libreswan tool inside the namespace (same bind mount)
  local prog=$1; shift
  ip netns exec "$NP" sh -c 'mount --bind "$0" /usr/libexec && exec "$@"' "$LSW_ROOT/usr/libexec" \
    "/usr/libexec/ipsec/$prog" "$@"
}
whack() { lsw_exec whack --ctlsocket "$LD/run/pluto.ctl" "$@"; }
lsw_down() {  # stop the pluto we started (by PID)
  [ -n "$PLUTO_PID" ] || return 0
  kill -TERM "$PLUTO_PID" 2>/dev/null
  local _
  for _ in $(seq 50); do kill -0 "$PLUTO_PID" 2>/dev/null || break; sleep 0.1; done
  kill -KILL "$PLUTO_PID" 2>/dev/null
  wait "$PLUTO_PID" 2>/dev/null
  PLUTO_PID=""
}
