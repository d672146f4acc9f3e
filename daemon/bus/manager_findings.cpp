// ManagerObject's GetFindings: what keeps masquerading taps' traffic from flowing (findings.hpp).
#include "manager_object.hpp"
#include "replies.hpp"
#include "utf8.hpp"

namespace tapd {

std::vector<sdbus::Struct<std::string, std::string, std::string, std::string, std::string>>
ManagerObject::GetFindings() {
    Caller c = callers_.of(getObject());
    std::vector<sdbus::Struct<std::string, std::string, std::string, std::string, std::string>> out;
    // Chain and table names come from other programs' rulesets: any bytes, and sd-bus sends
    // only UTF-8.
    for (const auto& f : service_.findings(c))
        out.emplace_back(f.severity, f.kind, f.tap, printable_utf8(f.text, kMaxErrorText),
                         printable_utf8(f.fix, kMaxErrorText));
    return out;
}

}  // namespace tapd
