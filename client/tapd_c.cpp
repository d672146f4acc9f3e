// libtapd's C API (tapd.h) over Client: every exception stops here and becomes -1/NULL and a
// malloc'd message, since unwinding through a C caller's frames is undefined.
#include "tapd.h"

#include <cstdlib>
#include <cstring>
#include <exception>
#include <new>
#include <string>

#include <fcntl.h>

#include <cerrno>
#include <vector>

#include "client.hpp"
#include "print/summary.hpp"
#include "print/text_buffer.hpp"
#include "tap_reader.hpp"
#include "wire/decode.hpp"

struct tapd_client {
    tapd::Client client;
    explicit tapd_client(const std::string& address) : client(address) {}
};

struct tapd_reader {
    tapd::TapReader reader;
    std::vector<tapd_frame> frames;  // the last batch, as C sees it
    tapd_reader(tapd::UniqueFd fd, size_t max_frames)
        : reader(std::move(fd), {.max_frames = max_frames == 0 ? 256 : max_frames}),
          frames(max_frames == 0 ? 256 : max_frames) {}
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
        errno = ENOMEM;
        set_error(err, "out of memory");
    } catch (const tapd::TapReadError& e) {
        int saved = e.error_number();
        set_error(err, e.what());
        errno = saved;
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

tapd_reader* tapd_reader_new(int fd, size_t max_frames, char** err) {
    return guarded(err, static_cast<tapd_reader*>(nullptr), [&]() -> tapd_reader* {
        tapd::UniqueFd dup(::fcntl(fd, F_DUPFD_CLOEXEC, 3));
        if (!dup) throw tapd::TapReadError(errno, "F_DUPFD_CLOEXEC fd " + std::to_string(fd));
        return new tapd_reader(std::move(dup), max_frames);
    });
}

int tapd_reader_read(tapd_reader* reader, int timeout_ms, const tapd_frame** frames, char** err) {
    return guarded(err, -1, [&] {
        if (reader == nullptr || frames == nullptr) {
            errno = EINVAL;
            set_error(err, reader ? "invalid argument: frames is NULL"
                                  : "invalid argument: reader is NULL");
            return -1;
        }
        tapd::TapBatch b = reader->reader.read(timeout_ms);
        for (size_t i = 0; i < b.size(); ++i) {
            tapd_frame& f = reader->frames[i];
            f.data = reinterpret_cast<const uint8_t*>(b.frames[i].data());
            f.len = b.frames[i].size();
            bool vnet = !b.vnet_headers.empty();
            f.vnet_hdr =
                vnet ? reinterpret_cast<const uint8_t*>(b.vnet_headers[i].data()) : nullptr;
            f.vnet_hdr_len = vnet ? b.vnet_headers[i].size() : 0;
        }
        *frames = reader->frames.data();
        return static_cast<int>(b.size());
    });
}

int tapd_reader_drops(tapd_reader* reader, uint64_t* tx_dropped, uint64_t* rx_dropped, char** err) {
    return guarded(err, -1, [&] {
        if (reader == nullptr) {
            errno = EINVAL;
            set_error(err, "invalid argument: reader is NULL");
            return -1;
        }
        tapd::TapDrops d = reader->reader.drops();
        if (tx_dropped != nullptr) *tx_dropped = d.tx_dropped;
        if (rx_dropped != nullptr) *rx_dropped = d.rx_dropped;
        return 0;
    });
}

int tapd_reader_fd(const tapd_reader* reader) {
    return reader != nullptr ? reader->reader.fd() : -1;
}

void tapd_reader_free(tapd_reader* reader) {
    delete reader;
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
