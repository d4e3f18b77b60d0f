/*
 * FRAME=full: the kernel saves and restores every user register, and the ABI then
 * promises what FRAME=partial leaves undefined: after an IPC, a receiver's message
 * registers past the words it received hold its own values, not the sender's.
 *
 * Checked both ways (the server receiving a call, the client receiving the reply), at
 * every length the registers carry, through the fast path and through the general
 * path (a call with TAG_SEND_NONBLOCK, which the fast path declines), across two
 * address spaces. Each side fills all its message registers with its own mark before
 * each IPC; words below the received length must hold the partner's mark, words at or
 * past it its own. Under FRAME=partial this prints nothing.
 */
#include "runtime.h"

#define CLIENT_MARK 0xC11E000000000000ull
#define SERVER_MARK 0x5E2F000000000000ull
#define LABEL_SLOW 0x100u       /* the server replies through the general path */
#define REPLY_LEN_MASK 0xffu    /* the rest of the label: how many words to reply */

struct frame_server {
    uint64_t recv_from;
    volatile uint64_t bad_words;   /* words of received messages that were wrong */
    volatile uint64_t requests;
};

static struct frame_server frame_server;

/* How many message words travel in registers: copied from the kernel info page by the
 * client, since the server's space has no KIP mapped. */
static uint64_t reg_words;

static void fill(struct ipc_args *a, uint64_t mark)
{
    for (unsigned i = 0; i < ABI_REG_WORDS; i++)
        a->mr[i] = mark | i;
}

/* Words below len must hold the partner's mark, the others the receiver's own. Only
 * the words that travel in registers are looked at. */
static uint64_t wrong_words(const struct ipc_args *a, uint64_t len, uint64_t partner,
                            uint64_t own)
{
    uint64_t bad = 0;
    for (unsigned i = 0; i < ABI_REG_WORDS && i < reg_words; i++)
        bad += a->mr[i] != ((i < len ? partner : own) | i);
    return bad;
}

static void frame_server_thread(uint64_t arg)
{
    struct frame_server *s = (struct frame_server *)(uintptr_t)arg;
    struct ipc_args a = {.nr = SYS_RECV, .from = s->recv_from};
    fill(&a, SERVER_MARK);
    ipc_stub(&a);
    for (;;) {
        if (a.error != E_OK) {
            /* After a reply through the general path (a non-blocking receive that
             * found nobody): receive afresh. */
            a = (struct ipc_args){.nr = SYS_RECV, .from = s->recv_from};
            fill(&a, SERVER_MARK);
            ipc_stub(&a);
            continue;
        }
        s->requests++;
        s->bad_words += wrong_words(&a, tag_len(a.tag), CLIENT_MARK, SERVER_MARK);
        uint64_t label = (a.tag & TAG_LABEL_MASK) >> TAG_LABEL_SHIFT;
        a.nr = SYS_REPLY_WAIT;   /* a.dest names the client under thread IDs */
        a.tag = tag_make(label & REPLY_LEN_MASK, 0);
        if (label & LABEL_SLOW)
            a.tag |= TAG_RECV_NONBLOCK;
        a.from = s->recv_from;
        fill(&a, SERVER_MARK);
        ipc_stub(&a);
    }
}

/* The server's thread in a space of its own; the client's destination for it. */
static bool start_frame_server(uint64_t *dest, struct thread_info *t, int64_t *space)
{
    *space = space_with_root_image();
    if (*space < 0)
        return false;
    frame_server.recv_from = IPC_ANY;
    if (kip_config_is("dest", "endpoint")) {
        struct sys_result ep = syscall5(SYS_ENDPOINT_CREATE, 0, 0, 0, 0, 0);
        if (ep.error != E_OK)
            return false;
        if (syscall5(SYS_CAP_MINT, (uint64_t)*space, ep.value, ep.value, 0,
                     CAP_RIGHT_RECV).error != E_OK)
            return false;
        frame_server.recv_from = ep.value;
        *dest = ep.value;   /* the root's own capability has every right */
    }
    if (thread_spawn((uint64_t)*space, frame_server_thread, (uint64_t)(uintptr_t)&frame_server,
                     BENCH_PRIORITY, t) != E_OK)
        return false;
    if (!kip_config_is("dest", "endpoint"))
        *dest = t->tid;
    return true;
}

void frame_checks(unsigned *checks, unsigned *failed)
{
    if (!kip_config_is("frame", "full"))
        return;
    reg_words = kip->reg_words;
    uint64_t dest = 0;
    struct thread_info t;
    int64_t space;
    bool started = start_frame_server(&dest, &t, &space);
    report_check_count(checks, failed, "frame_server_start", 1, started);
    if (!started)
        return;
    uint64_t errors = 0, bad_replies = 0, calls = 0;
    for (unsigned slow = 0; slow < 2; slow++) {
        for (unsigned len = 0; len <= ABI_REG_WORDS; len++) {
            unsigned reply_len = (len + 3) % (ABI_REG_WORDS + 1);
            struct ipc_args a = {.nr = SYS_CALL, .dest = dest,
                                 .tag = tag_make(len, reply_len | (slow ? LABEL_SLOW : 0))};
            if (slow)
                a.tag |= TAG_SEND_NONBLOCK;     /* the fast path declines any flag */
            fill(&a, CLIENT_MARK);
            ipc_stub(&a);
            calls++;
            errors += a.error != E_OK || tag_len(a.tag) != reply_len;
            bad_replies += wrong_words(&a, reply_len, SERVER_MARK, CLIENT_MARK);
        }
    }
    report_check_count(checks, failed, "frame_full_calls_ok", 0, errors);
    report_check_count(checks, failed, "frame_full_server_requests", calls,
                       frame_server.requests);
    report_check_count(checks, failed, "frame_full_receiver_keeps_registers_call", 0,
                       frame_server.bad_words);
    report_check_count(checks, failed, "frame_full_receiver_keeps_registers_reply", 0,
                       bad_replies);
    report_check_count(checks, failed, "frame_server_space_destroy", E_OK,
                       syscall5(SYS_SPACE_DESTROY, (uint64_t)space, 0, 0, 0, 0).error);
    thread_release(&t);
    if (kip_config_is("dest", "endpoint"))
        syscall5(SYS_CAP_DELETE, dest, 0, 0, 0, 0);
}
