// UringReader: io_uring set up by hand (no liburing: Debian 12's 2.3 lacks multishot reads).
#include "uring_reader.hpp"

#include <sys/mman.h>
#include <sys/syscall.h>
#include <unistd.h>

#include <atomic>
#include <cerrno>
#include <cstdlib>
#include <ctime>
#include <system_error>

namespace tapd::bench {

namespace {

// enum io_uring_op's value from Linux 6.7 on; Debian 12's <linux/io_uring.h> (6.1) stops at 48.
constexpr uint8_t kOpReadMultishot = 49;
constexpr uint64_t kUserData = 1;

[[noreturn]] void fail(const char* what) {
    throw std::system_error(errno, std::generic_category(), what);
}

unsigned load_acquire(const unsigned* p) {
    return std::atomic_ref<const unsigned>(*p).load(std::memory_order_acquire);
}
void store_release(unsigned* p, unsigned v) {
    std::atomic_ref<unsigned>(*p).store(v, std::memory_order_release);
}

}  // namespace

// Not buf_ring_->bufs[I]: in C++ the empty struct that __DECLARE_FLEX_ARRAY puts before bufs
// takes a byte, which moves bufs 8 bytes past where the kernel (C) has it.
io_uring_buf& UringReader::buf(unsigned i) {
    return reinterpret_cast<io_uring_buf*>(buf_ring_)[i];
}

UringReader::UringReader(int tap, unsigned buffers, size_t buffer_size)
    : tap_(tap), buffers_(buffers), buffer_size_(buffer_size) {
    // COOP_TASKRUN: the reads run when this task enters the kernel, without an interrupt
    // per frame. SINGLE_ISSUER | DEFER_TASKRUN measured the same here and ties the ring to
    // one thread.
    params_.flags = IORING_SETUP_COOP_TASKRUN | IORING_SETUP_CQSIZE;
    params_.cq_entries = 4 * buffers;
    ring_ = UniqueFd(static_cast<int>(::syscall(__NR_io_uring_setup, 4, &params_)));
    if (!ring_) fail("io_uring_setup");
    if ((params_.features & IORING_FEAT_SINGLE_MMAP) == 0) {
        errno = ENOSYS;
        fail("io_uring without IORING_FEAT_SINGLE_MMAP");
    }
    rings_size_ = std::max(params_.sq_off.array + params_.sq_entries * sizeof(unsigned),
                           params_.cq_off.cqes + params_.cq_entries * sizeof(io_uring_cqe));
    rings_ = ::mmap(nullptr, rings_size_, PROT_READ | PROT_WRITE, MAP_SHARED | MAP_POPULATE,
                    ring_.get(), IORING_OFF_SQ_RING);
    if (rings_ == MAP_FAILED) fail("mmap IORING_OFF_SQ_RING");
    sqes_size_ = params_.sq_entries * sizeof(io_uring_sqe);
    void* sqes = ::mmap(nullptr, sqes_size_, PROT_READ | PROT_WRITE, MAP_SHARED | MAP_POPULATE,
                        ring_.get(), IORING_OFF_SQES);
    if (sqes == MAP_FAILED) fail("mmap IORING_OFF_SQES");
    sqes_ = static_cast<io_uring_sqe*>(sqes);
    auto* base = static_cast<char*>(rings_);
    sq_tail_ = reinterpret_cast<unsigned*>(base + params_.sq_off.tail);
    sq_array_ = reinterpret_cast<unsigned*>(base + params_.sq_off.array);
    sq_mask_ = *reinterpret_cast<unsigned*>(base + params_.sq_off.ring_mask);
    cq_head_ = reinterpret_cast<unsigned*>(base + params_.cq_off.head);
    cq_tail_ = reinterpret_cast<unsigned*>(base + params_.cq_off.tail);
    cq_mask_ = *reinterpret_cast<unsigned*>(base + params_.cq_off.ring_mask);
    cqes_ = reinterpret_cast<io_uring_cqe*>(base + params_.cq_off.cqes);

    // The provided-buffer ring: memory of ours that the kernel takes buffers from.
    buf_ring_size_ = buffers * sizeof(io_uring_buf);
    void* br = ::mmap(nullptr, buf_ring_size_, PROT_READ | PROT_WRITE,
                      MAP_ANONYMOUS | MAP_PRIVATE | MAP_POPULATE, -1, 0);
    if (br == MAP_FAILED) fail("mmap buffer ring");
    buf_ring_ = static_cast<io_uring_buf_ring*>(br);
    io_uring_buf_reg reg{};
    reg.ring_addr = reinterpret_cast<uint64_t>(br);
    reg.ring_entries = buffers;
    reg.bgid = 0;
    if (::syscall(__NR_io_uring_register, ring_.get(), IORING_REGISTER_PBUF_RING, &reg, 1) < 0)
        fail("IORING_REGISTER_PBUF_RING");
    data_.resize(buffers * buffer_size);
    for (unsigned i = 0; i < buffers; ++i) {
        io_uring_buf& b = buf(i);
        b.addr = reinterpret_cast<uint64_t>(data_.data() + i * buffer_size);
        b.len = static_cast<uint32_t>(buffer_size);
        b.bid = static_cast<uint16_t>(i);
    }
    std::atomic_ref<uint16_t>(buf_ring_->tail)
        .store(static_cast<uint16_t>(buffers), std::memory_order_release);
    frames_.reserve(4 * buffers);
    returned_.reserve(4 * buffers);
    submit_read();
}

UringReader::~UringReader() {
    ring_.reset();  // cancels the read before its buffers go
    if (buf_ring_) ::munmap(buf_ring_, buf_ring_size_);
    if (sqes_) ::munmap(sqes_, sqes_size_);
    if (rings_) ::munmap(rings_, rings_size_);
}

void UringReader::submit_read() {
    unsigned tail = *sq_tail_;
    io_uring_sqe& sqe = sqes_[tail & sq_mask_];
    sqe = {};
    sqe.opcode = kOpReadMultishot;
    sqe.fd = tap_;
    sqe.flags = IOSQE_BUFFER_SELECT;
    sqe.buf_group = 0;
    sqe.user_data = kUserData;
    sq_array_[tail & sq_mask_] = tail & sq_mask_;
    store_release(sq_tail_, tail + 1);
    armed_ = true;
    enter(1, 0);
}

void UringReader::enter(unsigned submit, unsigned wait) {
    unsigned flags = wait ? IORING_ENTER_GETEVENTS : 0;
    if (::syscall(__NR_io_uring_enter, ring_.get(), submit, wait, flags, nullptr, 0) < 0 &&
        errno != EINTR)
        fail("io_uring_enter");
}

std::span<const std::span<const std::byte>> UringReader::read() {
    // Give last batch's buffers back.
    if (!returned_.empty()) {
        uint16_t tail = buf_ring_->tail;
        unsigned mask = buffers_ - 1;
        for (uint16_t bid : returned_) {
            io_uring_buf& b = buf(tail++ & mask);
            b.addr = reinterpret_cast<uint64_t>(data_.data() + bid * buffer_size_);
            b.len = static_cast<uint32_t>(buffer_size_);
            b.bid = bid;
        }
        std::atomic_ref<uint16_t>(buf_ring_->tail).store(tail, std::memory_order_release);
        returned_.clear();
    }
    frames_.clear();
    if (!armed_) submit_read();
    unsigned head = *cq_head_;
    if (head == load_acquire(cq_tail_)) {
        enter(0, 1);
    }
    unsigned tail = load_acquire(cq_tail_);
    for (; head != tail; ++head) {
        const io_uring_cqe& c = cqes_[head & cq_mask_];
        if ((c.flags & IORING_CQE_F_MORE) == 0) armed_ = false;  // re-armed next time
        if (c.res < 0) {
            // ENOBUFS: every buffer was taken before we gave any back; not an error.
            if (c.res != -ENOBUFS) {
                store_release(cq_head_, head + 1);
                errno = -c.res;
                fail("IORING_OP_READ_MULTISHOT");
            }
            continue;
        }
        if ((c.flags & IORING_CQE_F_BUFFER) == 0) continue;
        auto bid = static_cast<uint16_t>(c.flags >> IORING_CQE_BUFFER_SHIFT);
        returned_.push_back(bid);
        frames_.emplace_back(data_.data() + bid * buffer_size_, static_cast<size_t>(c.res));
    }
    store_release(cq_head_, head);
    return frames_;
}

}  // namespace tapd::bench
