// UringReader: a tap fd read by one io_uring multishot read (IORING_OP_READ_MULTISHOT, Linux
// 6.7) into a provided-buffer ring, by raw system calls: the benchmark's measure of whether
// TapReader should use io_uring. Not part of libtapd: Debian 12's kernel (6.1) lacks the
// opcode (see bench/README.md, "Tap read path").
#pragma once

#include <linux/io_uring.h>

#include <cstddef>
#include <cstdint>
#include <span>
#include <string>
#include <vector>

#include "unique_fd.hpp"

namespace tapd::bench {

class UringReader {
  public:
    // Reads TAP (borrowed) into BUFFERS buffers (a power of two) of BUFFER_SIZE bytes each.
    // Throws std::system_error naming the failing call; EINVAL from io_uring_enter's first
    // completion means the kernel has no IORING_OP_READ_MULTISHOT (before 6.7).
    UringReader(int tap, unsigned buffers = 256, size_t buffer_size = 2048);
    ~UringReader();
    UringReader(const UringReader&) = delete;
    UringReader& operator=(const UringReader&) = delete;

    // Waits for at least one completion (EINTR: returns empty), then returns every frame that
    // completed, valid until the next call (their buffers go back to the kernel then).
    std::span<const std::span<const std::byte>> read();

  private:
    io_uring_buf& buf(unsigned i);
    void submit_read();
    void enter(unsigned submit, unsigned wait);

    int tap_;
    UniqueFd ring_;
    io_uring_params params_{};
    void* rings_ = nullptr;  // SQ and CQ rings (IORING_FEAT_SINGLE_MMAP)
    size_t rings_size_ = 0;
    io_uring_sqe* sqes_ = nullptr;
    size_t sqes_size_ = 0;
    unsigned* sq_tail_ = nullptr;
    unsigned* sq_array_ = nullptr;
    unsigned sq_mask_ = 0;
    unsigned* cq_head_ = nullptr;
    unsigned* cq_tail_ = nullptr;
    unsigned cq_mask_ = 0;
    io_uring_cqe* cqes_ = nullptr;

    io_uring_buf_ring* buf_ring_ = nullptr;  // the provided-buffer ring (group 0)
    size_t buf_ring_size_ = 0;
    unsigned buffers_;
    size_t buffer_size_;
    std::vector<std::byte> data_;
    std::vector<uint16_t> returned_;  // buffer ids of the last batch, given back next time
    std::vector<std::span<const std::byte>> frames_;
    bool armed_ = false;
};

}  // namespace tapd::bench
