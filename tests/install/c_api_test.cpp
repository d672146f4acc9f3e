// libtapd's C API against tapd: tests/install/tap_fd.c, built as C11 with the installed
// libtapd.pc only (build_installed.sh installs the build into a DESTDIR), run as uid 65534,
// creates a tap, gets its fd by D-Bus fd passing, checks it and deletes the tap.
#include <sys/stat.h>
#include <unistd.h>

#include <cstdlib>
#include <filesystem>
#include <string>

#include "harness.hpp"

namespace tapd::test {
namespace {

namespace fs = std::filesystem;

class CApi : public TapdTest {
  protected:
    void SetUp() override {
        TapdTest::SetUp();
        if (IsSkipped() || HasFatalFailure()) return;
        char tmpl[] = "/tmp/tapd-c-api.XXXXXX";
        ASSERT_NE(::mkdtemp(tmpl), nullptr);
        dir_ = tmpl;
        CommandResult built =
            run({"bash", TAPD_TEST_BUILD_INSTALLED, TAPD_TEST_BUILD_ROOT, dir_, TAPD_TEST_TAP_FD_C},
                300);
        ASSERT_EQ(built.status, 0) << built.describe();
        libdir_ = built.out.substr(0, built.out.find('\n'));
        // uid 65534 runs the program from the installation: every directory on the way readable.
        for (const auto& e : fs::recursive_directory_iterator(dir_))
            if (e.is_directory()) ::chmod(e.path().c_str(), 0755);
        ::chmod(dir_.c_str(), 0755);
    }
    void TearDown() override {
        if (!dir_.empty()) fs::remove_all(dir_);
    }
    std::string dir_, libdir_;
};

TEST_F(CApi, CreatesOpensAndDeletesATapFromC) {
    CommandResult r = env_->as_user(65534, {"env", "LD_LIBRARY_PATH=" + libdir_, dir_ + "/tap_fd",
                                            "tap0", env_->bus_address()});
    ASSERT_EQ(r.status, 0) << r.describe();
    EXPECT_EQ(r.out,
              "created tap0\n"
              "fd cloexec=1\n"
              "TUNGETIFF tap0 tap=1\n"
              "deleted tap0\n"
              "second delete: net.tapd1.Error.NotFound: no tap 'tap0' of yours\n")
        << r.describe();
    // The tap is gone from the kernel too.
    EXPECT_NE(env_->in_ns({"ip", "link", "show", "tap0"}).status, 0);
}

TEST_F(CApi, OpensQueuesOfAMultiQueueTapFromC) {
    CommandResult r = env_->as_user(65534, {"env", "LD_LIBRARY_PATH=" + libdir_, dir_ + "/tap_fd",
                                            "queues", "tapq", env_->bus_address()});
    ASSERT_EQ(r.status, 0) << r.describe();
    EXPECT_EQ(r.out,
              "queues 3\n"
              "fd cloexec=1 tapq multi_queue=1 vnet_hdr=1\n"
              "fd cloexec=1 tapq multi_queue=1 vnet_hdr=1\n"
              "fd cloexec=1 tapq multi_queue=1 vnet_hdr=1\n"
              "17 queues: net.tapd1.Error.InvalidArgument: option 'queues': 17 is more than 16, "
              "the most fds the system bus passes in one message (dbus-daemon's "
              "max_message_unix_fds); call again for more queues (the kernel allows 256 per "
              "tap)\n")
        << r.describe();
}

TEST_F(CApi, RefusalComesBackAsAnErrorMessage) {
    // The test policy grants only names tap*: the C caller gets -1 and the D-Bus error's name
    // and text in *err, and no link is made.
    CommandResult r = env_->as_user(65534, {"env", "LD_LIBRARY_PATH=" + libdir_, dir_ + "/tap_fd",
                                            "veth9", env_->bus_address()});
    EXPECT_EQ(r.status, 1) << r.describe();
    EXPECT_EQ(r.out.rfind("FAIL create: net.tapd1.Error.PermissionDenied: ", 0), 0u)
        << r.describe();
    EXPECT_NE(r.out.find("veth9"), std::string::npos) << r.describe();
    EXPECT_NE(env_->in_ns({"ip", "link", "show", "veth9"}).status, 0);
}

}  // namespace
}  // namespace tapd::test
