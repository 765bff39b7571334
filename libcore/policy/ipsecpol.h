// Everything of the ipsecpol/ipseccmd compatibility layer: grammars (filterspec, negotiation
// policy, authentication, main mode), the command line, batch files, the static/dynamic
// builders and the script export. See the individual headers.
#pragma once

#include "policy/ipsecpol_apply.h"
#include "policy/ipsecpol_auth.h"
#include "policy/ipsecpol_batch.h"
#include "policy/ipsecpol_cmdline.h"
#include "policy/ipsecpol_errors.h"
#include "policy/ipsecpol_export.h"
#include "policy/ipsecpol_filterspec.h"
#include "policy/ipsecpol_mainmode.h"
#include "policy/ipsecpol_negpolicy.h"
