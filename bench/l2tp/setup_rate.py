#!/usr/bin/env python3
"""Times K sequential `l2tpd connect` runs (used by bench/l2tp/run.sh).

  setup_rate.py LABEL K LOG [--between SCRIPT] -- CMD...

Each run: start CMD (an `l2tpd connect`, in the client's namespace), wait until it logs
"connected to" (PPP up: LCP, authentication and IPCP done, TUN configured), send it SIGTERM
(it sends CDN/StopCCN and undoes its setup) and wait for exit status 0. The next run starts
only after the previous one has exited. SCRIPT, if given, runs before every run, untimed
(run.sh uses it to restart the client's ikeview daemon so that every run negotiates a fresh
IKE Main Mode). Prints one line:
  LABEL: K setups in T s: R setups/s, mean M s per setup (connect to exit), mean U s to established,
  D s SIGTERM to exit
T is the sum of the K timed cycles (start of `l2tpd connect` to its exit), SCRIPT excluded.
Exit 1 (with the client's log on stderr) if a run fails, times out (20 s) or exits non-zero.
"""
import os
import select
import signal
import subprocess
import sys
import time

TIMEOUT = 20.0


def one(cmd, log):
    """One connect/disconnect cycle; returns (seconds to established, seconds SIGTERM to exit)."""
    start = time.monotonic()
    p = subprocess.Popen(cmd, stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    buf = b""
    up = None
    fd = p.stderr.fileno()
    try:
        while up is None:
            left = start + TIMEOUT - time.monotonic()
            if left <= 0:
                raise RuntimeError("not established after %.0f s" % TIMEOUT)
            r, _, _ = select.select([fd], [], [], left)
            if not r:
                continue
            chunk = os.read(fd, 65536)
            if not chunk:
                raise RuntimeError("l2tpd connect exited before the session was established")
            buf += chunk
            if b"connected to " in buf:
                up = time.monotonic() - start
        p.send_signal(signal.SIGTERM)
        term = time.monotonic()
        while True:
            r, _, _ = select.select([fd], [], [], TIMEOUT)
            if not r:
                raise RuntimeError("no exit %.0f s after SIGTERM" % TIMEOUT)
            chunk = os.read(fd, 65536)
            if not chunk:
                break
            buf += chunk
        rc = p.wait(timeout=TIMEOUT)
        if rc != 0:
            raise RuntimeError("l2tpd connect exited %d after SIGTERM" % rc)
        return up, time.monotonic() - term
    finally:
        log.write(buf)
        log.flush()
        if p.poll() is None:  # only our own child, by PID
            p.kill()
            p.wait()


def main():
    args, between = sys.argv[4:], None
    if args[:1] == ["--between"] and len(args) > 1:
        between, args = args[1], args[2:]
    if len(sys.argv) < 6 or args[:1] != ["--"] or len(args) < 2:
        print("usage: setup_rate.py LABEL K LOG [--between SCRIPT] -- CMD...", file=sys.stderr)
        return 2
    label, k, logname, cmd = sys.argv[1], int(sys.argv[2]), sys.argv[3], args[1:]
    ups, downs = [], []
    total = 0.0
    with open(logname, "ab") as log:
        for i in range(k):
            log.write(b"==== run %d\n" % (i + 1))
            log.flush()
            try:
                if between:
                    subprocess.run([between], check=True, stdin=subprocess.DEVNULL, stdout=log, stderr=log,
                                   timeout=TIMEOUT)
                t0 = time.monotonic()
                up, down = one(cmd, log)
                ups.append(up)
                downs.append(down)
                total += time.monotonic() - t0
            except (RuntimeError, subprocess.SubprocessError) as e:
                log.flush()
                print("%s: run %d of %d failed: %s" % (label, i + 1, k, e), file=sys.stderr)
                with open(logname, "rb") as f:
                    sys.stderr.write(b"".join(f.readlines()[-25:]).decode(errors="replace"))
                return 1
    print("%s: %d setups in %.2f s: %.2f setups/s, mean %.3f s per setup (connect to exit), "
          "mean %.3f s to established, %.3f s SIGTERM to exit" % (label, k, total, k / total, total / k, sum(ups) / k,
                                                              sum(downs) / k))
    return 0


if __name__ == "__main__":
    sys.exit(main())
