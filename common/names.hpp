// Names on the bus that tapd and its clients share: bus name, paths, interfaces, error names.
#pragma once

#include <string>
#include <string_view>

#include "result.hpp"

namespace tapd::names {

inline constexpr const char* kBusName = "net.tapd1";
inline constexpr const char* kManagerPath = "/net/tapd1";
inline constexpr const char* kTapPathPrefix = "/net/tapd1/tap/";
inline constexpr const char* kManagerInterface = "net.tapd1.Manager";
inline constexpr const char* kTapInterface = "net.tapd1.Tap";

inline constexpr const char* kErrInvalidArgument = "net.tapd1.Error.InvalidArgument";
inline constexpr const char* kErrPermissionDenied = "net.tapd1.Error.PermissionDenied";
inline constexpr const char* kErrConflict = "net.tapd1.Error.Conflict";
inline constexpr const char* kErrNotFound = "net.tapd1.Error.NotFound";
inline constexpr const char* kErrQuotaExceeded = "net.tapd1.Error.QuotaExceeded";
inline constexpr const char* kErrFailed = "net.tapd1.Error.Failed";

const char* error_name(ErrorKind kind);

// Object path of tap NAME. Interface names may hold '-' and '.', which object paths may not, so
// every byte outside [A-Za-z0-9] becomes _XX (lowercase hex), as sd_bus_path_encode does.
std::string tap_object_path(std::string_view name);
// The inverse; returns an empty string when PATH is not a tap path or is badly escaped.
std::string tap_name_from_path(std::string_view path);

}  // namespace tapd::names
