// Netlink messages as bytes: a checked view of one message, its attributes, the messages of a
// datagram, and a request builder. Pure (no socket): the unit tests and the fuzzer feed it bytes.
#pragma once

#include <linux/netlink.h>

#include <array>
#include <cstddef>
#include <cstdint>
#include <cstring>
#include <optional>
#include <span>
#include <string>
#include <vector>

namespace tapd {

using NlBytes = std::span<const std::byte>;

inline NlBytes nl_bytes(const void* data, size_t len) {
    return {static_cast<const std::byte*>(data), len};
}

// One netlink message whose nlmsg_len was checked against its buffer once: no accessor reads
// past it. The bytes need not be aligned (fields are copied out, never cast in place).
class NlMessage {
  public:
    // The message at the start of BYTES; nullopt unless its nlmsg_len covers its own header and
    // lies within BYTES.
    static std::optional<NlMessage> checked(NlBytes bytes);

    uint16_t type() const { return hdr_.nlmsg_type; }
    uint16_t flags() const { return hdr_.nlmsg_flags; }
    uint32_t seq() const { return hdr_.nlmsg_seq; }
    uint32_t portid() const { return hdr_.nlmsg_pid; }
    // nlmsg_len bytes, the header included.
    NlBytes bytes() const { return bytes_; }
    // What follows the header.
    NlBytes payload() const { return bytes_.subspan(NLMSG_HDRLEN); }
    // The family header T (ifinfomsg, ifaddrmsg, rtmsg, nlmsgerr, ...) that opens the payload;
    // nullopt if the payload is shorter than T.
    template <class T>
    std::optional<T> header() const {
        if (payload().size() < sizeof(T)) return std::nullopt;
        T out;
        std::memcpy(&out, payload().data(), sizeof(T));
        return out;
    }
    // The attributes after a family header of FAMILY_LEN bytes (padded to 4); empty if the
    // payload ends before them.
    NlBytes attributes(size_t family_len) const;

  private:
    NlMessage(const nlmsghdr& hdr, NlBytes bytes) : hdr_(hdr), bytes_(bytes) {}
    nlmsghdr hdr_;
    NlBytes bytes_;
};

// Calls EACH(const NlMessage&) for every message of DATAGRAM in order. Returns false if the
// datagram holds bytes that are no whole message (a length that does not fit): the messages
// before them were passed, none after.
template <class F>
bool for_each_message(NlBytes datagram, F&& each) {
    while (!datagram.empty()) {
        auto m = NlMessage::checked(datagram);
        if (!m) return false;
        each(*m);
        size_t step = NLMSG_ALIGN(m->bytes().size());
        datagram = step >= datagram.size() ? NlBytes{} : datagram.subspan(step);
    }
    return true;
}

// One attribute: its type without the NLA_F_NESTED and NLA_F_NET_BYTEORDER bits, and its data.
struct NlAttr {
    uint16_t type = 0;
    NlBytes data;
};

// Calls EACH(const NlAttr&) for the attributes in BYTES, in order, and stops at the first whose
// length is below its header or past the bytes left (as the kernel's nla_ok() does): what follows
// a bad length cannot be found.
template <class F>
void for_each_attr(NlBytes bytes, F&& each) {
    while (bytes.size() >= NLA_HDRLEN) {
        nlattr a;
        std::memcpy(&a, bytes.data(), sizeof a);
        if (a.nla_len < NLA_HDRLEN || a.nla_len > bytes.size()) return;
        each(NlAttr{static_cast<uint16_t>(a.nla_type & NLA_TYPE_MASK),
                    bytes.subspan(NLA_HDRLEN, a.nla_len - NLA_HDRLEN)});
        size_t step = NLA_ALIGN(a.nla_len);
        bytes = step >= bytes.size() ? NlBytes{} : bytes.subspan(step);
    }
}

// The attributes of BYTES by type, for types up to MAX: later duplicates win, higher (unknown)
// types are skipped, as libnl's nla_parse() without a policy does.
template <size_t Max>
class NlAttrTable {
  public:
    explicit NlAttrTable(NlBytes bytes) {
        for_each_attr(bytes, [this](const NlAttr& a) {
            if (a.type <= Max) at_[a.type] = a.data;
        });
    }
    const std::optional<NlBytes>& operator[](size_t type) const { return at_[type]; }

  private:
    std::array<std::optional<NlBytes>, Max + 1> at_{};
};

// Attribute values, read only when the attribute is long enough (a short one reads as absent):
// u32 and u8 in host order; a string up to its first NUL or its end.
std::optional<uint32_t> nl_u32(const std::optional<NlBytes>& a);
std::optional<uint8_t> nl_u8(const std::optional<NlBytes>& a);
std::string nl_string(const std::optional<NlBytes>& a);

// A request being built: the header (NLM_F_REQUEST always set), a family header, attributes,
// nested attributes; nlmsg_len is kept up to date, every part padded to 4 bytes.
class NlRequest {
  public:
    NlRequest(uint16_t type, uint16_t flags, uint32_t seq);

    NlRequest& family(const void* header, size_t len);
    template <class T>
    NlRequest& family(const T& header) {
        return family(&header, sizeof header);
    }
    NlRequest& attr(uint16_t type, const void* data, size_t len);
    NlRequest& attr_u32(uint16_t type, uint32_t value) { return attr(type, &value, sizeof value); }
    // The string and its terminating NUL.
    NlRequest& attr_string(uint16_t type, const std::string& s) {
        return attr(type, s.c_str(), s.size() + 1);
    }
    // Opens attribute TYPE (NLA_F_NESTED set) for the attributes added until end_nest(its
    // return value).
    size_t begin_nest(uint16_t type);
    void end_nest(size_t at);

    NlBytes bytes() const { return buf_; }

  private:
    void append(const void* data, size_t len);
    void set_len();
    std::vector<std::byte> buf_;
};

}  // namespace tapd
