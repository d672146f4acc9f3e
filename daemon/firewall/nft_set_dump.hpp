// What one of tapd's sets holds, dumped through libnftnl (NFT_MSG_GETSETELEM): a start compares
// it with what its taps need and leaves sets that already hold exactly that alone.
#pragma once

#include <libmnl/libmnl.h>

#include <string>
#include <vector>

#include "nft_elements.hpp"
#include "result.hpp"

struct nlmsghdr;

namespace tapd::nft {

// REQUEST on a NETLINK_NETFILTER socket of its own; its answers (a dump's parts, or one reply)
// to ON_DATA with DATA. The kernel's error, in an NLMSG_ERROR or in the NLMSG_DONE that ends a
// dump (a set gone meanwhile), fails it with its errno (Error::err); so does NLM_F_DUMP_INTR.
// WHAT names it in errors.
Status netfilter_request(const std::string& what, const nlmsghdr* request, mnl_cb_t on_data,
                         void* data);

// Every element of set SET of table inet tapd, in the form table_elements() builds (a missing
// flags attribute is 0; a verdict other than a jump is no jump). An error if the dump fails or
// says it was interrupted (NLM_F_DUMP_INTR). The kernel's set dumps resume by position: one torn
// by a change need not say so, which ruleset_generation() before and after tells.
Result<std::vector<Element>> dump_set(const std::string& set);
// nf_tables' generation (NFT_MSG_GETGEN): it changes with every transaction, anyone's.
Result<uint32_t> ruleset_generation();

// Whether the sets hold exactly the elements that OPS (table_elements(): flushes, then adds)
// would leave in them, order aside.
bool sets_hold(const std::vector<ElementOp>& ops,
               std::vector<std::pair<std::string, std::vector<Element>>> held);

}  // namespace tapd::nft
