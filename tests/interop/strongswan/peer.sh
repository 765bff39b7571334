#!/usr/bin/env bash
# (A copy of ../shared/interop/strongswan/peer.sh, carried by ipseckit for tests/interop/strongswan_ikev1.sh.)
# peer.sh - run strongSwan (charon, IKEv1) as a real interop peer inside a
# Linux network namespace, using the userspace ESP data path (kernel-libipsec,
# TUN device "ipsec0", ESP always UDP-encapsulated on port 4500).
#
# Works on a kernel WITHOUT CONFIG_INET_ESP: nothing is installed in XFRM.
# Tested with Debian 12 strongswan 5.9.8 (charon-systemd, swanctl).
#
# Subcommands (run as root):
#   peer.sh deps                         install the Debian packages if missing
#   peer.sh topo-up NS_A NS_B ADDR_A/PFX ADDR_B/PFX [--inner-a IP] [--inner-b IP]
#                                        create two netns joined by a veth pair
#                                        (veth names derived from NS), inner IPs
#                                        go on lo (kernel has no dummy driver)
#   peer.sh topo-down NS [NS...]         delete those namespaces (and their veths)
#   peer.sh up NS ADDR PEERADDR [options]
#                                        write a private config, start charon in
#                                        NS in the background, load the config;
#                                        prints PID=, LOG=, DIR=, VICI=
#   peer.sh initiate NS [--child NAME] [--timeout S]
#   peer.sh terminate NS [--ike NAME]
#   peer.sh status NS                    swanctl --list-sas / --list-conns
#   peer.sh log NS [N]                   print the log path and its last N lines
#   peer.sh swanctl NS ARGS...           run swanctl against that instance
#   peer.sh pid NS | dir NS              print the PID / state directory
#   peer.sh down NS                      stop the charon this script started in NS
#                                        (by its recorded PID only); the state dir
#                                        and log stay (SSW_KEEP_STATE=0 removes them)
#   peer.sh mkcerts DIR ID [ID...]       make a test CA plus one cert per ID
#                                        (ID = IP address or FQDN, used as SAN)
#
# Options for "up" (defaults in brackets):
#   --psk KEY            preshared key ["ssw-interop-psk"]
#   --auth psk|pubkey    authentication [psk]; pubkey needs --cert --key --ca
#   --cert F --key F --ca F   PEM/DER files (see mkcerts)
#   --id ID              local IKE identity [ADDR]
#   --peer-id ID         remote IKE identity [PEERADDR]; "%any" accepts any
#   --mode tunnel|transport   [tunnel]   (kernel-libipsec: tunnel ONLY, see notes)
#   --local-ts TS        local traffic selector(s), comma list [ADDR/32]
#   --remote-ts TS       remote traffic selector(s) [PEERADDR/32]
#   --ike PROPOSALS      IKE (phase 1) proposals, comma list [aes128-sha1-modp2048].
#                        As IKEv1 initiator strongSwan offers only the FIRST
#                        algorithm of each type per proposal: use commas
#                        (aes256-sha256-modp2048,aes128-sha1-modp1024) to offer
#                        alternatives; as responder any combination is accepted
#   --esp PROPOSALS      ESP (phase 2) proposals [aes128-sha1]; add a DH group
#                        (e.g. aes128-sha1-modp2048) to require PFS
#   --aggressive         use Aggressive Mode instead of Main Mode (PSK AM also
#                        sets i_dont_care_about_security_and_use_aggressive_mode_psk)
#   --start-action none|trap|start   child start_action [none]; "start" initiates
#                        as soon as the config is loaded; "trap" does NOT work
#                        with kernel-libipsec 5.9.8 (no acquires)
#   --dpd SECONDS        DPD delay (0 = off) [0]; --dpd-action clear|restart|trap [clear]
#   --ike-rekey SECONDS  IKE SA rekey_time [default 4h]; --child-rekey SECONDS
#   --conn-opt K=V       extra swanctl connection setting (repeatable; a key
#                        given again overrides the generated one, e.g.
#                        fragmentation=no, dpd_timeout=10, rekey_time=60s)
#   --child-opt K=V      extra swanctl child setting (repeatable)
#   --port P --natt-port P   IKE ports [500 / 4500]
#   --debug N            log level for ike,cfg,knl,net,esp (4 = also keys) [2]
#   --retransmit-tries N [3]
#   --name NAME          connection name [peer]; child is always "net"
#   --no-peer-ts-fix     don't set allow_peer_ts/fwmark (see notes)
#   --daemon charon-systemd|charon   which charon binary [charon-systemd]
#
# Environment: SSW_STATE_ROOT (state dirs, default /tmp/ssw-peer),
#   SSW_KEEP_STATE (1), SSW_CHARON (/usr/sbin/charon-systemd)
#
# Notes:
#  * kernel-libipsec only supports ESP, tunnel mode, UDP encapsulation, no ESN,
#    no IPComp. charon therefore fakes NAT detection (NAT-D mismatch) so that
#    both peers float to UDP/4500 and use UDP-Encapsulated-Tunnel mode.
#  * When a remote TS covers the peer's own IKE address (host-to-host tunnel,
#    the default here), kernel-libipsec must be told allow_peer_ts=yes, and the
#    IKE socket must bypass the routing table 220 that sends the remote TS into
#    ipsec0; we do that with socket-default.fwmark=0x2a and
#    kernel-netlink.fwmark=!0x2a (strongSwan's documented recipe).
set -euo pipefail

