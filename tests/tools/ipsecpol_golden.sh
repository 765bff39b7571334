#!/bin/bash
# Golden transcript of ipsecpol and netdiag: the issue's commands, query mode, errors with
# their exit codes, dynamic mode, batch files, netsh scripts, export/import/check, --json.
set -euo pipefail
. "$(dirname "$0")/lib.bash"
enter_netns "$@"
cd "$WORK"
P="$IPSECKIT_BIN/ipsecpol"
N="$IPSECKIT_BIN/netdiag"

note "no agent yet: netdiag reports it, exit 1"
export IPSECKIT_SOCKET="$WORK/none.sock" IPSECKIT_NO_AUTOSTART=1
t "$N" /test:ipsec
start_agent a
use_agent a

note "the issue's commands"
t "$P" -w REG -p "Branch:60" -r "l2tp" -f 0+*::UDP -n ESP[3DES,SHA] -a PRESHARE:"s3cret" -x
t "$P" -w REG -p "Branch" -r "gw-out" -f 192.0.2.0/255.255.255.0=203.0.113.0/255.255.255.0 -t 198.51.100.2 -n ESP[3DES,SHA]
t "$P" show all
t "$N" /test:ipsec /v
t "$N" /TEST:IPSEC /debug
t "$N" filters
t "$N" filters --specific
t "$N" filters --json
t "$N" ipsec --json
t "$P" --json show filters policies auth
t "$P" show stats sas --json

note "grammar errors: the token, its position, exit 2; nothing stored"
t "$P" -w REG -p Branch -r bad -f 192.0.2.0/24=*
t "$P" -w REG -p Branch -r bad -f 10.1.1.1-10.2.2.2
t "$P" -w REG -p Branch -r bad -f 0+*::XTP
t "$P" -w REG -p Branch -r bad -f 0+* -n ESP[NONE,NONE]
t "$P" -w REG -p Branch -r bad -f 0+* -n ESP[3DES,SHA]100S
t "$P" -w REG -p Branch -r bad -f 0+* -a PRESHARE
t "$P" -w REG -p Branch -r bad -f 0+* -1s 3DES-SHA-7
t "$P" -w REG -p Branch -r bad -q
t "$P" -w REG -r bad -f 0+*
t "$P" -w REG -p Branch -n ESP[DES,MD5]
t "$P"
t "$P" show nothing
note "runtime failures: exit 1"
t "$P" -w DS -p Branch -r x -f 0+*
t "$P" '\\otherhost' -f 0+*
t "$P" -file "$WORK/missing.txt"
t "$N" /test:dns
t "$P" export --policy Nope

note "the store is unchanged by the failures above"
t "$P" export --format ipsecpol

note "dynamic mode: volatile rules merged with the assigned policy"
t "$P" -f '[*=0:1434:UDP]' -r block-1434
t "$P" -f '(0+198.51.100.5)' '0+*::ICMP' -n ESP[AES-GCM128] -a PRESHARE:"dynamic-key-0123456789" -soft -lan
t "$N" filters
t "$P" -u
t "$N" ipsec

note "batch mode: each line on its own"
t "$P" -file "$IPSECKIT_SRC/tests/tools/data/batch.txt"
t "$N" ipsec --verbose

note "netsh static scripts: all or nothing"
t "$P" netsh "$IPSECKIT_SRC/tests/tools/data/broken.netsh"
t "$P" netsh "$IPSECKIT_SRC/tests/tools/data/gateway.netsh"
t "$N" ipsec --verbose
t "$P" check --policy Gateway
t "$P" check --policy Gateway --json

note "export: keys hidden unless --secrets; the script form"
t "$P" export --policy Gateway
t "$P" export --policy Branch --format ipsecpol --secrets

note "-y unassigns, -o deletes (with its lists, actions and secrets)"
t "$P" -w REG -p Gateway -y
t "$P" -w REG -p Batch -o
t "$N" ipsec
compare_golden ipsecpol
