// TextBuffer: a fixed output buffer flushed to an fd (or a string in tests), and number writers.
#pragma once

#include <cstddef>
#include <cstdint>
#include <memory>
#include <string>
#include <string_view>

namespace tapd::print {

// Output for millions of lines: one allocation at construction, a write(2) per 64 KiB. After a
// failed write (EPIPE when the reader went away, ENOSPC, ...) error() holds the errno and
// further output is dropped, so a print loop can stop at its next check.
class TextBuffer {
  public:
    static constexpr size_t kCapacity = 1 << 16;

    explicit TextBuffer(int fd);
    explicit TextBuffer(std::string* sink);
    ~TextBuffer();
    TextBuffer(const TextBuffer&) = delete;
    TextBuffer& operator=(const TextBuffer&) = delete;

    // Room for n <= kCapacity bytes written directly; finish with commit(end).
    char* reserve(size_t n) {
        if (cap_ - len_ < n) flush();
        return buf_.get() + len_;
    }
    void commit(char* end) { len_ = static_cast<size_t>(end - buf_.get()); }

    void put(char c) {
        if (len_ == cap_) flush();
        buf_[len_++] = c;
    }
    void append(std::string_view s);
    void dec(uint64_t v);
    void sdec(int64_t v);
    // Fixed-width lowercase hex with "0x" prefix when prefix is set.
    void hex(uint64_t v, int digits, bool prefix = true);
    // Zero-padded decimal of exactly width digits.
    void dec_padded(uint64_t v, int width);

    // Writes out what is buffered; false on error (see error()).
    bool flush();
    int error() const { return err_; }

  private:
    std::unique_ptr<char[]> buf_;
    size_t len_ = 0;
    size_t cap_ = kCapacity;
    int fd_ = -1;
    std::string* sink_ = nullptr;
    int err_ = 0;
};

// Writes v in decimal at out; returns one past the last digit.
char* put_dec(char* out, uint64_t v);

}  // namespace tapd::print
