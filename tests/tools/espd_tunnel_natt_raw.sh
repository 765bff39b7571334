#!/bin/bash
# espd_tunnel_natt.sh with B reading ESP-in-UDP through its raw socket (--natt raw) while A
# sends UDP GSO trains: across the veth they reach B's raw socket whole and B must split them
# into ESP packets (libcore/esp/udp_train.h) for the ping and the transfers to work.
B_NATT=raw exec "$(dirname "$0")/espd_tunnel_natt.sh"
