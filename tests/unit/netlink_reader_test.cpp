// Tests for daemon/kernel/netlink_reader: ReplyReader fed datagrams byte by byte (dumps, gets,
// acks, errors, NLM_F_DUMP_INTR, stale and malformed replies), and dump()/get()/ack() over a
// scripted channel: an interrupted dump is asked for again, up to kDumpAttempts times.
#include "netlink_reader.hpp"

#include <gtest/gtest.h>
#include <linux/rtnetlink.h>
#include <sys/socket.h>

#include <cerrno>
#include <climits>
#include <vector>

#include "netlink_bytes.hpp"
#include "netlink_script.hpp"

namespace tapd {
namespace {

using State = ReplyReader::State;

std::vector<uint16_t> types_of(ReplyReader& r, const std::vector<std::byte>& datagram,
                               State expected) {
    std::vector<uint16_t> types;
    EXPECT_EQ(r.feed(datagram, [&](const NlMessage& m) { types.push_back(m.type()); }), expected);
    return types;
}

TEST(ReplyReader, ADumpPassesItsMessagesUntilDone) {
    ReplyReader r(ReplyReader::Kind::Dump, 7);
    auto first = join(
        {kernel_message(RTM_NEWADDR, NLM_F_MULTI, 7), kernel_message(RTM_NEWADDR, NLM_F_MULTI, 7)});
    EXPECT_EQ(types_of(r, first, State::Reading),
              (std::vector<uint16_t>{RTM_NEWADDR, RTM_NEWADDR}));
    auto last = join({kernel_message(RTM_NEWADDR, NLM_F_MULTI, 7),
                      kernel_message(NLMSG_DONE, NLM_F_MULTI, 7, int_bytes(0))});
    EXPECT_EQ(types_of(r, last, State::Done), (std::vector<uint16_t>{RTM_NEWADDR}));
    EXPECT_FALSE(r.interrupted());
}

TEST(ReplyReader, NoticesDumpIntrOnAnyMessageDoneIncluded) {
    ReplyReader r(ReplyReader::Kind::Dump, 7);
    auto d = join({kernel_message(RTM_NEWLINK, NLM_F_MULTI, 7),
                   kernel_message(RTM_NEWLINK, NLM_F_MULTI | NLM_F_DUMP_INTR, 7)});
    types_of(r, d, State::Reading);
    EXPECT_TRUE(r.interrupted());
    types_of(r, kernel_message(NLMSG_DONE, NLM_F_MULTI, 7, int_bytes(0)), State::Done);
    EXPECT_TRUE(r.interrupted());

    ReplyReader on_done(ReplyReader::Kind::Dump, 7);
    types_of(on_done, kernel_message(NLMSG_DONE, NLM_F_MULTI | NLM_F_DUMP_INTR, 7, int_bytes(0)),
             State::Done);
    EXPECT_TRUE(on_done.interrupted());
}

TEST(ReplyReader, SkipsStaleRepliesAndNoops) {
    ReplyReader r(ReplyReader::Kind::Dump, 8);
    auto d = join({kernel_message(RTM_NEWROUTE, NLM_F_MULTI | NLM_F_DUMP_INTR, 7),
                   kernel_message(NLMSG_DONE, NLM_F_MULTI, 7, int_bytes(0)),
                   kernel_message(NLMSG_NOOP, 0, 8), kernel_message(RTM_NEWROUTE, NLM_F_MULTI, 8)});
    EXPECT_EQ(types_of(r, d, State::Reading), (std::vector<uint16_t>{RTM_NEWROUTE}));
    EXPECT_FALSE(r.interrupted());  // the mark was on the stale dump's message
}

TEST(ReplyReader, AnErrorAnswerFailsWithItsErrno) {
    ReplyReader r(ReplyReader::Kind::Dump, 3);
    types_of(r, kernel_message(NLMSG_ERROR, 0, 3, int_bytes(-EPERM)), State::Failed);
    EXPECT_EQ(r.error(), EPERM);
    // Nothing more is passed once failed.
    EXPECT_TRUE(types_of(r, kernel_message(RTM_NEWADDR, NLM_F_MULTI, 3), State::Failed).empty());

    ReplyReader done(ReplyReader::Kind::Dump, 3);
    types_of(done, kernel_message(NLMSG_DONE, NLM_F_MULTI, 3, int_bytes(-EMSGSIZE)), State::Failed);
    EXPECT_EQ(done.error(), EMSGSIZE);
}

TEST(ReplyReader, MalformedAnswersFailWithoutAnErrno) {
    for (const auto& bad : {
             kernel_message(NLMSG_ERROR, 0, 3, {0, 0}),              // error code cut off
             kernel_message(NLMSG_ERROR, 0, 3, int_bytes(5)),        // a positive "errno"
             kernel_message(NLMSG_ERROR, 0, 3, int_bytes(INT_MIN)),  // past MAX_ERRNO (fuzzer)
             kernel_message(NLMSG_DONE, NLM_F_MULTI, 3, int_bytes(-4096)),
             kernel_message(NLMSG_OVERRUN, 0, 3),      // reserved type
             std::vector<std::byte>(5, std::byte{1}),  // not a message
         }) {
        ReplyReader r(ReplyReader::Kind::Dump, 3);
        types_of(r, bad, State::Failed);
        EXPECT_EQ(r.error(), 0);
    }
    // A whole message, then bytes that are none: the message is passed, then it fails.
    ReplyReader r(ReplyReader::Kind::Dump, 3);
    auto d = join({kernel_message(RTM_NEWADDR, NLM_F_MULTI, 3), to_bytes({1, 2, 3})});
    EXPECT_EQ(types_of(r, d, State::Failed), (std::vector<uint16_t>{RTM_NEWADDR}));
}

TEST(ReplyReader, AGetEndsWithItsOneAnswerOrAnError) {
    ReplyReader r(ReplyReader::Kind::Get, 4);
    EXPECT_EQ(types_of(r, kernel_message(RTM_NEWLINK, 0, 4), State::Done),
              (std::vector<uint16_t>{RTM_NEWLINK}));
    ReplyReader gone(ReplyReader::Kind::Get, 4);
    types_of(gone, kernel_message(NLMSG_ERROR, 0, 4, int_bytes(-ENODEV)), State::Failed);
    EXPECT_EQ(gone.error(), ENODEV);
}

TEST(ReplyReader, AnAckIsAnErrorOfZeroAndOtherMessagesAreNotPassed) {
    ReplyReader r(ReplyReader::Kind::Ack, 5);
    auto d =
        join({kernel_message(RTM_NEWADDR, 0, 5), kernel_message(NLMSG_ERROR, 0, 5, int_bytes(0))});
    EXPECT_TRUE(types_of(r, d, State::Done).empty());
    ReplyReader refused(ReplyReader::Kind::Ack, 5);
    types_of(refused, kernel_message(NLMSG_ERROR, 0, 5, int_bytes(-EEXIST)), State::Failed);
    EXPECT_EQ(refused.error(), EEXIST);
}

// A dump answer of N messages, its first marked interrupted if INTERRUPTED.
std::vector<std::vector<std::byte>> dump_answer(uint32_t seq, int n, bool interrupted) {
    std::vector<std::vector<std::byte>> out;
    for (int i = 0; i < n; ++i)
        out.push_back(kernel_message(
            RTM_NEWADDR, NLM_F_MULTI | (i == 0 && interrupted ? NLM_F_DUMP_INTR : 0), seq));
    out.push_back(kernel_message(NLMSG_DONE, NLM_F_MULTI, seq, int_bytes(0)));
    return out;
}

const uint8_t kFamily = AF_UNSPEC;

TEST(Dump, AnInterruptedDumpIsAskedForAgainAfterRestart) {
    Script nl([](uint32_t seq, int attempt) { return dump_answer(seq, 3, attempt <= 2); });
    int seen = 0, restarts = 0;
    auto st = dump(
        nl, RTM_GETADDR, nl_bytes(&kFamily, 1), [&](const NlMessage&) { ++seen; },
        [&] {
            ++restarts;
            seen = 0;
        },
        "listing addresses");
    EXPECT_TRUE(st.ok()) << st.error().message;
    EXPECT_EQ(nl.requests.size(), 3u);
    EXPECT_EQ(restarts, 2);
    EXPECT_EQ(seen, 3);  // the last, whole answer only
}

TEST(Dump, GivesUpAfterKDumpAttemptsAndSaysSo) {
    Script nl([](uint32_t seq, int) { return dump_answer(seq, 1, true); });
    int restarts = 0;
    auto st = dump(
        nl, RTM_GETROUTE, nl_bytes(&kFamily, 1), [](const NlMessage&) {}, [&] { ++restarts; },
        "listing routes");
    ASSERT_FALSE(st.ok());
    EXPECT_EQ(nl.requests.size(), size_t(kDumpAttempts));
    EXPECT_EQ(restarts, kDumpAttempts - 1);
    EXPECT_EQ(st.error().message,
              "listing routes: the dump was interrupted 10 times (NLM_F_DUMP_INTR: the table "
              "changed while it was read)");
}

TEST(Dump, AKernelRefusalCarriesItsErrnoAndKind) {
    Script nl([](uint32_t seq, int) {
        return std::vector<std::vector<std::byte>>{
            kernel_message(NLMSG_ERROR, 0, seq, int_bytes(-EPERM))};
    });
    auto st = dump(
        nl, RTM_GETLINK, nl_bytes(&kFamily, 1), [](const NlMessage&) {}, [] {}, "listing links");
    ASSERT_FALSE(st.ok());
    EXPECT_EQ(st.error().err, EPERM);
    EXPECT_EQ(st.error().kind, ErrorKind::Failed);
    EXPECT_EQ(st.error().message, "listing links: Operation not permitted");
}

TEST(Dump, AMalformedAnswerFails) {
    Script nl([](uint32_t, int) {
        return std::vector<std::vector<std::byte>>{to_bytes({1, 2, 3})};
    });
    auto st = dump(
        nl, RTM_GETLINK, nl_bytes(&kFamily, 1), [](const NlMessage&) {}, [] {}, "listing links");
    ASSERT_FALSE(st.ok());
    EXPECT_EQ(st.error().err, 0);
    EXPECT_EQ(st.error().message, "listing links: malformed answer from the kernel");
}

TEST(Dump, AFailedReceiveEndsIt) {
    Script nl([](uint32_t seq, int) {  // no NLMSG_DONE: the next receive fails
        return std::vector<std::vector<std::byte>>{kernel_message(RTM_NEWLINK, NLM_F_MULTI, seq)};
    });
    auto st = dump(
        nl, RTM_GETLINK, nl_bytes(&kFamily, 1), [](const NlMessage&) {}, [] {}, "listing links");
    ASSERT_FALSE(st.ok());
    EXPECT_EQ(st.error().err, EAGAIN);
}

TEST(Get, ENODEVIsNotFoundWithItsErrno) {
    Script nl([](uint32_t seq, int) {
        return std::vector<std::vector<std::byte>>{
            kernel_message(NLMSG_ERROR, 0, seq, int_bytes(-ENODEV))};
    });
    auto st = get(
        nl, RTM_GETLINK, nl_bytes(&kFamily, 1), [](const NlMessage&) {}, "reading link #4");
    ASSERT_FALSE(st.ok());
    EXPECT_EQ(st.error().err, ENODEV);
    EXPECT_EQ(st.error().kind, ErrorKind::NotFound);
}

TEST(Ack, EEXISTIsAConflictWithItsErrno) {
    Script nl([](uint32_t seq, int) {
        return std::vector<std::vector<std::byte>>{
            kernel_message(NLMSG_ERROR, 0, seq, int_bytes(-EEXIST))};
    });
    uint32_t seq = nl.next_seq();
    NlRequest r(RTM_NEWADDR, NLM_F_ACK, seq);
    r.family(&kFamily, 1);
    auto st = ack(nl, r.bytes(), seq, "adding address 10.0.0.1/24");
    ASSERT_FALSE(st.ok());
    EXPECT_EQ(st.error().err, EEXIST);
    EXPECT_EQ(st.error().kind, ErrorKind::Conflict);
    EXPECT_EQ(st.error().message, "adding address 10.0.0.1/24: File exists");
}

TEST(NetlinkError, KindsFollowTheErrno) {
    EXPECT_EQ(netlink_error("x", EADDRINUSE).kind, ErrorKind::Conflict);
    EXPECT_EQ(netlink_error("x", ESRCH).kind, ErrorKind::NotFound);
    EXPECT_EQ(netlink_error("x", ERANGE).kind, ErrorKind::InvalidArgument);
    EXPECT_EQ(netlink_error("x", EBUSY).kind, ErrorKind::Failed);
    EXPECT_EQ(netlink_error("x", EBUSY).err, EBUSY);
}

}  // namespace
}  // namespace tapd
