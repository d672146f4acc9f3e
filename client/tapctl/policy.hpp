// The hint tapctl adds when tapd refuses a prefix: the prefixes the caller may use, and why.
#pragma once

#include "invocation.hpp"

namespace tapd::tapctl {

// Prints to stderr the prefixes GetPolicy lets the caller use and the rules that grant them;
// prints nothing if GetPolicy fails (the refusal is reported already).
void explain_prefixes(Invocation& inv);

}  // namespace tapd::tapctl
