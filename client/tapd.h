/* libtapd's C API: create, open and delete taps through tapd, read a tap's frames in batches,
 * and one-line frame summaries, for programs in C or any language with a C FFI (Rust, Python
 * ctypes). Implemented over the C++ Client (client.hpp) and TapReader (tap_reader.hpp); no C++
 * exception crosses it. Functions that can fail take CHAR **ERR: on failure they return -1 (or
 * NULL) and, when ERR is not NULL, set *ERR to a malloc'd message that the caller frees with
 * tapd_free_error(): "D-Bus-error-name: text" from tapd, "call value: strerror" from a reader
 * (which also sets errno). */
#ifndef TAPD_TAPD_H
#define TAPD_TAPD_H

#include <stddef.h>
#include <stdint.h>

#ifdef __cplusplus
extern "C" {
#endif

/* A connection to tapd. Taps that are not persistent are deleted when it is closed. */
typedef struct tapd_client tapd_client;

/* Flags of tapd_create_tap(). */
#define TAPD_PERSISTENT 1  /* the tap outlives the connection */
#define TAPD_MASQUERADE 2  /* NAT of the tap's IPv4 subnets to the host's uplinks */
#define TAPD_VNET_HDR 4    /* tun flag IFF_VNET_HDR (offloads, see tapd_open_tap_queues) */
#define TAPD_MULTI_QUEUE 8 /* tun flag IFF_MULTI_QUEUE (more than one fd, as queues) */

/* Connects to the system bus ($DBUS_SYSTEM_BUS_ADDRESS is honoured), or to BUS_ADDRESS
 * ("unix:path=...") when it is not NULL. Like tapd::Client, a BUS_ADDRESS is stored in the
 * process's $DBUS_SYSTEM_BUS_ADDRESS (so children started later use the same bus): call it
 * before starting threads that read the environment. NULL on failure. */
tapd_client* tapd_connect(const char* bus_address, char** err);

/* Closes the connection (deleting its taps that are not persistent); NULL is ignored. */
void tapd_disconnect(tapd_client* client);

/* Creates tap NAME with ADDRESSES ("ADDR/PLEN") and ROUTES ("PREFIX/PLEN"), each a
 * NULL-terminated array or NULL for none, and FLAGS (TAPD_*). 0 on success, -1 on failure. */
int tapd_create_tap(tapd_client* client, const char* name, const char* const* addresses,
                    const char* const* routes, int flags, char** err);

/* An fd of the caller's tap NAME (O_CLOEXEC; read() gets one frame, write() sends one) that
 * the caller closes, or -1 on failure. */
int tapd_open_tap(tapd_client* client, const char* name, char** err);

/* QUEUES fds (1..16: the system bus passes at most 16 in one message), each attached to the
 * caller's tap NAME as its own queue (more than one: a tap created multi_queue), written to FDS,
 * which has room for QUEUES. OFFLOADS: for a vnet_hdr tap, a NULL-terminated array of the
 * offloads to set ("csum", "tso4", "tso6", "ecn", "ufo", "uso4", "uso6"; empty: none), or NULL
 * to leave them as they are. Returns QUEUES, or -1 on failure (then no fd is open). */
int tapd_open_tap_queues(tapd_client* client, const char* name, unsigned queues,
                         const char* const* offloads, int* fds, char** err);

/* Deletes the caller's tap NAME. 0 on success, -1 on failure. */
int tapd_delete_tap(tapd_client* client, const char* name, char** err);

/* Frees a message from ERR; NULL is ignored. */
void tapd_free_error(char* err);

/* Reads a tap fd in batches: many frames per wakeup, as views into the reader's buffer. */
typedef struct tapd_reader tapd_reader;

/* One frame of a batch; valid until the next tapd_reader_read() or tapd_reader_free(). */
typedef struct tapd_frame {
    const uint8_t* data; /* the Ethernet frame (for tapd_summary()) */
    size_t len;
    const uint8_t* vnet_hdr; /* the struct virtio_net_hdr before it on an IFF_VNET_HDR tap */
    size_t vnet_hdr_len;     /* else NULL and 0 */
} tapd_frame;

/* A reader of the tap fd FD (from tapd_open_tap(), $TAPD_FD). FD stays the caller's (to write
 * frames, and to close): the reader reads a duplicate (F_DUPFD_CLOEXEC) that tapd_reader_free()
 * closes, and sets O_NONBLOCK on the open file the two share. MAX_FRAMES bounds a batch (0:
 * 256). NULL on failure: FD is not an open fd (EBADF), not a tap's (ENOTTY, EBADFD, EINVAL). */
tapd_reader* tapd_reader_new(int fd, size_t max_frames, char** err);

/* Reads the frames that are there into *FRAMES, in the order the kernel sent them, waiting up
 * to TIMEOUT_MS (-1: forever, 0: not at all) for the first if there is none. Returns their
 * number (0: the wait ran out, or a signal came), or -1 when a read failed (EBADFD: the tap was
 * deleted; frames read before it are returned first). */
int tapd_reader_read(tapd_reader* reader, int timeout_ms, const tapd_frame** frames, char** err);

/* The frames the kernel dropped on the tap since the reader was made: *TX_DROPPED sent to the
 * tap while its queue to the fd was full (the reader was too slow), *RX_DROPPED written into it
 * and dropped by the stack. From RTM_GETLINK, which any user may ask, in the caller's network
 * namespace: -1 with ENODEV when the tap is not there. 0 on success. */
int tapd_reader_drops(tapd_reader* reader, uint64_t* tx_dropped, uint64_t* rx_dropped, char** err);

/* The reader's fd (the duplicate), to poll in a loop of the caller's own; -1 for NULL. */
int tapd_reader_fd(const tapd_reader* reader);

/* Closes the reader's fd and frees it; NULL is ignored. */
void tapd_reader_free(tapd_reader* reader);

/* Decodes the Ethernet frame FRAME of LEN bytes and writes the summary tapctl prints after
 * the timestamp (tcpdump -nS style, e.g. "IP 192.168.69.1.40000 > 203.0.113.1.7777: UDP,
 * length 5") to OUT, NUL-terminated and cut to OUT_LEN - 1 bytes. Returns the summary's full
 * length as snprintf does (so a result >= OUT_LEN means it was cut); OUT may be NULL when
 * OUT_LEN is 0. A malformed frame is summarized up to the error, never refused. */
size_t tapd_summary(const uint8_t* frame, size_t len, char* out, size_t out_len);

#ifdef __cplusplus
}
#endif

#endif