STATE_ROOT=${SSW_STATE_ROOT:-/tmp/ssw-peer}
CHARON=${SSW_CHARON:-/usr/sbin/charon-systemd}
PKGS=(charon-systemd strongswan-swanctl libcharon-extra-plugins libstrongswan-standard-plugins libstrongswan-extra-plugins strongswan-pki iproute2 iperf3 iputils-ping)

die() { echo "peer.sh: $*" >&2; exit 1; }
usage() { awk 'NR > 1 && /^#/ { sub(/^# ?/, ""); print; next } NR > 1 { exit }' "$0"; }
need_root() { [ "$(id -u)" = 0 ] || die "must run as root"; }

cmd_deps() {
	need_root
	local missing=() p
	for p in "${PKGS[@]}"; do
		dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
	done
	[ ${#missing[@]} -eq 0 ] && return 0
	echo "peer.sh: installing ${missing[*]}" >&2
	# ipseckit's installer: never starts strongswan.service on the host (policy-rc.d);
	# the tests run charon-systemd themselves, inside namespaces.
	"$(dirname "$0")/../lib/install-peer.sh" "${missing[@]}"
}

ns_exists() { ip netns list | awk '{print $1}' | grep -qx -- "$1"; }
statedir() { echo "$STATE_ROOT/$1"; }
vici_uri() { echo "unix://$(statedir "$1")/charon.vici"; }

# is PID the charon we started for NS? (checks exe + STRONGSWAN_CONF env)
our_pid_alive() {
	local ns=$1 pid=$2 d
	d=$(statedir "$ns")
	[ -n "$pid" ] && [ -d "/proc/$pid" ] || return 1
	local exe; exe=$(readlink -f "$(cat "$d/daemon" 2>/dev/null || echo "$CHARON")")
	# right after start the PID may still be "ip"/"sh" about to exec charon
	[ "$(readlink "/proc/$pid/exe" 2>/dev/null)" = "$exe" ] || sleep 0.3
	[ "$(readlink "/proc/$pid/exe" 2>/dev/null)" = "$exe" ] || return 1
	tr '\0' '\n' < "/proc/$pid/environ" 2>/dev/null | grep -qx "STRONGSWAN_CONF=$d/strongswan.conf"
}

veth_name() { # short veth name derived from ns name (IFNAMSIZ 15)
	local n=${1//[^A-Za-z0-9]/}
	[ ${#n} -gt 12 ] && n=${n:$((${#n}-12))}
	echo "v$n"
}

cmd_topo_up() {
	need_root
	[ $# -ge 4 ] || die "usage: topo-up NS_A NS_B ADDR_A/PFX ADDR_B/PFX [--inner-a IP/PFX] [--inner-b IP/PFX]"
	local a=$1 b=$2 aa=$3 ab=$4; shift 4
	local ia="" ib=""
	while [ $# -gt 0 ]; do case $1 in
		--inner-a) ia=$2; shift 2;; --inner-b) ib=$2; shift 2;;
		*) die "topo-up: unknown option $1";; esac; done
	local va vb; va=$(veth_name "$a"); vb=$(veth_name "$b")
	ns_exists "$a" && die "namespace $a already exists"
	ns_exists "$b" && die "namespace $b already exists"
	ip netns add "$a"; ip netns add "$b"
	ip link add "$va" netns "$a" type veth peer name "$vb" netns "$b"
	ip -n "$a" addr add "$aa" dev "$va"; ip -n "$b" addr add "$ab" dev "$vb"
	ip -n "$a" link set lo up; ip -n "$b" link set lo up
	ip -n "$a" link set "$va" up; ip -n "$b" link set "$vb" up
	[ -n "$ia" ] && ip -n "$a" addr add "$ia" dev lo
	[ -n "$ib" ] && ip -n "$b" addr add "$ib" dev lo
	echo "VETH_A=$va VETH_B=$vb"
}

cmd_topo_down() {
	need_root
	local ns
	for ns in "$@"; do
		if [ -f "$(statedir "$ns")/charon.pid" ]; then cmd_down "$ns" || true; fi
		ns_exists "$ns" && ip netns del "$ns"   # deleting the ns destroys its veth end (and the pair)
	done
	return 0
}

cmd_mkcerts() {
	[ $# -ge 2 ] || die "usage: mkcerts DIR ID [ID...]"
	local dir=$1; shift
	command -v pki >/dev/null || cmd_deps
	mkdir -p "$dir"
	# keep pki quiet (no TPM plugin probing)
	local conf; conf=$(mktemp /tmp/ssw-pki.XXXXXX.conf)
	echo 'pki { load = random nonce openssl gmp pem pkcs1 pkcs8 x509 pubkey sha1 sha2 hmac }' > "$conf"
	export STRONGSWAN_CONF=$conf
	pki --gen --type rsa --size 2048 --outform pem > "$dir/ca.key"
	pki --self --ca --lifetime 3650 --in "$dir/ca.key" --type rsa \
		--dn "C=XX, O=ssw-interop, CN=ssw-interop test CA" --outform pem > "$dir/ca.crt"
	local id
	for id in "$@"; do
		pki --gen --type rsa --size 2048 --outform pem > "$dir/$id.key"
		pki --pub --in "$dir/$id.key" --type rsa | \
			pki --issue --lifetime 3650 --cacert "$dir/ca.crt" --cakey "$dir/ca.key" \
				--dn "C=XX, O=ssw-interop, CN=$id" --san "$id" --flag serverAuth --flag clientAuth \
				--outform pem > "$dir/$id.crt"
	done
	rm -f "$conf"; unset STRONGSWAN_CONF
	echo "CA=$dir/ca.crt"; for id in "$@"; do echo "CERT=$dir/$id.crt KEY=$dir/$id.key"; done
}

cmd_up() {
	need_root
	[ $# -ge 3 ] || die "usage: up NS ADDR PEERADDR [options]"
	local ns=$1 addr=$2 peer=$3; shift 3
	local psk="ssw-interop-psk" auth=psk cert="" key="" ca="" id="" peerid=""
	local mode=tunnel lts="" rts="" ike="aes128-sha1-modp2048" esp="aes128-sha1"
	local aggressive=no start_action=none dpd=0 dpd_action=clear ike_rekey="" child_rekey=""
	local port=500 nport=4500 debug=2 tries=3 name=peer peer_ts_fix=yes daemon=charon-systemd
	local conn_opts=() child_opts=()
	while [ $# -gt 0 ]; do case $1 in
		--psk) psk=$2; shift 2;; --auth) auth=$2; shift 2;;
		--cert) cert=$2; shift 2;; --key) key=$2; shift 2;; --ca) ca=$2; shift 2;;
		--id) id=$2; shift 2;; --peer-id) peerid=$2; shift 2;;
		--mode) mode=$2; shift 2;;
		--local-ts) lts=$2; shift 2;; --remote-ts) rts=$2; shift 2;;
		--ike) ike=$2; shift 2;; --esp) esp=$2; shift 2;;
		--aggressive) aggressive=yes; shift;;
		--start-action) start_action=$2; shift 2;;
		--dpd) dpd=$2; shift 2;; --dpd-action) dpd_action=$2; shift 2;;
		--ike-rekey) ike_rekey=$2; shift 2;; --child-rekey) child_rekey=$2; shift 2;;
		--conn-opt) conn_opts+=("$2"); shift 2;; --child-opt) child_opts+=("$2"); shift 2;;
		--port) port=$2; shift 2;; --natt-port) nport=$2; shift 2;;
		--debug) debug=$2; shift 2;; --retransmit-tries) tries=$2; shift 2;;
		--name) name=$2; shift 2;;
		--daemon) daemon=$2; shift 2;;
		--no-peer-ts-fix) peer_ts_fix=no; shift;;
		*) die "up: unknown option $1";; esac; done
	[ "$mode" = tunnel ] || [ "$mode" = transport ] || die "--mode must be tunnel or transport"
	[ "$mode" = transport ] && echo "peer.sh: WARNING: kernel-libipsec (5.9.8) cannot install transport-mode SAs; Quick Mode will fail at SA install" >&2
	[ "$start_action" = trap ] && echo "peer.sh: WARNING: kernel-libipsec (5.9.8) never raises acquires; start_action=trap only drops matching traffic. Use 'start' or 'peer.sh initiate'" >&2
	ns_exists "$ns" || die "namespace $ns does not exist (create it first, e.g. peer.sh topo-up)"
	cmd_deps
	local d; d=$(statedir "$ns")
	if [ -f "$d/charon.pid" ] && our_pid_alive "$ns" "$(cat "$d/charon.pid")"; then
		die "charon already running in $ns (PID $(cat "$d/charon.pid")); run: peer.sh down $ns"
	fi
	rm -rf "$d"; mkdir -p "$d/swanctl"/{x509,x509ca,x509ocsp,x509aa,x509ac,x509crl,pubkey,private,rsa,ecdsa,bliss,pkcs8,pkcs12}
	chmod 700 "$d"
	: "${id:=$addr}" "${peerid:=$peer}" "${lts:=$addr/32}" "${rts:=$peer/32}"

	local sock_mark="" knl_mark=""
	if [ "$peer_ts_fix" = yes ]; then sock_mark="fwmark = 0x2a"; knl_mark="fwmark = !0x2a"; fi
	local agg_psk=""
	[ "$aggressive" = yes ] && agg_psk="i_dont_care_about_security_and_use_aggressive_mode_psk = yes"

	cat > "$d/strongswan.conf" <<EOF
