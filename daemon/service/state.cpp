// Tap records, their alias form, and the atomically written state file.
#include "state.hpp"

#include <fcntl.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstdio>

#include "unique_fd.hpp"

namespace tapd {

using nlohmann::json;

std::vector<Prefix> TapRecord::masquerade_subnets() const {
    std::vector<Prefix> out;
    for (const auto& a : addresses)
        if (a.address.family == AF_INET) out.push_back(a.network());
    return out;
}

std::string tap_alias(const TapRecord& r) {
    return "tapd owner=" + std::to_string(r.owner) + " persistent=" + (r.persistent ? "1" : "0");
}

std::optional<AliasInfo> parse_tap_alias(const std::string& alias) {
    // Only the exact text tap_alias() writes: any other alias is a foreign link's.
    unsigned long long owner = 0;
    int persistent = 0;
    if (std::sscanf(alias.c_str(), "tapd owner=%llu persistent=%d", &owner, &persistent) != 2 ||
        owner > 0xfffffffeULL || (persistent != 0 && persistent != 1))
        return std::nullopt;
    if (alias !=
        "tapd owner=" + std::to_string(owner) + " persistent=" + std::to_string(persistent))
        return std::nullopt;
    return AliasInfo{static_cast<uid_t>(owner), persistent == 1};
}

static json prefixes(const std::vector<Prefix>& v) {
    json a = json::array();
    for (const auto& p : v) a.push_back(p.str());
    return a;
}

static json record_json(const TapRecord& r) {
    return json{{"name", r.name},
                {"ifindex", r.ifindex},
                {"owner", r.owner},
                {"addresses", prefixes(r.addresses)},
                {"routes", prefixes(r.routes)},
                {"masquerade", r.masquerade},
                {"persistent", r.persistent},
                {"owner_access", r.owner_access},
                {"vnet_hdr", r.vnet_hdr},
                {"multi_queue", r.multi_queue},
                {"mtu", r.mtu},
                {"mac", r.mac},
                {"lease", r.lease}};
}

json to_json(const State& s) {
    json taps = json::array();
    for (const auto& r : s.taps) taps.push_back(record_json(r));
    json j = {{"version", 1}, {"taps", taps}};
    if (s.saved_ip_forward) j["saved_ip_forward"] = *s.saved_ip_forward;
    return j;
}

Result<State> state_from_json(const json& j) {
    try {
        State s;
        if (j.value("version", 0) != 1)
            return make_error(ErrorKind::Failed, "state file: unsupported version");
        for (const auto& t : j.at("taps")) {
            TapRecord r;
            r.name = t.at("name").get<std::string>();
            r.ifindex = t.at("ifindex").get<int>();
            r.owner = t.at("owner").get<uid_t>();
            for (const auto& a : t.at("addresses")) {
                auto p = parse_interface_address(a.get<std::string>());
                if (!p) return p.error();
                r.addresses.push_back(p.value());
            }
            for (const auto& a : t.at("routes")) {
                auto p = parse_network(a.get<std::string>());
                if (!p) return p.error();
                r.routes.push_back(p.value());
            }
            r.masquerade = t.at("masquerade").get<bool>();
            r.persistent = t.at("persistent").get<bool>();
            r.owner_access = t.value("owner_access", false);
            r.vnet_hdr = t.value("vnet_hdr", false);
            r.multi_queue = t.value("multi_queue", false);
            r.mtu = t.value("mtu", 0u);
            r.mac = t.value("mac", "");
            r.lease = t.value("lease", "");
            s.taps.push_back(std::move(r));
        }
        if (j.contains("saved_ip_forward")) s.saved_ip_forward = j["saved_ip_forward"].get<int>();
        return s;
    } catch (const json::exception& e) {
        return make_error(ErrorKind::Failed, std::string("state file: ") + e.what());
    }
}

Status StateFile::prepare() const {
    if (::mkdir(dir_.c_str(), 0700) < 0 && errno != EEXIST)
        return make_error(ErrorKind::Failed, errno_text("mkdir " + dir_, errno));
    return {};
}

Status StateFile::save(const State& state) const {
    std::string tmp = path() + ".tmp";
    std::string text = to_json(state).dump(1) + "\n";
    UniqueFd fd(::open(tmp.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0600));
    if (!fd) return make_error(ErrorKind::Failed, errno_text("writing state: open " + tmp, errno));
    size_t done = 0;
    while (done < text.size()) {
        ssize_t n = ::write(fd.get(), text.data() + done, text.size() - done);
        if (n < 0 && errno == EINTR) continue;
        if (n <= 0) {
            int err = n < 0 ? errno : EIO;
            ::unlink(tmp.c_str());
            return make_error(ErrorKind::Failed, errno_text("writing state: write " + tmp, err));
        }
        done += static_cast<size_t>(n);
    }
    if (::fsync(fd.get()) < 0) {
        int err = errno;
        ::unlink(tmp.c_str());
        return make_error(ErrorKind::Failed, errno_text("writing state: fsync " + tmp, err));
    }
    fd.reset();
    if (::rename(tmp.c_str(), path().c_str()) < 0) {
        int err = errno;
        ::unlink(tmp.c_str());
        return make_error(ErrorKind::Failed, errno_text("writing state: rename to " + path(), err));
    }
    UniqueFd dir(::open(dir_.c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC));
    if (dir) ::fsync(dir.get());
    return {};
}

Result<State> StateFile::load() const {
    UniqueFd fd(::open(path().c_str(), O_RDONLY | O_CLOEXEC));
    if (!fd) {
        if (errno == ENOENT) return State{};
        return make_error(ErrorKind::Failed, errno_text("reading state: open " + path(), errno));
    }
    std::string text;
    char buf[8192];
    for (;;) {
        ssize_t n = ::read(fd.get(), buf, sizeof buf);
        if (n < 0 && errno == EINTR) continue;
        if (n < 0)
            return make_error(ErrorKind::Failed,
                              errno_text("reading state: read " + path(), errno));
        if (n == 0) break;
        text.append(buf, static_cast<size_t>(n));
    }
    auto j = json::parse(text, nullptr, false);
    if (j.is_discarded())
        return make_error(ErrorKind::Failed, "reading state: " + path() + " is not valid JSON");
    auto state = state_from_json(j);
    if (!state)
        return make_error(ErrorKind::Failed,
                          "reading state: " + path() + ": " + state.error().message);
    return state;
}

}  // namespace tapd
