// Buffering of log.h's default sink, for daemons that log several lines per event: lines
// collect in memory and go out in one write on flush(), or when 16 KiB are pending. Whoever
// turns it on flushes before waiting and before anything another process could see as
// following those lines (store::Client flushes before it sends). Off (the default) writes each
// line at once; turning it off flushes. Neither may be called from a sink.
#pragma once

namespace ipseckit::log {

void set_stderr_buffered(bool on);
void flush();

}  // namespace ipseckit::log