# generated by peer.sh for netns $ns
charon {
  # explicit plugin list: kernel-libipsec MUST come before kernel-netlink so
  # that it becomes the kernel-ipsec backend (userspace ESP via TUN ipsec0);
  # kernel-netlink then only provides the networking part (routes/addresses).
  load_modular = no
  load = random nonce openssl aes sha1 sha2 md5 hmac gmp curve25519 x509 revocation constraints pubkey pkcs1 pkcs8 pem kernel-libipsec kernel-netlink socket-default vici
  port = $port
  port_nat_t = $nport
  retransmit_tries = $tries
  retransmit_timeout = 2.0
  retransmit_base = 1.4
  $agg_psk
  filelog {
    ssw {
      path = $d/charon.log
      time_format = %H:%M:%S
      time_add_ms = yes
      ike_name = yes
      log_level = yes
      flush_line = yes
      append = no
      default = 1
      ike = $debug
      cfg = $debug
      knl = $debug
      net = $debug
      esp = $debug
      chd = $debug
      enc = 1
    }
  }
  plugins {
    vici { socket = unix://$d/charon.vici }
    kernel-libipsec { allow_peer_ts = yes }
    socket-default { $sock_mark }
    kernel-netlink { $knl_mark }
  }
}
charon-systemd {
  journal { default = -1 }
}
swanctl {
  socket = unix://$d/charon.vici
}
EOF

	local localauth remoteauth secrets=""
	if [ "$auth" = psk ]; then
		localauth="auth = psk"; remoteauth="auth = psk"
		secrets="  ike-ssw {
    id-1 = $id
    id-2 = $peerid
    secret = \"$psk\"
  }"
		[ "$peerid" = "%any" ] && secrets="  ike-ssw {
    secret = \"$psk\"
  }"
	elif [ "$auth" = pubkey ]; then
		[ -n "$cert" ] && [ -n "$key" ] && [ -n "$ca" ] || die "--auth pubkey needs --cert --key --ca"
		cp "$cert" "$d/swanctl/x509/local.crt"; cp "$key" "$d/swanctl/private/local.key"; cp "$ca" "$d/swanctl/x509ca/ca.crt"
		localauth="auth = pubkey
      certs = local.crt"
		remoteauth="auth = pubkey"
	else die "--auth must be psk or pubkey"; fi

	local extra_conn="" extra_child="" o
	for o in "${conn_opts[@]+"${conn_opts[@]}"}"; do extra_conn+="    ${o%%=*} = ${o#*=}"$'\n'; done
	for o in "${child_opts[@]+"${child_opts[@]}"}"; do extra_child+="        ${o%%=*} = ${o#*=}"$'\n'; done
	[ -n "$ike_rekey" ] && extra_conn+="    rekey_time = $ike_rekey"$'\n'
	[ -n "$child_rekey" ] && extra_child+="        rekey_time = $child_rekey"$'\n'

	cat > "$d/swanctl/swanctl.conf" <<EOF
