#include "base/bytes.h"

#include <fmt/format.h>

#include <stdexcept>

namespace ipseckit {

bool ByteReader::need(std::size_t n) {
  if (m_failed) return false;
  if (m_data.size() - m_pos < n) {
    m_failed = true;
    m_failure = fmt::format("{}: truncated at offset {} (wanted {}, had {})", m_what, m_pos, n,
                            m_data.size() - m_pos);
    return false;
  }
  return true;
}

std::uint8_t ByteReader::u8() {
  if (!need(1)) return 0;
  return m_data[m_pos++];
}

std::uint16_t ByteReader::u16be() {
  if (!need(2)) return 0;
  auto v = static_cast<std::uint16_t>((m_data[m_pos] << 8) | m_data[m_pos + 1]);
  m_pos += 2;
  return v;
}

std::uint32_t ByteReader::u24be() {
  if (!need(3)) return 0;
  std::uint32_t v = (std::uint32_t{m_data[m_pos]} << 16) | (std::uint32_t{m_data[m_pos + 1]} << 8) |
                    m_data[m_pos + 2];
  m_pos += 3;
  return v;
}

std::uint32_t ByteReader::u32be() {
  if (!need(4)) return 0;
  std::uint32_t v = 0;
  for (int i = 0; i < 4; ++i) v = (v << 8) | m_data[m_pos++];
  return v;
}

std::uint64_t ByteReader::u64be() {
  if (!need(8)) return 0;
  std::uint64_t v = 0;
  for (int i = 0; i < 8; ++i) v = (v << 8) | m_data[m_pos++];
  return v;
}

ByteView ByteReader::bytes(std::size_t n) {
  if (!need(n)) return {};
  ByteView v = m_data.subspan(m_pos, n);
  m_pos += n;
  return v;
}

ByteView ByteReader::bytes_from_end(std::size_t n) {
  if (!need(n)) return {};
  ByteView v = m_data.subspan(m_data.size() - n, n);
  m_data = m_data.first(m_data.size() - n);
  return v;
}

ByteReader ByteReader::sub(std::size_t n, std::string_view what) {
  ByteView v = bytes(n);
  ByteReader r(v, what);
  if (m_failed) {
    r.m_failed = true;
    r.m_failure = m_failure;
  }
  return r;
}

ByteView ByteReader::rest() { return bytes(remaining()); }

void ByteWriter::u16be(std::uint16_t v) {
  m_out.push_back(static_cast<std::uint8_t>(v >> 8));
  m_out.push_back(static_cast<std::uint8_t>(v));
}

void ByteWriter::u24be(std::uint32_t v) {
  if (v > 0xFFFFFF) throw std::length_error("u24 field overflow");
  m_out.push_back(static_cast<std::uint8_t>(v >> 16));
  m_out.push_back(static_cast<std::uint8_t>(v >> 8));
  m_out.push_back(static_cast<std::uint8_t>(v));
}

void ByteWriter::u32be(std::uint32_t v) {
  for (int s = 24; s >= 0; s -= 8) m_out.push_back(static_cast<std::uint8_t>(v >> s));
}

void ByteWriter::u64be(std::uint64_t v) {
  for (int s = 56; s >= 0; s -= 8) m_out.push_back(static_cast<std::uint8_t>(v >> s));
}

void ByteWriter::patch_u16be(std::size_t offset, std::uint16_t v) {
  if (offset + 2 > m_out.size()) throw std::out_of_range("patch_u16be past end");
  m_out[offset] = static_cast<std::uint8_t>(v >> 8);
  m_out[offset + 1] = static_cast<std::uint8_t>(v);
}

void ByteWriter::patch_u32be(std::size_t offset, std::uint32_t v) {
  if (offset + 4 > m_out.size()) throw std::out_of_range("patch_u32be past end");
  for (int i = 0; i < 4; ++i) m_out[offset + static_cast<std::size_t>(i)] = static_cast<std::uint8_t>(v >> (24 - 8 * i));
}

std::string to_hex(ByteView v) {
  static constexpr char digits[] = "0123456789abcdef";
  std::string s;
  s.reserve(v.size() * 2);
  for (auto b : v) {
    s.push_back(digits[b >> 4]);
    s.push_back(digits[b & 0xF]);
  }
  return s;
}

bool from_hex(std::string_view s, Bytes& out) {
  out.clear();
  int hi = -1;
  for (char c : s) {
    int d;
    if (c >= '0' && c <= '9') d = c - '0';
    else if (c >= 'a' && c <= 'f') d = c - 'a' + 10;
    else if (c >= 'A' && c <= 'F') d = c - 'A' + 10;
    else if (c == ' ' || c == ':' || c == '\n' || c == '\t') continue;
    else return false;
    if (hi < 0) {
      hi = d;
    } else {
      out.push_back(static_cast<std::uint8_t>((hi << 4) | d));
      hi = -1;
    }
  }
  return hi < 0;
}

}  // namespace ipseckit
