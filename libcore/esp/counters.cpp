#include "esp/counters.h"

namespace ipseckit::esp {

const char* name(RxStatus s) {
  switch (s) {
    case RxStatus::ok: return "ok";
    case RxStatus::malformed: return "malformed";
    case RxStatus::bad_spi: return "bad-spi";
    case RxStatus::replayed: return "replayed";
    case RxStatus::auth_failed: return "auth-failed";
    case RxStatus::decrypt_failed: return "decrypt-failed";
    case RxStatus::dummy: return "dummy";
    case RxStatus::expired: return "expired";
  }
  return "<unknown>";
}

const char* name(TxStatus s) {
  switch (s) {
    case TxStatus::ok: return "ok";
    case TxStatus::malformed: return "malformed";
    case TxStatus::no_room: return "no-room";
    case TxStatus::too_big: return "too-big";
    case TxStatus::seq_exhausted: return "seq-exhausted";
    case TxStatus::expired: return "expired";
    case TxStatus::crypto_failed: return "crypto-failed";
  }
  return "<unknown>";
}

}  // namespace ipseckit::esp