# generated by peer.sh for netns $ns
connections {
  $name {
    version = 1
    aggressive = $aggressive
    local_addrs = $addr
    remote_addrs = $peer
    proposals = $ike
    dpd_delay = $dpd
    encap = yes
$extra_conn    local {
      $localauth
      id = $id
    }
    remote {
      $remoteauth
      id = $peerid
    }
    children {
      net {
        mode = $mode
        local_ts = $lts
        remote_ts = $rts
        esp_proposals = $esp
        start_action = $start_action
        dpd_action = $dpd_action
$extra_child      }
    }
  }
}
secrets {
$secrets
}
EOF

	# charon-systemd: same daemon as /usr/lib/ipsec/charon but writes no
	# /var/run/charon.pid, so several instances (one per netns) can coexist.
	# setsid: no controlling tty; ip netns exec execs charon, so $! is its PID.
	# --daemon charon: the classic /usr/lib/ipsec/charon, whose pid file path
	# (/var/run/charon.pid) is fixed; it gets a private tmpfs on /run inside the
	# mount namespace that "ip netns exec" creates (never visible on the host).
	if [ "$daemon" = charon ]; then
		echo "/usr/lib/ipsec/charon" > "$d/daemon"
		STRONGSWAN_CONF="$d/strongswan.conf" setsid ip netns exec "$ns" \
			sh -c 'mount -t tmpfs ssw-run /run && exec /usr/lib/ipsec/charon' \
			> "$d/stdout" 2>&1 < /dev/null &
	elif [ "$daemon" = charon-systemd ]; then
		echo "$CHARON" > "$d/daemon"
		STRONGSWAN_CONF="$d/strongswan.conf" setsid ip netns exec "$ns" "$CHARON" \
			> "$d/stdout" 2>&1 < /dev/null &
	else die "--daemon must be charon-systemd or charon"; fi
	local pid=$!
	echo "$pid" > "$d/charon.pid"
	local _i
	for _i in $(seq 1 100); do
		[ -S "$d/charon.vici" ] && break
		kill -0 "$pid" 2>/dev/null || { cat "$d/stdout" "$d/charon.log" >&2 2>/dev/null; die "charon exited during startup"; }
		sleep 0.1
	done
	[ -S "$d/charon.vici" ] || die "vici socket did not appear ($d/charon.vici)"
	ip netns exec "$ns" swanctl --load-all --noprompt --file "$d/swanctl/swanctl.conf" --uri "$(vici_uri "$ns")" \
		> "$d/load.out" 2>&1 || { cat "$d/load.out" >&2; die "swanctl --load-all failed"; }
	echo "PID=$pid"
	echo "LOG=$d/charon.log"
	echo "DIR=$d"
	echo "VICI=$(vici_uri "$ns")"
}

