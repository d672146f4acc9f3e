/* Built by tests/install against the installed libtapd only, as C11: libtapd's C API (tapd.h).
 *   tap_fd summary             prints tapd_summary() of a static Ethernet/IPv4/UDP frame, whole
 *                              and cut to 10 bytes
 *   tap_fd NAME BUS_ADDRESS    creates tap NAME on tapd at BUS_ADDRESS, opens it, checks the fd
 *                              (FD_CLOEXEC, TUNGETIFF names NAME), deletes it, then deletes it
 *                              again and prints the error; exit 0 when every step went right
 *   tap_fd queues NAME BUS_ADDRESS
 *                              creates NAME multi-queue and vnet_hdr, opens 3 queues with the
 *                              offload csum and checks each fd (FD_CLOEXEC, IFF_MULTI_QUEUE),
 *                              then asks for 17 and prints the error */
#define _GNU_SOURCE
#include <fcntl.h>
#include <linux/if_tun.h>
#include <net/if.h>
#include <stdio.h>
#include <string.h>
#include <sys/ioctl.h>
#include <unistd.h>

#include <tapd/tapd.h>

static const uint8_t kFrame[] = {
    0x02, 0x00, 0x00, 0x00, 0x00, 0x01, 0x02, 0x00, 0x00, 0x00, 0x00, 0x02, 0x08, 0x00, 0x45, 0x00,
    0x00, 0x21, 0x00, 0x01, 0x00, 0x00, 0x40, 0x11, 0x39, 0x20, 0xc0, 0xa8, 0x45, 0x01, 0xcb, 0x00,
    0x71, 0x01, 0x9c, 0x40, 0x1e, 0x61, 0x00, 0x0d, 0x00, 0x00, 'h',  'e',  'l',  'l',  'o'};

static int summary(void) {
    char line[256], cut[11];
    size_t n = tapd_summary(kFrame, sizeof kFrame, line, sizeof line);
    size_t m = tapd_summary(kFrame, sizeof kFrame, cut, sizeof cut);
    printf("%zu %s\n%zu %s\n", n, line, m, cut);
    return 0;
}

static int fail(const char* what, char* err) {
    printf("FAIL %s: %s\n", what, err ? err : "(no message)");
    tapd_free_error(err);
    return 1;
}

static int tap(const char* name, const char* bus) {
    char* err = NULL;
    tapd_client* c = tapd_connect(bus, &err);
    if (c == NULL) return fail("connect", err);
    const char* addresses[] = {"192.168.69.100/24", NULL};
    if (tapd_create_tap(c, name, addresses, NULL, 0, &err) != 0) return fail("create", err);
    printf("created %s\n", name);
    int fd = tapd_open_tap(c, name, &err);
    if (fd < 0) return fail("open", err);
    int flags = fcntl(fd, F_GETFD);
    printf("fd cloexec=%d\n", flags >= 0 && (flags & FD_CLOEXEC) != 0);
    struct ifreq ifr;
    memset(&ifr, 0, sizeof ifr);
    if (ioctl(fd, TUNGETIFF, &ifr) != 0) {
        perror("TUNGETIFF");
        return 1;
    }
    printf("TUNGETIFF %s tap=%d\n", ifr.ifr_name, (ifr.ifr_flags & IFF_TAP) != 0);
    close(fd);
    if (tapd_delete_tap(c, name, &err) != 0) return fail("delete", err);
    printf("deleted %s\n", name);
    if (tapd_delete_tap(c, name, &err) != -1 || err == NULL) {
        printf("FAIL: a second delete succeeded\n");
        return 1;
    }
    printf("second delete: %s\n", err);
    tapd_free_error(err);
    tapd_disconnect(c);
    return 0;
}

static int queues(const char* name, const char* bus) {
    char* err = NULL;
    tapd_client* c = tapd_connect(bus, &err);
    if (c == NULL) return fail("connect", err);
    if (tapd_create_tap(c, name, NULL, NULL, TAPD_MULTI_QUEUE | TAPD_VNET_HDR, &err) != 0)
        return fail("create", err);
    const char* offloads[] = {"csum", NULL};
    int fds[3] = {-1, -1, -1};
    int n = tapd_open_tap_queues(c, name, 3, offloads, fds, &err);
    if (n < 0) return fail("open queues", err);
    printf("queues %d\n", n);
    for (int i = 0; i < n; ++i) {
        struct ifreq ifr;
        memset(&ifr, 0, sizeof ifr);
        int flags = fcntl(fds[i], F_GETFD);
        if (ioctl(fds[i], TUNGETIFF, &ifr) != 0) {
            perror("TUNGETIFF");
            return 1;
        }
        printf("fd cloexec=%d %s multi_queue=%d vnet_hdr=%d\n",
               flags >= 0 && (flags & FD_CLOEXEC) != 0, ifr.ifr_name,
               (ifr.ifr_flags & IFF_MULTI_QUEUE) != 0, (ifr.ifr_flags & IFF_VNET_HDR) != 0);
        close(fds[i]);
    }
    int many[17];
    if (tapd_open_tap_queues(c, name, 17, NULL, many, &err) != -1 || err == NULL) {
        printf("FAIL: 17 queues were handed out\n");
        return 1;
    }
    printf("17 queues: %s\n", err);
    tapd_free_error(err);
    tapd_disconnect(c);
    return 0;
}

int main(int argc, char** argv) {
    if (argc == 2 && strcmp(argv[1], "summary") == 0) return summary();
    if (argc == 4 && strcmp(argv[1], "queues") == 0) return queues(argv[2], argv[3]);
    if (argc == 3) return tap(argv[1], argv[2]);
    fprintf(stderr, "usage: tap_fd summary | tap_fd [queues] NAME BUS_ADDRESS\n");
    return 2;
}
