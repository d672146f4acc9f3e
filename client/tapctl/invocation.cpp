// The operand checks every command makes: the one at an index, no more than a count, a tap NAME.
#include "invocation.hpp"

#include "commands.hpp"

namespace tapd::tapctl {

const std::string& operand(const Invocation& inv, size_t index, const std::string& missing) {
    if (index >= inv.operands.size()) throw UsageError(missing);
    return inv.operands[index];
}

void no_more_operands(const Invocation& inv, size_t count) {
    if (inv.operands.size() > count)
        throw UsageError(std::string(inv.command->name) + ": unexpected argument '" +
                         inv.operands[count] + "'");
}

std::string need_name(const Invocation& inv) {
    return operand(inv, 0, std::string(inv.command->name) + " needs a tap NAME");
}

}  // namespace tapd::tapctl
