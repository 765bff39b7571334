// MS-CHAPv2 (RFC 2759 §8) and the MPPE keys derived from it (RFC 3079 §3). Function names
// follow the RFCs' pseudo-code (NtPasswordHash, ChallengeHash, ...). Passwords are UTF-8 and
// hashed as UTF-16LE, as Windows does.
#pragma once

#include <array>
#include <cstdint>
#include <string>
#include <string_view>

#include "base/bytes.h"
#include "base/result.h"

namespace ipseckit::crypto::mschap {

using Block8 = std::array<std::uint8_t, 8>;
using Block16 = std::array<std::uint8_t, 16>;
using Block24 = std::array<std::uint8_t, 24>;

// "DOMAIN\user" -> "user" (§8.2: the name hashed is the user name "excluding any prepended
// domain name").
std::string_view strip_domain(std::string_view user_name);

// UTF-8 to UTF-16LE; an invalid byte is taken as the Latin-1 character of that value.
Bytes utf16le(ByteView utf8);

// §8.3 NtPasswordHash: MD4(UTF-16LE(password)).
Block16 nt_password_hash(ByteView password_utf8);
// §8.4 HashNtPasswordHash: MD4(PasswordHash).
Block16 hash_nt_password_hash(const Block16& password_hash);
// §8.2 ChallengeHash: first 8 octets of SHA1(PeerChallenge | AuthenticatorChallenge | UserName).
Block8 challenge_hash(const Block16& peer_challenge, const Block16& authenticator_challenge,
                      std::string_view user_name);
// §8.5 ChallengeResponse: DES of Challenge under the three 7-octet thirds of the
// zero-padded 21-octet PasswordHash. Fails (code "crypto") when DES is unavailable.
Result<Block24> challenge_response(const Block8& challenge, const Block16& password_hash);
// §8.1 GenerateNTResponse.
Result<Block24> generate_nt_response(const Block16& authenticator_challenge, const Block16& peer_challenge,
                                     std::string_view user_name, ByteView password_utf8);
// The same from a stored password hash (a server may keep only NtPasswordHash).
Result<Block24> generate_nt_response_from_hash(const Block16& authenticator_challenge, const Block16& peer_challenge,
                                               std::string_view user_name, const Block16& password_hash);
// §8.7 GenerateAuthenticatorResponse: "S=" followed by 40 upper-case hex digits.
std::string generate_authenticator_response(const Block16& password_hash, const Block24& nt_response,
                                            const Block16& peer_challenge, const Block16& authenticator_challenge,
                                            std::string_view user_name);
// §8.8 CheckAuthenticatorResponse (case-insensitive hex, constant-time compare).
bool check_authenticator_response(const Block16& password_hash, const Block24& nt_response,
                                  const Block16& peer_challenge, const Block16& authenticator_challenge,
                                  std::string_view user_name, std::string_view received);

// RFC 3079 §3.4 GetMasterKey: first 16 octets of SHA1(PasswordHashHash | NTResponse | Magic1).
Block16 mppe_master_key(const Block16& password_hash_hash, const Block24& nt_response);
// §3.4 GetAsymmetricStartKey: key_length (8 or 16) octets of
// SHA1(MasterKey | SHSpad1 | Magic2/3 | SHSpad2); the magic depends on send/receive and side.
Bytes mppe_asymmetric_start_key(const Block16& master_key, std::size_t key_length, bool is_send, bool is_server);

}  // namespace ipseckit::crypto::mschap
