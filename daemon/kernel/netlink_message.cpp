// The checked message view, attribute readers and request builder of netlink_message.hpp.
#include "netlink_message.hpp"

namespace tapd {

std::optional<NlMessage> NlMessage::checked(NlBytes bytes) {
    if (bytes.size() < NLMSG_HDRLEN) return std::nullopt;
    nlmsghdr hdr;
    std::memcpy(&hdr, bytes.data(), sizeof hdr);
    if (hdr.nlmsg_len < NLMSG_HDRLEN || hdr.nlmsg_len > bytes.size()) return std::nullopt;
    return NlMessage(hdr, bytes.first(hdr.nlmsg_len));
}

NlBytes NlMessage::attributes(size_t family_len) const {
    size_t at = NLMSG_ALIGN(family_len);
    NlBytes p = payload();
    return at >= p.size() ? NlBytes{} : p.subspan(at);
}

std::optional<uint32_t> nl_u32(const std::optional<NlBytes>& a) {
    if (!a || a->size() < sizeof(uint32_t)) return std::nullopt;
    uint32_t v;
    std::memcpy(&v, a->data(), sizeof v);
    return v;
}

std::optional<uint8_t> nl_u8(const std::optional<NlBytes>& a) {
    if (!a || a->empty()) return std::nullopt;
    return static_cast<uint8_t>((*a)[0]);
}

std::string nl_string(const std::optional<NlBytes>& a) {
    if (!a) return {};
    const char* data = reinterpret_cast<const char*>(a->data());
    return std::string(data, ::strnlen(data, a->size()));
}

NlRequest::NlRequest(uint16_t type, uint16_t flags, uint32_t seq) {
    nlmsghdr h{};
    h.nlmsg_type = type;
    h.nlmsg_flags = static_cast<uint16_t>(flags | NLM_F_REQUEST);
    h.nlmsg_seq = seq;
    buf_.reserve(256);
    append(&h, sizeof h);
}

void NlRequest::append(const void* data, size_t len) {
    size_t at = buf_.size();
    buf_.resize(at + NLMSG_ALIGN(len), std::byte{0});
    if (len) std::memcpy(buf_.data() + at, data, len);
    set_len();
}

void NlRequest::set_len() {
    auto len = static_cast<uint32_t>(buf_.size());
    std::memcpy(buf_.data() + offsetof(nlmsghdr, nlmsg_len), &len, sizeof len);
}

NlRequest& NlRequest::family(const void* header, size_t len) {
    append(header, len);
    return *this;
}

NlRequest& NlRequest::attr(uint16_t type, const void* data, size_t len) {
    nlattr a{static_cast<uint16_t>(NLA_HDRLEN + len), type};
    size_t at = buf_.size();
    buf_.resize(at + NLA_HDRLEN + NLA_ALIGN(len), std::byte{0});
    std::memcpy(buf_.data() + at, &a, sizeof a);
    if (len) std::memcpy(buf_.data() + at + NLA_HDRLEN, data, len);
    set_len();
    return *this;
}

size_t NlRequest::begin_nest(uint16_t type) {
    size_t at = buf_.size();
    attr(static_cast<uint16_t>(type | NLA_F_NESTED), nullptr, 0);
    return at;
}

void NlRequest::end_nest(size_t at) {
    auto len = static_cast<uint16_t>(buf_.size() - at);
    std::memcpy(buf_.data() + at + offsetof(nlattr, nla_len), &len, sizeof len);
}

}  // namespace tapd
