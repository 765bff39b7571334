// The one bounds-checked byte cursor used by every parser, and its writer twin.
// Reads never go past the end; the first failure latches, later reads return zeros, and
// the caller checks ok() (or uses expect_done()) once at the end of a structure.
#pragma once

#include <cstddef>
#include <cstdint>
#include <span>
#include <string>
#include <string_view>
#include <vector>

namespace ipseckit {

using Bytes = std::vector<std::uint8_t>;
using ByteView = std::span<const std::uint8_t>;

class ByteReader {
 public:
  explicit ByteReader(ByteView data, std::string_view what = "data") : m_data(data), m_what(what) {}

  std::uint8_t u8();
  std::uint16_t u16be();
  std::uint32_t u24be();
  std::uint32_t u32be();
  std::uint64_t u64be();
  ByteView bytes(std::size_t n);            // next n bytes
  ByteView bytes_from_end(std::size_t n);   // last n bytes; shrinks the readable area
  ByteReader sub(std::size_t n, std::string_view what);  // a nested reader over the next n bytes
  ByteView rest();                          // everything left
  void skip(std::size_t n) { (void)bytes(n); }

  std::size_t remaining() const { return m_failed ? 0 : m_data.size() - m_pos; }
  std::size_t position() const { return m_pos; }
  bool ok() const { return !m_failed; }
  bool done() const { return m_failed || m_pos == m_data.size(); }
  // True when everything was consumed without failure.
  bool expect_done() const { return !m_failed && m_pos == m_data.size(); }
  // Describes the first failure: "<what>: truncated at offset N (wanted K, had M)".
  const std::string& failure() const { return m_failure; }

 private:
  bool need(std::size_t n);

  ByteView m_data;
  std::size_t m_pos = 0;
  bool m_failed = false;
  std::string m_what;
  std::string m_failure;
};

class ByteWriter {
 public:
  void u8(std::uint8_t v) { m_out.push_back(v); }
  void u16be(std::uint16_t v);
  void u24be(std::uint32_t v);
  void u32be(std::uint32_t v);
  void u64be(std::uint64_t v);
  void bytes(ByteView v) { m_out.insert(m_out.end(), v.begin(), v.end()); }
  void zeros(std::size_t n) { m_out.insert(m_out.end(), n, 0); }
  // Overwrite a 16-bit big-endian field written earlier (lengths, checksums).
  void patch_u16be(std::size_t offset, std::uint16_t v);
  void patch_u32be(std::size_t offset, std::uint32_t v);
  std::size_t size() const { return m_out.size(); }
  const Bytes& data() const { return m_out; }
  Bytes take() { return std::move(m_out); }

 private:
  Bytes m_out;
};

std::string to_hex(ByteView v);
// Parses hex (whitespace and ':' ignored); returns false on odd length or a non-hex digit.
bool from_hex(std::string_view s, Bytes& out);

}  // namespace ipseckit
