// A deterministic mutation driver for LLVMFuzzerTestOneInput targets, so every parser's fuzz
// target also runs under plain ctest (and the sanitizer build) without libFuzzer:
//   fuzz_X [--iterations N] [--seed S] [--max-len L] CORPUS_DIR_OR_FILE...
// Each corpus file is run as-is, then N mutants derived from the corpus (bit flips, byte
// sets to interesting values, insertions, deletions, splices, duplications, truncations)
// are run. A crash or sanitizer report fails the test; the offending input is printed as hex
// on a fatal signal so the case can be reproduced.
#include <algorithm>
#include <csignal>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <iterator>
#include <random>
#include <string>
#include <vector>

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size);

namespace {

std::vector<std::uint8_t> g_current;

void on_fatal(int sig) {
  std::fprintf(stderr, "\nmutation driver: signal %d on input (%zu bytes):\n", sig, g_current.size());
  for (std::size_t i = 0; i < g_current.size() && i < 4096; ++i) std::fprintf(stderr, "%02x", g_current[i]);
  std::fprintf(stderr, "\n");
  std::signal(sig, SIG_DFL);
  std::raise(sig);
}

void run(const std::vector<std::uint8_t>& in) {
  g_current = in;
  // Copy to an exact-size heap buffer so ASan sees reads past the end.
  auto* buf = static_cast<std::uint8_t*>(std::malloc(in.empty() ? 1 : in.size()));
  if (!in.empty()) std::memcpy(buf, in.data(), in.size());
  LLVMFuzzerTestOneInput(buf, in.size());
  std::free(buf);
}

std::vector<std::uint8_t> mutate(const std::vector<std::vector<std::uint8_t>>& corpus, std::mt19937_64& rng,
                                 std::size_t max_len) {
  static const std::uint8_t interesting[] = {0x00, 0x01, 0x7f, 0x80, 0xff, 0xfe, 0x20, 0x0a,
                                             '"', '[', ']', '(', ')', '{', '}', ':', '/', '=', '+', '*',
                                             ',', '.', '-', '0', '9', '\\', 0x10, 0x40};
  auto pick = [&](std::size_t n) { return n == 0 ? 0 : static_cast<std::size_t>(rng() % n); };
  std::vector<std::uint8_t> d = corpus.empty() ? std::vector<std::uint8_t>{} : corpus[pick(corpus.size())];
  int rounds = 1 + static_cast<int>(pick(4));
  for (int r = 0; r < rounds; ++r) {
    switch (pick(8)) {
      case 0:
        if (!d.empty()) d[pick(d.size())] ^= static_cast<std::uint8_t>(1u << pick(8));
        break;
      case 1:
        if (!d.empty()) d[pick(d.size())] = interesting[pick(sizeof interesting)];
        break;
      case 2:
        d.insert(d.begin() + static_cast<std::ptrdiff_t>(pick(d.size() + 1)), interesting[pick(sizeof interesting)]);
        break;
      case 3:
        if (!d.empty()) {
          auto at = pick(d.size());
          auto n = 1 + pick(std::min<std::size_t>(8, d.size() - at));
          d.erase(d.begin() + static_cast<std::ptrdiff_t>(at), d.begin() + static_cast<std::ptrdiff_t>(at + n));
        }
        break;
      case 4:
        if (!d.empty()) d.resize(pick(d.size()));
        break;
      case 5: {  // splice with another corpus entry
        if (corpus.empty()) break;
        const auto& o = corpus[pick(corpus.size())];
        if (o.empty()) break;
        auto from = pick(o.size());
        auto n = 1 + pick(o.size() - from);
        d.insert(d.begin() + static_cast<std::ptrdiff_t>(pick(d.size() + 1)), o.begin() + static_cast<std::ptrdiff_t>(from),
                 o.begin() + static_cast<std::ptrdiff_t>(from + n));
        break;
      }
      case 6: {  // duplicate a chunk
        if (d.empty()) break;
        auto at = pick(d.size());
        auto n = 1 + pick(std::min<std::size_t>(16, d.size() - at));
        std::vector<std::uint8_t> chunk(d.begin() + static_cast<std::ptrdiff_t>(at), d.begin() + static_cast<std::ptrdiff_t>(at + n));
        d.insert(d.begin() + static_cast<std::ptrdiff_t>(pick(d.size() + 1)), chunk.begin(), chunk.end());
        break;
      }
      default:
        if (!d.empty()) d[pick(d.size())] = static_cast<std::uint8_t>(rng());
        break;
    }
  }
  if (d.size() > max_len) d.resize(max_len);
  return d;
}

void load(const std::filesystem::path& p, std::vector<std::vector<std::uint8_t>>& corpus) {
  if (std::filesystem::is_directory(p)) {
    std::vector<std::filesystem::path> files;
    for (const auto& e : std::filesystem::directory_iterator(p))
      if (e.is_regular_file()) files.push_back(e.path());
    std::sort(files.begin(), files.end());
    for (const auto& f : files) load(f, corpus);
    return;
  }
  std::ifstream in(p, std::ios::binary);
  if (!in) {
    std::fprintf(stderr, "mutation driver: cannot read %s\n", p.c_str());
    std::exit(2);
  }
  corpus.emplace_back(std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>());
}

}  // namespace

int main(int argc, char** argv) {
  std::uint64_t iterations = 10000, seed = 1;
  std::size_t max_len = 4096;
  std::vector<std::vector<std::uint8_t>> corpus;
  for (int i = 1; i < argc; ++i) {
    std::string a = argv[i];
    if (a == "--iterations" && i + 1 < argc) iterations = std::strtoull(argv[++i], nullptr, 10);
    else if (a == "--seed" && i + 1 < argc) seed = std::strtoull(argv[++i], nullptr, 10);
    else if (a == "--max-len" && i + 1 < argc) max_len = std::strtoull(argv[++i], nullptr, 10);
    else load(a, corpus);
  }
  for (int s : {SIGSEGV, SIGABRT, SIGFPE, SIGBUS, SIGILL}) std::signal(s, on_fatal);
  for (const auto& c : corpus) run(c);
  std::mt19937_64 rng(seed);
  for (std::uint64_t i = 0; i < iterations; ++i) run(mutate(corpus, rng, max_len));
  std::printf("mutation driver: %zu corpus inputs, %llu mutants, no crash\n", corpus.size(),
              static_cast<unsigned long long>(iterations));
  return 0;
}
