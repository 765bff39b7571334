// The L2TP codec (RFC 2661 §3-§4): header, AVPs, hidden AVPs, typed attributes, the §6
// message table, and the malformed-input vectors with their expected error text.
#include <doctest/doctest.h>

#include "l2tp/common.h"
#include "unit/ppp/vector_file.h"
#include "wire/l2tp_message.h"
#include "wire/ppp_auth.h"
#include "wire/ppp_cp.h"
#include "wire/ppp_frame.h"

using namespace ipseckit;
using namespace ipseckit::wire;
using ipseckit::testing::read_vectors;

namespace {

Bytes hex(const char* s) {
  Bytes b;
  REQUIRE(from_hex(s, b));
  return b;
}

// An SCCRQ laid out the way xl2tpd sends it (Firmware Revision and Vendor Name without M),
// written byte by byte with Python's struct module.
const char* kSccrq =
    "c802007f000000000000000080080000000000018008000000020100800a0000000300000003800a00000004000000000008000000060690"
    "800e000000076c61632e7465737400130000000878656c6572616e63652e636f6d80080000000904d280080000000a000480160000000b00"
    "0102030405060708090a0b0c0d0e0f";
// An ICCN with Tx Connect Speed 0 and a non-mandatory Rx Connect Speed (xl2tpd).
const char* kIccn = "c80200322222567800030002800800000000000c800a0000001800000000800a0000001300000001000a0000002600000000";

const AvpSecret kSecret{ByteView(reinterpret_cast<const std::uint8_t*>("s3cret"), 6), &l2tp::avp_md5};  // NOLINT

}  // namespace

TEST_CASE("L2TP header: every optional field, byte-exact round trips") {
  auto sccrq = hex(kSccrq);
  auto p = parse_l2tp(sccrq);
  REQUIRE(p.ok());
  CHECK(p->header.control);
  CHECK(p->header.has_length);
  CHECK(p->header.has_sequence);
  CHECK(p->header.tunnel_id == 0);
  CHECK(p->payload.size() == sccrq.size() - 12);
  CHECK(serialize_l2tp(p->header, p->payload).value() == sccrq);

  // data message with length, sequence, offset pad and priority
  L2tpHeader h;
  h.has_length = true;
  h.has_sequence = true;
  h.has_offset = true;
  h.priority = true;
  h.tunnel_id = 0x1234;
  h.session_id = 0xabcd;
  h.ns = 7;
  h.offset_pad = {0xee, 0xee, 0xee};
  const Bytes ppp = {0xff, 0x03, 0xc0, 0x21, 0x09, 0x01, 0x00, 0x04};
  auto d = serialize_l2tp(h, ppp);
  REQUIRE(d.ok());
  CHECK(to_hex(*d) == "4b0200191234abcd000700000003eeeeeeff03c02109010004");
  auto back = parse_l2tp(*d);
  REQUIRE(back.ok());
  CHECK(back->header == h);
  CHECK(Bytes(back->payload.begin(), back->payload.end()) == ppp);
  // the minimal data header xl2tpd sends (0x4002, L set, no sequence)
  auto x = build_data(0x2222, 0x5678, ppp, true);
  REQUIRE(x.ok());
  CHECK(to_hex(*x).substr(0, 16) == "4002001022225678");
  auto bare = build_data(1, 2, ppp, false, DataSequence{5, 0});
  REQUIRE(bare.ok());
  CHECK(to_hex(*bare).substr(0, 20) == "08020001000200050000");
  // UDP padding after Length is ignored
  Bytes padded = sccrq;
  padded.push_back(0);
  CHECK(parse_l2tp(padded)->payload.size() == sccrq.size() - 12);
}

