#!/bin/sh
# install-peer.sh PKG...: installs the Debian packages an interop test needs, if missing,
# without starting their services on the host (a temporary policy-rc.d answers 101, the
# Debian convention for "do not start"): the tests start their peers themselves, inside
# namespaces. Runs `apt-get update` once if the first attempt fails (a fresh machine has no
# package lists). Exit 0 when everything is installed, 77 when it cannot be (the caller
# passes that on as "skipped"), never anything else.
set -u
missing=""
for p in "$@"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing="$missing $p"
done
[ -z "$missing" ] && exit 0
[ "$(id -u)" -eq 0 ] || { echo "SKIP: installing$missing needs root" >&2; exit 77; }
rcd=/usr/sbin/policy-rc.d
made_rcd=""
if [ ! -e "$rcd" ]; then
  printf '#!/bin/sh\nexit 101\n' >"$rcd" && chmod 755 "$rcd" && made_rcd=1
fi
install() {
  DEBIAN_FRONTEND=noninteractive apt-get -o DPkg::Lock::Timeout=600 install -y -qq \
    --no-install-recommends $missing >&2
}
install || { apt-get -o DPkg::Lock::Timeout=600 update -qq >&2 && install; }
rc=$?
[ -n "$made_rcd" ] && rm -f "$rcd"
[ "$rc" -eq 0 ] && exit 0
echo "SKIP: cannot install$missing" >&2
exit 77
