// tapctl's output of taps and policy values: the text of show and list, and their JSON.
#pragma once

#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "client.hpp"

namespace tapd::tapctl {

// A tap as `show --json` and `list --json` print it: every property (tap_fields.hpp) and the
// object's path.
nlohmann::json to_json(const tapd::TapInfo& t);

// A policy value with its type: a number, a boolean, a string or a list of strings.
nlohmann::json to_json(const tapd::PolicyValue& v);

// The strings of V with SEP between them.
std::string join(const std::vector<std::string>& v, const char* sep = ",");

// `tapctl show NAME`: a line of the tap's link and flags, then a line per address and route.
void print_info(const tapd::TapInfo& t);

// `tapctl list`: a heading and a line per tap ("no taps" for none).
void print_table(const std::vector<tapd::TapInfo>& taps);

}  // namespace tapd::tapctl
