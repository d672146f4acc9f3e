// What tapd allows the caller: `tapctl policy`, and the hint after a refused prefix.
#include <cstdio>
#include <exception>
#include <iostream>
#include <string>
#include <variant>
#include <vector>

#include <nlohmann/json.hpp>

#include "commands.hpp"
#include "output.hpp"
#include "policy.hpp"

namespace tapd::tapctl {

int cmd_policy(Invocation& inv) {
    no_more_operands(inv, 0);
    auto p = inv.bus().policy_values();
    if (inv.json) {
        nlohmann::json out = nlohmann::json::object();
        for (const auto& [k, v] : p) out[k] = to_json(v);
        std::cout << out.dump(2) << "\n";
        return 0;
    }
    for (const auto& [k, v] : p) std::printf("%-18s %s\n", k.c_str(), tapd::to_text(v).c_str());
    return 0;
}

// "... is outside the prefixes you may use" names no prefix: ask GetPolicy which ones the
// caller may use, and by which rules ("rule 0 (line 4): comment" → "rule 0, line 4: comment").
void explain_prefixes(Invocation& inv) {
    try {
        auto p = inv.bus().policy_values();
        auto strings = [&](const char* key) {
            auto it = p.find(key);
            const auto* v =
                it == p.end() ? nullptr : std::get_if<std::vector<std::string>>(&it->second);
            return v ? *v : std::vector<std::string>{};
        };
        auto prefixes = strings("prefixes");
        std::vector<std::string> rules;
        for (std::string r : strings("matched_rules")) {
            if (auto open = r.find(" (line "); open != std::string::npos) {
                auto close = r.find(')', open);
                if (close != std::string::npos)
                    r = r.substr(0, open) + ", line " + r.substr(open + 7, close - open - 7) +
                        r.substr(close + 1);
            }
            rules.push_back(r);
        }
        std::fprintf(stderr, "tapctl: you may use: %s%s\n",
                     prefixes.empty() ? "no prefixes" : join(prefixes, ", ").c_str(),
                     rules.empty() ? " (no policy rule matches you)"
                                   : (" (" + join(rules, "; ") + ")").c_str());
    } catch (const std::exception&) {
        // The refusal is reported already; the hint is a courtesy.
    }
}

}  // namespace tapd::tapctl