sw() { local ns=$1; shift; ip netns exec "$ns" swanctl "$@" --uri "$(vici_uri "$ns")"; }

cmd_initiate() {
	[ $# -ge 1 ] || die "usage: initiate NS [--child NAME] [--timeout S]"
	local ns=$1; shift; local child=net timeout=30
	while [ $# -gt 0 ]; do case $1 in
		--child) child=$2; shift 2;; --timeout) timeout=$2; shift 2;;
		*) die "initiate: unknown option $1";; esac; done
	sw "$ns" --initiate --child "$child" --timeout "$timeout"
}

cmd_terminate() {
	local ns=$1; shift; local ike=peer
	[ "${1:-}" = --ike ] && ike=$2
	sw "$ns" --terminate --ike "$ike" --timeout 10 || true
}

cmd_status() {
	local ns=$1
	echo "== $ns: charon PID $(cat "$(statedir "$ns")/charon.pid" 2>/dev/null || echo none)"
	sw "$ns" --list-sas
	sw "$ns" --list-conns
}

cmd_log() {
	local d; d=$(statedir "$1")
	echo "LOG=$d/charon.log"
	tail -n "${2:-40}" "$d/charon.log"
}

cmd_down() {
	need_root
	local ns=$1 d pid _i
	d=$(statedir "$ns")
	[ -f "$d/charon.pid" ] || { echo "peer.sh: no charon recorded for $ns" >&2; return 0; }
	pid=$(cat "$d/charon.pid")
	if our_pid_alive "$ns" "$pid"; then
		kill -TERM "$pid"
		for _i in $(seq 1 50); do kill -0 "$pid" 2>/dev/null || break; sleep 0.1; done
		if kill -0 "$pid" 2>/dev/null; then kill -KILL "$pid"; fi
		echo "stopped charon PID $pid in $ns"
	else
		echo "peer.sh: PID $pid is not our charon (already gone)" >&2
	fi
	# if charon died without cleaning up (SIGKILL), remove what kernel-netlink
	# left in this (dedicated) namespace: routing rule + table 220
	if ns_exists "$ns"; then
		ip -n "$ns" rule del pref 220 2>/dev/null || true
		ip -n "$ns" route flush table 220 2>/dev/null || true
	fi
	rm -f "$d/charon.pid" "$d/charon.vici"
	# keep the log for post-mortem unless asked to purge
	[ "${SSW_KEEP_STATE:-1}" = 1 ] || rm -rf "$d"
}

main() {
	[ $# -ge 1 ] || { usage; exit 1; }
	local c=$1; shift
	case $c in
		deps) cmd_deps;;
		topo-up) cmd_topo_up "$@";;
		topo-down) cmd_topo_down "$@";;
		mkcerts) cmd_mkcerts "$@";;
		up) cmd_up "$@";;
		initiate) cmd_initiate "$@";;
		terminate) cmd_terminate "$@";;
		status) cmd_status "$@";;
		log) cmd_log "$@";;
		swanctl) sw "$@";;
		pid) cat "$(statedir "$1")/charon.pid";;
		dir) statedir "$1";;
		down) cmd_down "$@";;
		-h|--help|help) usage;;
		*) die "unknown subcommand $c";;
	esac
}
main "$@"
