// read_tap_frame(): one read(2) of a tap fd, one frame, stamped with the time it was read.
#include "packet_cli/frame_sources.hpp"

#include <ctime>

namespace tapd::cli {

TapRead read_tap_frame(StoppableSource& src, const StopSignals& sig, std::vector<std::byte>& buf,
                       TapFrame& f) {
    ssize_t n = src.read(buf.data(), buf.size());
    if (n < 0) return errno == EINTR && sig.stopped() ? TapRead::Stopped : TapRead::Failed;
    if (n == 0) return TapRead::End;
    struct timespec ts {};
    clock_gettime(CLOCK_REALTIME, &ts);
    f = {wire::Bytes(buf.data(), static_cast<size_t>(n)), ts.tv_sec,
         static_cast<uint32_t>(ts.tv_nsec)};
    return TapRead::Frame;
}

}  // namespace tapd::cli
