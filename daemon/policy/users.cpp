// The system user database: name lookups and group lists through the reentrant getpw*_r and
// getgr*_r calls.
#include "users.hpp"

#include <grp.h>
#include <pwd.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>

namespace tapd {

namespace {

// The largest buffer an entry may need before its lookup counts as failed (ERANGE).
constexpr size_t kMaxEntryBuffer = 1u << 20;
// The most groups read for one user.
constexpr size_t kMaxGroups = 65536;

// Calls GET(buffer, size) again with a buffer twice as large while it fails with ERANGE, up to
// kMaxEntryBuffer. Returns GET's last result: 0, or an errno value. Whatever the entry points to
// lives in the buffer, so GET uses it before returning.
template <class Get>
int with_growing_buffer(Get get) {
    std::vector<char> buf(1024);
    while (true) {
        int err = get(buf.data(), buf.size());
        if (err != ERANGE || buf.size() >= kMaxEntryBuffer) return err;
        buf.resize(buf.size() * 2);
    }
}

// Looks NAME up with getpwnam_r or getgrnam_r.
template <class Entry, class Id>
NameLookup<Id> look_up(const std::string& name,
                       int (*get)(const char*, Entry*, char*, size_t, Entry**), Id Entry::*id) {
    NameLookup<Id> out;
    out.err = with_growing_buffer([&](char* buf, size_t size) {
        Entry entry{};
        Entry* found = nullptr;
        int err = get(name.c_str(), &entry, buf, size, &found);
        if (err == 0 && found) out.id = found->*id;
        return err;
    });
    return out;
}

// USER's groups, the primary group first and once.
std::vector<gid_t> group_list(const passwd& user) {
    std::vector<gid_t> groups(32);
    while (true) {
        int n = static_cast<int>(groups.size());
        if (::getgrouplist(user.pw_name, user.pw_gid, groups.data(), &n) >= 0) {
            groups.resize(static_cast<size_t>(n));
            break;
        }
        // Too small: n now holds the number needed (glibc); grow at least twofold regardless.
        if (groups.size() >= kMaxGroups) break;
        groups.resize(std::max(static_cast<size_t>(n), groups.size() * 2));
    }
    // getgrouplist() puts the primary group in the list; make sure it is first and only once.
    groups.erase(std::remove(groups.begin(), groups.end(), user.pw_gid), groups.end());
    groups.insert(groups.begin(), user.pw_gid);
    return groups;
}

}  // namespace

NameLookup<uid_t> look_up_user(const std::string& name) {
    return look_up<passwd, uid_t>(name, getpwnam_r, &passwd::pw_uid);
}

NameLookup<gid_t> look_up_group(const std::string& name) {
    return look_up<group, gid_t>(name, getgrnam_r, &group::gr_gid);
}

std::vector<gid_t> groups_of(uid_t uid) {
    std::vector<gid_t> groups;
    with_growing_buffer([&](char* buf, size_t size) {
        passwd entry{};
        passwd* found = nullptr;
        int err = ::getpwuid_r(uid, &entry, buf, size, &found);
        if (err == 0 && found) groups = group_list(*found);
        return err;
    });
    return groups;
}

}  // namespace tapd
