/*
 * The five cross-process mechanisms: which system call sends, which receives, and
 * what arrived. Each sends one value a side: a byte for pipe and unix_socket, an
 * 8-byte word for eventfd (its counter), a 32-bit word for futex (the futex word
 * itself, in shared memory) and for sched_yield (a turn word in shared memory that
 * nothing but the yield hands over: it checks the two processes strictly alternate).
 */
#define _GNU_SOURCE
#include <errno.h>
#include <linux/futex.h>
#include <sys/eventfd.h>
#include <sys/socket.h>
#include <sys/syscall.h>
#include <unistd.h>

#include "pingpong.h"

static void set_call(struct sc *call, long nr, long a0, long a1, long a2, long a3,
                     long a4, long a5)
{
    *call = (struct sc){.nr = nr, .arg = {a0, a1, a2, a3, a4, a5}};
}

static int ret_is_one(const struct sc *call) { return call->ret == 1; }
static int ret_is_eight(const struct sc *call) { return call->ret == 8; }
static int ret_is_zero(const struct sc *call) { return call->ret == 0; }
static int ret_not_negative(const struct sc *call) { return call->ret >= 0; }
static int never_again(struct chan *c, enum side s, const struct sc *call)
{
    (void)c, (void)s, (void)call;
    return 0;
}

/* ---- read/write of one byte: pipe and unix_socket ---- */

static void byte_send(struct chan *c, enum side s, uint32_t value, struct sc *call)
{
    c->out.byte = (unsigned char)value;
    set_call(call, SYS_write, c->fd_send[s], (long)&c->out.byte, 1, 0, 0, 0);
}

static void byte_recv(struct chan *c, enum side s, struct sc *call)
{
    c->in.byte = 0;
    set_call(call, SYS_read, c->fd_recv[s], (long)&c->in.byte, 1, 0, 0, 0);
}

static uint32_t byte_received(struct chan *c, enum side s, const struct sc *call)
{
    (void)s, (void)call;
    return c->in.byte;
}

/* Two pipes, one per direction. */
static int pipe_open(struct chan *c)
{
    int ab[2], ba[2];
    if (pipe(ab) != 0 || pipe(ba) != 0)
        return -1;
    c->fd_send[SIDE_A] = ab[1];
    c->fd_recv[SIDE_B] = ab[0];
    c->fd_send[SIDE_B] = ba[1];
    c->fd_recv[SIDE_A] = ba[0];
    return 0;
}

/* One AF_UNIX stream socketpair: each side reads and writes its own end. */
static int unix_socket_open(struct chan *c)
{
    int sv[2];
    if (socketpair(AF_UNIX, SOCK_STREAM, 0, sv) != 0)
        return -1;
    c->fd_send[SIDE_A] = c->fd_recv[SIDE_A] = sv[0];
    c->fd_send[SIDE_B] = c->fd_recv[SIDE_B] = sv[1];
    return 0;
}

/* ---- eventfd: one blocking counter per direction; a read returns and clears it ---- */

static int eventfd_open(struct chan *c)
{
    int ab = eventfd(0, 0), ba = eventfd(0, 0);
    if (ab < 0 || ba < 0)
        return -1;
    c->fd_send[SIDE_A] = c->fd_recv[SIDE_B] = ab;
    c->fd_send[SIDE_B] = c->fd_recv[SIDE_A] = ba;
    return 0;
}

static void eventfd_send(struct chan *c, enum side s, uint32_t value, struct sc *call)
{
    c->out.word = value;
    set_call(call, SYS_write, c->fd_send[s], (long)&c->out.word, 8, 0, 0, 0);
}

static void eventfd_recv(struct chan *c, enum side s, struct sc *call)
{
    c->in.word = 0;
    set_call(call, SYS_read, c->fd_recv[s], (long)&c->in.word, 8, 0, 0, 0);
}

static uint32_t eventfd_received(struct chan *c, enum side s, const struct sc *call)
{
    (void)s, (void)call;
    return (uint32_t)c->in.word;
}

/* ---- futex: the value is the futex word; FUTEX_WAKE after the store, FUTEX_WAIT
 * until the partner's word differs from the last value seen. Shared (not PRIVATE)
 * futexes: the words are in MAP_SHARED memory of two processes. ---- */

static int futex_open(struct chan *c)
{
    c->shared->word[SIDE_A] = c->shared->word[SIDE_B] = 0;
    c->last_seen = 0;
    return 0;
}

static void futex_send(struct chan *c, enum side s, uint32_t value, struct sc *call)
{
    c->shared->word[s] = value;
    set_call(call, SYS_futex, (long)&c->shared->word[s], FUTEX_WAKE, 1, 0, 0, 0);
}

static void futex_recv(struct chan *c, enum side s, struct sc *call)
{
    set_call(call, SYS_futex, (long)&c->shared->word[!s], FUTEX_WAIT, (long)c->last_seen,
             0, 0, 0);
}

/* FUTEX_WAIT returns 0 when woken and -EAGAIN when the word had already changed
 * (the partner ran first); a spurious wake-up leaves the word as it was. */
static int futex_recv_ok(const struct sc *call)
{
    return call->ret == 0 || call->ret == -EAGAIN;
}

static int futex_again(struct chan *c, enum side s, const struct sc *call)
{
    return futex_recv_ok(call) && c->shared->word[!s] == c->last_seen;
}

static uint32_t futex_received(struct chan *c, enum side s, const struct sc *call)
{
    (void)call;
    c->last_seen = c->shared->word[!s];
    return (uint32_t)c->last_seen;
}

/* ---- sched_yield: nothing travels through the kernel; the turn word says whose
 * turn it is, so the receiver can tell that its partner, and only it, ran. ---- */

static int yield_open(struct chan *c)
{
    c->shared->word[SIDE_A] = c->shared->word[SIDE_B] = 0;
    return 0;
}

static void yield_send(struct chan *c, enum side s, uint32_t value, struct sc *call)
{
    c->shared->word[s] = value;
    set_call(call, SYS_sched_yield, 0, 0, 0, 0, 0, 0);
}

static void yield_recv(struct chan *c, enum side s, struct sc *call)
{
    (void)c, (void)s;
    set_call(call, SYS_sched_yield, 0, 0, 0, 0, 0, 0);
}

static uint32_t yield_received(struct chan *c, enum side s, const struct sc *call)
{
    (void)call;
    return c->shared->word[!s];
}

const struct mechanism mech_sched_yield = {
    "sched_yield", 0, 1, 1, yield_open, yield_send, yield_recv, never_again, yield_received,
    ret_is_zero, ret_is_zero,
};
const struct mechanism mech_pipe = {
    "pipe", 1, 0, 0, pipe_open, byte_send, byte_recv, never_again, byte_received,
    ret_is_one, ret_is_one,
};
const struct mechanism mech_eventfd = {
    "eventfd", 1, 0, 0, eventfd_open, eventfd_send, eventfd_recv, never_again,
    eventfd_received, ret_is_eight, ret_is_eight,
};
const struct mechanism mech_futex = {
    "futex", 1, 0, 0, futex_open, futex_send, futex_recv, futex_again, futex_received,
    ret_not_negative, futex_recv_ok,
};
const struct mechanism mech_unix_socket = {
    "unix_socket", 1, 0, 0, unix_socket_open, byte_send, byte_recv, never_again,
    byte_received, ret_is_one, ret_is_one,
};