TEST_CASE("xl2tpd's SCCRQ and ICCN decode; structure and attributes round-trip") {
  auto c = parse_control(hex(kSccrq));
  REQUIRE(c.ok());
  CHECK(serialize_control(*c).value() == hex(kSccrq));
  CHECK(c->avps.size() == 10);
  CHECK_FALSE(c->avps[4].mandatory);  // Firmware Revision
  auto a = decode_attrs(c->avps);
  REQUIRE_MESSAGE(a.ok(), a.error().message);
  CHECK(a->message_type == L2tpMsgType::sccrq);
  CHECK(a->protocol_version == ProtocolVersion{1, 0});
  CHECK(a->framing_capabilities == 3u);
  CHECK(a->bearer_capabilities == 0u);
  CHECK(a->firmware_revision == 0x0690);
  CHECK(a->host_name == "lac.test");
  CHECK(a->vendor_name == "xelerance.com");
  CHECK(a->assigned_tunnel_id == 1234);
  CHECK(a->receive_window_size == 4);
  CHECK(a->challenge->size() == 16);
  // re-encoded from the attributes: same AVPs with the same M bits (order of this message
  // is already attribute-type order)
  auto again = encode_attrs(*a);
  REQUIRE(again.ok());
  CHECK(*again == c->avps);

  auto iccn = parse_control(hex(kIccn));
  REQUIRE(iccn.ok());
  auto ia = decode_attrs(iccn->avps);
  REQUIRE(ia.ok());
  CHECK(ia->message_type == L2tpMsgType::iccn);
  CHECK(ia->tx_connect_speed == 0u);
  CHECK(ia->framing_type == kFramingSync);
  CHECK(ia->rx_connect_speed == 0u);
  CHECK(iccn->header.tunnel_id == 0x2222);
  CHECK(iccn->header.session_id == 0x5678);
}

TEST_CASE("Every AVP of RFC 2661 encodes and decodes, hidden or not") {
  L2tpAttrs a;
  a.message_type = L2tpMsgType::iccn;
  a.result_code = ResultCodeValue{2, 6, "oops"};
  a.protocol_version = ProtocolVersion{1, 0};
  a.framing_capabilities = 3;
  a.bearer_capabilities = 3;
  a.tie_breaker = 0x0102030405060708ull;
  a.firmware_revision = 0x0100;
  a.host_name = "h";
  a.vendor_name = "";
  a.assigned_tunnel_id = 9;
  a.receive_window_size = 8;
  a.challenge = Bytes{1, 2, 3};
  a.q931_cause_code = Q931Cause{16, 1, "normal"};
  a.challenge_response = Bytes(16, 0x5a);
  a.assigned_session_id = 77;
  a.call_serial_number = 123456;
  a.minimum_bps = 1;
  a.maximum_bps = 2;
  a.bearer_type = 2;
  a.framing_type = 1;
  a.called_number = "555";
  a.calling_number = "666";
  a.sub_address = "7";
  a.tx_connect_speed = 10000000;
  a.physical_channel_id = 42;
  a.initial_received_lcp_confreq = Bytes{1, 4, 5, 0xdc};
  a.last_sent_lcp_confreq = Bytes{};
  a.last_received_lcp_confreq = Bytes{5, 6, 1, 2, 3, 4};
  a.proxy_authen_type = 2;
  a.proxy_authen_name = "user";
  a.proxy_authen_challenge = Bytes(16, 1);
  a.proxy_authen_id = 5;
  a.proxy_authen_response = Bytes(16, 2);
  a.call_errors = CallErrors{1, 2, 3, 4, 5, 6};
  a.accm = AccmValue{0, 0xffffffff};
  a.private_group_id = Bytes{9};
  a.rx_connect_speed = 9600;
  a.sequencing_required = Present{};

  auto plain = encode_attrs(a);
  REQUIRE(plain.ok());
  CHECK(plain->size() == 38);  // Message Type + the 37 other attributes (not Random Vector)
  auto back = decode_attrs(*plain);
  REQUIRE_MESSAGE(back.ok(), back.error().message);
  CHECK(*back == a);
  // M bits as §4.4 prescribes
  for (const auto& avp : *plain) {
    const AvpRule* r = avp_rule(static_cast<AvpType>(avp.type));
    REQUIRE(r != nullptr);
    CHECK(avp.mandatory == r->mandatory);
  }

  AvpHiding h;
  h.secret = kSecret;
  h.random_vector = Bytes(16, 0x11);
  for (unsigned t = 0; t < 40; ++t) h.hide.push_back(static_cast<AvpType>(t));
  h.padding = [](AvpType t) { return Bytes(static_cast<std::size_t>(t) % 7, 0xaa); };
  auto hidden = encode_attrs(a, &h);
  REQUIRE(hidden.ok());
  std::size_t n_hidden = 0;
  for (const auto& avp : *hidden) {
    const AvpRule* r = avp_rule(static_cast<AvpType>(avp.type));
    if (avp.hidden) {
      ++n_hidden;
      CHECK(r->may_hide);
    }
  }
  CHECK(n_hidden == 30);  // the attributes §4.4 lets be hidden
  auto unhidden = decode_attrs(*hidden, kSecret);
  REQUIRE_MESSAGE(unhidden.ok(), unhidden.error().message);
  CHECK(unhidden->were_hidden.size() == n_hidden);
  L2tpAttrs cmp = *unhidden;
  cmp.were_hidden.clear();
  cmp.random_vector.reset();
  CHECK(cmp == a);
  // the wrong secret: refused (or, by chance, garbage that fails a length check)
  const AvpSecret wrong{ByteView(reinterpret_cast<const std::uint8_t*>("s3creT"), 6), &l2tp::avp_md5};  // NOLINT
  auto bad = decode_attrs(*hidden, wrong);
  CHECK_FALSE(bad.ok());
  // no secret at all
  auto none = decode_attrs(*hidden);
  REQUIRE_FALSE(none.ok());
  CHECK(none.error().code == "l2tp.hidden");
  CHECK(proto_error(none.error().proto) == 6);
}

