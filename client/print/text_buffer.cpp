// TextBuffer flushing and number formatting without printf.
#include "print/text_buffer.hpp"

#include <algorithm>
#include <cstring>

#include "wire/write_all.hpp"

namespace tapd::print {

TextBuffer::TextBuffer(int fd) : buf_(new char[kCapacity]), fd_(fd) {}
TextBuffer::TextBuffer(std::string* sink) : buf_(new char[kCapacity]), sink_(sink) {}
TextBuffer::~TextBuffer() {
    flush();
}

bool TextBuffer::flush() {
    if (err_) {
        len_ = 0;
        return false;
    }
    if (sink_) {
        sink_->append(buf_.get(), len_);
        len_ = 0;
        return true;
    }
    err_ = wire::write_all(fd_, buf_.get(), len_);
    len_ = 0;
    return err_ == 0;
}

void TextBuffer::append(std::string_view s) {
    while (!s.empty()) {
        if (len_ == cap_) flush();
        size_t n = std::min(s.size(), cap_ - len_);
        std::memcpy(buf_.get() + len_, s.data(), n);
        len_ += n;
        s.remove_prefix(n);
    }
}

char* put_dec(char* out, uint64_t v) {
    char tmp[20];
    int n = 0;
    do {
        tmp[n++] = static_cast<char>('0' + v % 10);
        v /= 10;
    } while (v);
    while (n) *out++ = tmp[--n];
    return out;
}

void TextBuffer::dec(uint64_t v) {
    commit(put_dec(reserve(20), v));
}

void TextBuffer::sdec(int64_t v) {
    char* p = reserve(21);
    if (v < 0) {
        *p++ = '-';
        commit(put_dec(p, static_cast<uint64_t>(-(v + 1)) + 1));
    } else {
        commit(put_dec(p, static_cast<uint64_t>(v)));
    }
}

void TextBuffer::hex(uint64_t v, int digits, bool prefix) {
    static constexpr char kHex[] = "0123456789abcdef";
    char* p = reserve(static_cast<size_t>(digits) + 2);
    if (prefix) {
        *p++ = '0';
        *p++ = 'x';
    }
    for (int i = digits - 1; i >= 0; --i) *p++ = kHex[(v >> (4 * i)) & 0xf];
    commit(p);
}

void TextBuffer::dec_padded(uint64_t v, int width) {
    char* p = reserve(static_cast<size_t>(width));
    for (int i = width - 1; i >= 0; --i) {
        p[i] = static_cast<char>('0' + v % 10);
        v /= 10;
    }
    commit(p + width);
}

}  // namespace tapd::print
