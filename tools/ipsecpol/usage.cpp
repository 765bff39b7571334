#include <cstdio>

#include "ipsecpol/commands.h"

namespace ipseckit::ipsecpol {

void print_short_usage(std::FILE* out) {
  std::fputs(
      "Usage:\n"
      "  ipsecpol [\\\\machine] -f FilterList [-n NegotiationPolicyList] [-t TunnelAddr]\n"
      "           [-a AuthMethodList] [-1s SecurityMethodList] [-1k MMRekey] [-1p] [-1e secs]\n"
      "           [-1f MMFilterList] [-soft] [-lan|-dialup] [-confirm]\n"
      "           [-w REG -p PolicyName[:PollInterval] [-r RuleName] [-x|-y|-o]]\n"
      "  ipsecpol show filters|policies|auth|stats|sas|all ... [--json]\n"
      "  ipsecpol -file <batchfile>   |   ipsecpol -u\n"
      "  ipsecpol export|import|check|netsh ...   (ipseckit extensions)\n"
      "\n"
      "For extended usage, run: ipsecpol -?\n",
      out);
}

void print_extended_usage(std::FILE* out) {
  print_short_usage(out);
  std::fputs(
      "\n"
      "Dynamic mode (no -w): the rule lives in the policy agent's memory and is merged with the\n"
      "assigned policy; `ipsecpol -u` removes every dynamic rule.\n"
      "Static mode (-w REG): the named policy is written to the persistent store.\n"
      "\n"
      "-f FilterList   one or more filterspecs, separated by blanks:\n"
      "     A.B.C.D/mask:port=A.B.C.D/mask:port:protocol\n"
      "     '=' one direction, '+' mirrored (both directions); 0 = me, * = any;\n"
      "     128.* / 128.*.* star forms; DNS names (resolved now); ports and protocols\n"
      "     (ICMP UDP TCP RAW or 0-255; use ::proto without ports);\n"
      "     (filterspec) = pass-through, [filterspec] = block (dynamic mode);\n"
      "     DEFAULT = the default response rule.\n"
      "     e.g. 0+*::UDP   *=0:1434:UDP   192.0.2.0/255.255.255.0=203.0.113.0/255.255.255.0\n"
      "-n NegotiationPolicyList   security methods in preference order:\n"
      "     ESP[conf,auth] AH[hash] AH[hash]+ESP[conf,auth], then optional rekey nK/nS and\n"
      "     PFS marker P|PFS|P1|P2|P14..., e.g. ESP[3DES,SHA]3600S/50000KPFS2\n"
      "     conf: NONE DES 3DES AES128 AES192 AES256 AES-GCM128 AES-GCM192 AES-GCM256\n"
      "     auth/hash: NONE MD5 SHA SHA1 SHA256 SHA384 SHA512 AES-GMAC128 AES-GMAC192 AES-GMAC256\n"
      "     static mode also: PASS  BLOCK  INPASS\n"
      "     default: ESP[3DES,SHA] ESP[3DES,MD5] ESP[DES,SHA] ESP[DES,MD5]\n"
      "-t TunnelAddr  tunnel endpoint (A.B.C.D or DNS name; -t local remote also accepted)\n"
      "-a AuthMethodList  PRESHARE:\"key\"  KERBEROS  CERT:\"CA DN\"  (default KERBEROS)\n"
      "-soft          allow fall-back to clear with non-IPsec peers\n"
      "-lan | -dialup apply only to LAN / dial-up interfaces\n"
      "-1s SecurityMethodList  main-mode offers Conf-Hash-Group, e.g. 3DES-SHA-2 AES256-SHA256-14\n"
      "-1k MMRekey    nQ and/or nS, e.g. 10Q/3600S     -1p  main-mode PFS\n"
      "-1e secs       main-mode soft SA expiry          -1f  explicit main-mode filters\n"
      "-confirm       ask before plumbing (dynamic mode)\n"
      "-w REG         static mode (the local persistent store)\n"
      "-p Name[:Poll] policy name, poll interval in minutes (default 180)\n"
      "-r RuleName    rule to create or update\n"
      "-x assign  -y unassign  -o delete the policy\n"
      "\n"
      "Our options (before the Windows ones): --socket PATH  --state-dir DIR  --json (show)\n"
      "Exit status: 0 success, 1 failure, 2 usage error.  See ipsecpol(8).\n",
      out);
}

}  // namespace ipseckit::ipsecpol
