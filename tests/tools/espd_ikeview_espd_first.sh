#!/bin/bash
# espd_ikeview.sh with the start order reversed: both espds run before either ikeview, and
# neither daemon is given --mark (both default to sys::kDaemonMark, 0x2a5). ikeview must still
# get UDP 500/4500 and the negotiated traffic must flow.
ESPD_FIRST=1 exec "$(dirname "$0")/espd_ikeview.sh"
