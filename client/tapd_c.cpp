// libtapd's C API (tapd.h) over Client: every exception stops here and becomes -1/NULL and a
// malloc'd message, since unwinding through a C caller's frames is undefined.
#include "tapd.h"

#include <cstdlib>
#include <cstring>
#include <exception>
#include <new>
#include <string>

#include "client.hpp"
#include "print/summary.hpp"
#include "print/text_buffer.hpp"
#include "wire/decode.hpp"

struct tapd_client {
    tapd::Client client;
    explicit tapd_client(const std::string& address) : client(address) {}
};

namespace {

void set_error(char** err, const std::string& message) {
    if (err == nullptr) return;
    // strdup, not new[]: tapd_free_error() is free(), callable from any language.
    *err = ::strdup(message.c_str());
}

// Runs F; on an exception stores its text in *ERR and returns FAILED.
template <class F, class R>
R guarded(char** err, R failed, F&& f) {
    if (err != nullptr) *err = nullptr;
    try {
        return f();
    } catch (const std::bad_alloc&) {
        set_error(err, "out of memory");
    } catch (const std::exception& e) {
        set_error(err, e.what());
    } catch (...) {
        set_error(err, "unknown C++ exception");
    }
    return failed;
}

bool check_args(tapd_client* client, const char* name, char** err) {
    if (client == nullptr) {
        set_error(err, "invalid argument: client is NULL");
        return false;
    }
    if (name == nullptr) {
        set_error(err, "invalid argument: tap name is NULL");
        return false;
    }
    return true;
}

std::vector<std::string> strings(const char* const* list) {
    std::vector<std::string> out;
    for (; list != nullptr && *list != nullptr; ++list) out.emplace_back(*list);
    return out;
}

}  // namespace

extern "C" {

tapd_client* tapd_connect(const char* bus_address, char** err) {
    return guarded(err, static_cast<tapd_client*>(nullptr),
                   [&] { return new tapd_client(bus_address ? bus_address : ""); });
}

void tapd_disconnect(tapd_client* client) {
    // ~Client does not throw: sdbus-c++ destructors swallow their errors.
    delete client;
}

int tapd_create_tap(tapd_client* client, const char* name, const char* const* addresses,
                    const char* const* routes, int flags, char** err) {
    return guarded(err, -1, [&] {
        if (!check_args(client, name, err)) return -1;
        tapd::TapSpec spec;
        spec.name = name;
        spec.addresses = strings(addresses);
        spec.routes = strings(routes);
        spec.persistent = (flags & TAPD_PERSISTENT) != 0;
        spec.masquerade = (flags & TAPD_MASQUERADE) != 0;
        spec.vnet_hdr = (flags & TAPD_VNET_HDR) != 0;
        spec.multi_queue = (flags & TAPD_MULTI_QUEUE) != 0;
        client->client.create_tap(spec);
        return 0;
    });
}

int tapd_open_tap(tapd_client* client, const char* name, char** err) {
    return guarded(err, -1, [&] {
        if (!check_args(client, name, err)) return -1;
        return client->client.open_tap(name).release();
    });
}

int tapd_open_tap_queues(tapd_client* client, const char* name, unsigned queues,
                         const char* const* offloads, int* fds, char** err) {
    return guarded(err, -1, [&] {
        if (!check_args(client, name, err)) return -1;
        if (fds == nullptr) {
            set_error(err, "invalid argument: fds is NULL");
            return -1;
        }
        tapd::OpenSpec spec;
        if (offloads != nullptr) spec.offloads = strings(offloads);
        auto got = client->client.open_tap_queues(name, queues, spec);
        for (size_t i = 0; i < got.size(); ++i) fds[i] = got[i].release();
        return static_cast<int>(got.size());
    });
}

int tapd_delete_tap(tapd_client* client, const char* name, char** err) {
    return guarded(err, -1, [&] {
        if (!check_args(client, name, err)) return -1;
        client->client.delete_tap(name);
        return 0;
    });
}

void tapd_free_error(char* err) {
    std::free(err);
}

size_t tapd_summary(const uint8_t* frame, size_t len, char* out, size_t out_len) {
    namespace wire = tapd::wire;
    namespace print = tapd::print;
    std::string text;
    try {
        wire::Decoded d;
        // As tapctl's summaries: checksums are not part of the line.
        wire::decode(wire::Bytes(reinterpret_cast<const std::byte*>(frame), frame ? len : 0), d,
                     {.verify_checksums = false}, len);
        print::TextBuffer buf(&text);
        print::write_summary(buf, d);
        buf.flush();
    } catch (...) {
        // Only TextBuffer's allocation can throw; an empty summary says nothing was decoded.
        text.clear();
    }
    if (out_len > 0) {
        size_t n = text.size() < out_len - 1 ? text.size() : out_len - 1;
        std::memcpy(out, text.data(), n);
        out[n] = '\0';
    }
    return text.size();
}

}  // extern "C"