TEST_CASE("Hidden AVPs: RFC 2661 §4.3 vectors computed with Python hashlib") {
  for (const auto& v : read_vectors("l2tp_hidden.vec")) {
    v.only({"type", "secret", "random_vector", "value", "padding", "hidden"});
    CAPTURE(v.where());
    const Bytes tb = v.hex("type");
    REQUIRE(tb.size() == 2);
    const auto type = static_cast<std::uint16_t>((tb[0] << 8) | tb[1]);
    const std::string secret = v.text("secret");
    const ByteView sv(reinterpret_cast<const std::uint8_t*>(secret.data()), secret.size());  // NOLINT
    auto h = hide_avp_value(type, v.hex("value"), sv, v.hex("random_vector"), v.hex("padding"), &l2tp::avp_md5);
    REQUIRE(h.ok());
    CHECK(to_hex(*h) == to_hex(v.hex("hidden")));
    auto u = unhide_avp_value(type, v.hex("hidden"), sv, v.hex("random_vector"), &l2tp::avp_md5);
    REQUIRE(u.ok());
    CHECK(*u == v.hex("value"));
    // inside a whole message: the RV AVP precedes the hidden one
    L2tpControl msg{L2tpHeader::control_header(1, 2, 3, 4),
                    {Avp{true, false, 0, 0, 0, {0, 10}}, Avp{true, false, 0, 0, 36, v.hex("random_vector")},
                     Avp{true, true, 0, 0, type, v.hex("hidden")}}};
    auto dgram = serialize_control(msg);
    REQUIRE(dgram.ok());
    auto parsed = parse_control(*dgram);
    REQUIRE(parsed.ok());
    CHECK(*parsed == msg);
  }
}

TEST_CASE("Unknown AVPs: passed over without M, refused with it (§4.1)") {
  auto c = parse_control(hex(kSccrq));
  REQUIRE(c.ok());
  auto avps = c->avps;
  avps.push_back(Avp{false, false, 0, 311, 99, {1, 2, 3}});   // Microsoft vendor AVP, not mandatory
  avps.push_back(Avp{false, false, 0, 0, 200, {}});           // unknown IETF type, not mandatory
  avps.push_back(Avp{false, false, 1, 0, 7, {'x'}});          // reserved bit: unrecognized
  auto a = decode_attrs(avps);
  REQUIRE(a.ok());
  CHECK(a->passed_over.size() == 3);
  CHECK(a->host_name == "lac.test");
  avps.push_back(Avp{true, false, 0, 311, 99, {}});
  auto r = decode_attrs(avps);
  REQUIRE_FALSE(r.ok());
  CHECK(r.error().code == "l2tp.unknown_mandatory");
  CHECK(proto_result(r.error().proto) == 2);
  CHECK(proto_error(r.error().proto) == static_cast<std::uint16_t>(L2tpErrorCode::unknown_mandatory));
  // a ZLB is an empty AVP list
  auto zlb = decode_attrs({});
  REQUIRE(zlb.ok());
  CHECK(zlb->is_zlb());
}

