// nftables through nft(8) (nft.h).
#include "sys/nft.h"

#include <fcntl.h>
#include <poll.h>
#include <spawn.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <sstream>
#include <vector>

#include "sys/spawn.h"

extern char** environ;

namespace ipseckit::sys::nft {
namespace {

struct Run {
  int status = 0;
  std::string out, err;
};

void close_fd(int& fd) {
  if (fd >= 0) ::close(fd);
  fd = -1;
}

// posix_spawn (safe in a multi-threaded daemon) of nft with input on stdin; stdout and stderr
// are collected. The script is written while the output is read, so neither side can block.
Result<Run> run(const std::vector<std::string>& args, std::string_view input) {
  static const std::string prog = find_program("nft").value_or("/usr/sbin/nft");
  std::vector<std::string> argv_s{prog};
  argv_s.insert(argv_s.end(), args.begin(), args.end());
  std::vector<char*> argv;
  for (auto& a : argv_s) argv.push_back(a.data());
  argv.push_back(nullptr);
  int in[2] = {-1, -1}, out[2] = {-1, -1}, err[2] = {-1, -1};
  if (::pipe2(in, O_CLOEXEC) || ::pipe2(out, O_CLOEXEC) || ::pipe2(err, O_CLOEXEC)) {
    const int e = errno;
    for (int* p : {in, out, err}) close_fd(p[0]), close_fd(p[1]);
    return Error::make("failed", std::string("nft: pipe: ") + std::strerror(e));
  }
  posix_spawn_file_actions_t fa;
  posix_spawn_file_actions_init(&fa);
  posix_spawn_file_actions_adddup2(&fa, in[0], 0);
  posix_spawn_file_actions_adddup2(&fa, out[1], 1);
  posix_spawn_file_actions_adddup2(&fa, err[1], 2);
  pid_t pid = -1;
  const int rc = ::posix_spawn(&pid, prog.c_str(), &fa, nullptr, argv.data(), environ);
  posix_spawn_file_actions_destroy(&fa);
  close_fd(in[0]), close_fd(out[1]), close_fd(err[1]);
  if (rc != 0) {
    for (int* p : {in, out, err}) close_fd(p[0]), close_fd(p[1]);
    return Error::make("failed", "cannot run " + prog + ": " + std::strerror(rc));
  }
  Run r;
  std::size_t written = 0;
  if (input.empty()) close_fd(in[1]);
  while (out[0] >= 0 || err[0] >= 0) {
    pollfd p[3] = {{out[0], POLLIN, 0}, {err[0], POLLIN, 0}, {in[1], POLLOUT, 0}};
    if (::poll(p, 3, 10000) <= 0 && errno != EINTR) break;
    if (in[1] >= 0 && (p[2].revents & (POLLOUT | POLLERR | POLLHUP))) {
      const auto n = ::write(in[1], input.data() + written, input.size() - written);
      if (n > 0) written += static_cast<std::size_t>(n);
      if (n <= 0 || written == input.size()) close_fd(in[1]);
    }
    for (int i = 0; i < 2; ++i) {
      int& fd = i == 0 ? out[0] : err[0];
      if (fd < 0 || !(p[i].revents & (POLLIN | POLLHUP | POLLERR))) continue;
      char buf[4096];
      const auto n = ::read(fd, buf, sizeof buf);
      if (n > 0)
        (i == 0 ? r.out : r.err).append(buf, static_cast<std::size_t>(n));
      else if (n == 0 || errno != EINTR)
        close_fd(fd);
    }
  }
  close_fd(in[1]), close_fd(out[0]), close_fd(err[0]);
  int st = 0;
  while (::waitpid(pid, &st, 0) < 0 && errno == EINTR) {
  }
  r.status = WIFEXITED(st) ? WEXITSTATUS(st) : 128 + (WIFSIGNALED(st) ? WTERMSIG(st) : 0);
  return r;
}

Status check(const Result<Run>& r, std::string_view what) {
  if (!r) return r.error();
  if (r->status == 0) return {};
  std::string first = r->err.substr(0, r->err.find('\n'));
  return Error::make("failed", std::string("nft ") + std::string(what) + ": exit " + std::to_string(r->status) +
                                   (first.empty() ? "" : ": " + first));
}

}  // namespace

std::string identifier(std::string_view s) {
  std::string id(s);
  for (char& c : id)
    if (!((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '_')) c = '_';
  return id;
}

Status apply(std::string_view script) {
  return check(run({"-f", "-"}, script), "-f -");
}

Status delete_table(std::string_view family, std::string_view name) {
  const std::string t = std::string(family) + " " + std::string(name);
  return apply("table " + t + "\ndelete table " + t + "\n");
}

// `nft list counters table F N` prints, per counter:
//   counter NAME {
//           packets P bytes B
//   }
Result<std::map<std::string, std::uint64_t>> counters(std::string_view family, std::string_view name) {
  auto r = run({"list", "counters", "table", std::string(family), std::string(name)}, {});
  if (!r) return r.error();
  std::map<std::string, std::uint64_t> m;
  if (r->status != 0) return m;  // no such table
  std::istringstream in(r->out);
  std::string word, current;
  while (in >> word) {
    if (word == "counter") {
      in >> current;
    } else if (word == "packets" && !current.empty()) {
      std::uint64_t n = 0;
      if (in >> n) m[current] = n;
      current.clear();
    }
  }
  return m;
}

}  // namespace ipseckit::sys::nft