TEST_CASE("Names of every registry; unknown values print <unknown:N>") {
  CHECK(name(L2tpMsgType::sccrq) == "SCCRQ");
  CHECK(name(L2tpMsgType::stopccn) == "StopCCN");
  CHECK(name(static_cast<L2tpMsgType>(5)) == "<unknown:5>");
  CHECK(name(AvpType::challenge_response) == "Challenge Response");
  CHECK(name(static_cast<AvpType>(20)) == "<unknown:20>");
  CHECK(name(StopCcnResult::not_authorized) == "Requester is not authorized to establish a control channel");
  CHECK(name(CdnResult::admin) == "Call disconnected for administrative reasons");
  CHECK(name(static_cast<CdnResult>(0)) == "<unknown:0>");
  CHECK(name(L2tpErrorCode::unknown_mandatory).find("M-bit") != std::string::npos);
  CHECK(fmt::format("{}", L2tpMsgType::iccn) == "ICCN");
  CHECK(fmt::format("{}", AvpType::random_vector) == "Random Vector");
  CHECK(name(PppProtocol::ipcp) == "IPCP");
  CHECK(name(static_cast<PppProtocol>(0x8281)) == "<unknown:0x8281>");
  CHECK(name(CpCode::identification) == "Identification");
  CHECK(name(LcpOption::auth_protocol) == "Authentication-Protocol");
  CHECK(name(IpcpOption::secondary_nbns) == "Secondary-NBNS");
  CHECK(name(static_cast<IpcpOption>(200)) == "<unknown:200>");
  CHECK(describe(ResultCodeValue{4, 0, "bad secret"}, true) ==
        "result 4 (Requester is not authorized to establish a control channel), error 0 (No general error): \"bad "
        "secret\"");
  CHECK(describe(ResultCodeValue{3, std::nullopt, ""}, false) == "result 3 (Call disconnected for administrative reasons)");
  // user-asks #12: Apple's little-endian Result Code is pointed out
  CHECK(describe(ResultCodeValue{0x0100, std::nullopt, ""}, true).find("byte-swapped 1?") != std::string::npos);
  CHECK(describe(ResultCodeValue{1, 0, "a\nb"}, true).find("a?b") != std::string::npos);
}

TEST_CASE("The §6 table: what each message MUST carry") {
  const MessageRule* r = message_rule(L2tpMsgType::icrq);
  REQUIRE(r != nullptr);
  CHECK((r->required >> static_cast<unsigned>(AvpType::assigned_session_id) & 1) == 1);
  CHECK((r->required >> static_cast<unsigned>(AvpType::call_serial_number) & 1) == 1);
  CHECK((r->optional >> static_cast<unsigned>(AvpType::calling_number) & 1) == 1);
  CHECK(message_rule(static_cast<L2tpMsgType>(5)) == nullptr);
  for (unsigned t = 1; t <= 16; ++t) {
    const auto mt = static_cast<L2tpMsgType>(t);
    if (!is_known(mt)) continue;
    const MessageRule* rule = message_rule(mt);
    REQUIRE(rule != nullptr);
    CHECK((rule->required & rule->optional) == 0);
    CHECK((rule->required & 1) == 1);  // Message Type
  }
}

TEST_CASE("Malformed inputs: the error each produces (tests/vectors/ppp/malformed.vec)") {
  const std::string secret = "s3cret";
  const AvpSecret sec{ByteView(reinterpret_cast<const std::uint8_t*>(secret.data()), secret.size()), &l2tp::avp_md5};  // NOLINT
  int n = 0;
  for (const auto& v : read_vectors("malformed.vec")) {
    v.only({"layer", "input", "code", "error", "l2tp_error"});
    CAPTURE(v.where());
    const std::string layer = v.text("layer");
    std::optional<Error> err;
    auto take = [&](const auto& r) {
      if (!r.ok()) err = r.error();
    };
    if (layer == "mschapv2_success" || layer == "mschapv2_failure") {
      const std::string in = v.text("input");
      if (layer == "mschapv2_success") take(parse_mschapv2_success(in));
      else take(parse_mschapv2_failure(in));
    } else {
      const Bytes in = v.hex("input");
      if (layer == "l2tp") {
        auto c = parse_control(in);
        if (!c.ok()) err = c.error();
        else take(decode_attrs(c->avps, sec));
      } else if (layer == "ppp_frame") {
        take(parse_ppp_frame(in));
      } else if (layer == "ppp_cp") {
        take(parse_cp(in));
      } else if (layer == "ppp_options") {
        take(parse_options(in));
      } else if (layer == "chap_value") {
        take(parse_chap_value(in));
      } else if (layer == "mschapv2_response") {
        take(parse_mschapv2_response(in));
      } else if (layer == "pap_request") {
        take(parse_pap_request(in));
      } else {
        FAIL("unknown layer " << layer);
      }
    }
    const std::string code = v.text("code");
    if (code.empty()) {
      CHECK_MESSAGE(!err, (err ? err->message : ""));
    } else {
      REQUIRE_MESSAGE(err.has_value(), "accepted, expected " << code);
      CHECK(err->code == code);
      CHECK_MESSAGE(err->message.find(v.text("error")) != std::string::npos, err->message);
      if (v.has("l2tp_error")) {
        const Bytes e = v.hex("l2tp_error");
        CHECK(proto_result(err->proto) == 2);
        CHECK(proto_error(err->proto) == ((e[0] << 8) | e[1]));
      }
    }
    ++n;
  }
  CHECK(n >= 40);
}
