/*
 * Clans and chiefs from user mode (COMMCTL axis).
 *
 *   none   both clan system calls are refused as unknown;
 *   clans  a clan set on a task one does not control, with a stale chief, or on a task
 *          that already runs is refused; a forward with nothing to forward is refused;
 *          a call from a task in a chief's clan to a server outside it reaches the
 *          server through the chief (which sees TAG_REDIRECTED and the caller's ID),
 *          the server sees the caller's ID, and the reply comes back the same way; a
 *          chief that dies holding a caller's message releases the caller with
 *          E_ABORTED, and nothing stays queued (the server still answers).
 */
#include "runtime.h"

static unsigned *n_checks, *n_failed;

static void check(const char *name, uint64_t expect, uint64_t got)
{
    report_check_count(n_checks, n_failed, name, expect, got);
}

static uint64_t sys(uint64_t nr, uint64_t a0, uint64_t a1)
{
    return syscall5(nr, a0, a1, 0, 0, 0).error;
}

static volatile struct {
    uint64_t chief_tag, chief_sender;     /* what the chief received */
    uint64_t server_sender;               /* what the server saw as sender */
    uint64_t client_error, client_sender; /* what the client's call returned */
    uint64_t client_done;
} seen;

/* A chief: passes every redirected message on, noting the first. */
static void chief_thread(uint64_t unused)
{
    (void)unused;
    for (;;) {
        struct ipc_args a = {.nr = SYS_RECV, .from = IPC_ANY};
        ipc_stub(&a);
        if (a.error != E_OK || !(a.tag & TAG_REDIRECTED))
            continue;
        if (!seen.chief_tag) {
            seen.chief_tag = a.tag;
            seen.chief_sender = a.dest;
        }
        struct ipc_args f = {.nr = SYS_CLAN_FORWARD, .tag = tag_len(a.tag)};
        ipc_stub(&f);
    }
}

/* A chief that takes one message and dies. */
static void dying_chief(uint64_t unused)
{
    (void)unused;
    struct ipc_args a = {.nr = SYS_RECV, .from = IPC_ANY};
    ipc_stub(&a);
    *(volatile uint64_t *)0 = 1;
}

/* A server answering every call with an empty reply. */
static void server_thread(uint64_t unused)
{
    (void)unused;
    struct ipc_args a = {.nr = SYS_RECV, .from = IPC_ANY};
    ipc_stub(&a);
    for (;;) {
        seen.server_sender = a.dest;
        a = (struct ipc_args){.nr = SYS_REPLY_WAIT, .dest = a.dest, .from = IPC_ANY};
        ipc_stub(&a);
    }
}

/* A client: one call to the server, then it waits for nothing. */
static void client_thread(uint64_t server)
{
    struct ipc_args a = {.nr = SYS_CALL, .dest = server};
    ipc_stub(&a);
    seen.client_error = a.error;
    seen.client_sender = a.dest;
    seen.client_done = 1;
    for (;;)
        sys(SYS_YIELD, 0, 0);
}

/* Let the other threads of the root's priority run until flag is set (or give up). */
static void wait_for(volatile uint64_t *flag)
{
    for (unsigned i = 0; i < 1000 && !*flag; i++)
        sys(SYS_YIELD, 0, 0);
}

/* A task in the clan of `chief`, the root image mapped, one thread running fn(arg). */
static int64_t clan_task(uint64_t chief, void (*fn)(uint64_t), uint64_t arg,
                         struct thread_info *t)
{
    int64_t s = space_with_root_image();
    if (s < 0)
        return -1;
    if (sys(SYS_CLAN_SET, (uint64_t)s, chief) != E_OK ||
        thread_spawn((uint64_t)s, fn, arg, BENCH_PRIORITY, t) != E_OK)
        return -1;
    return s;
}

void clan_checks(unsigned *checks, unsigned *failed)
{
    n_checks = checks;
    n_failed = failed;
    if (!kip_config_is("commctl", "clans")) {
        check("clan_none_set", E_INVALID_SYSCALL, sys(SYS_CLAN_SET, kip->root_space, 0));
        check("clan_none_forward", E_INVALID_SYSCALL, sys(SYS_CLAN_FORWARD, 0, 0));
        return;
    }
    check("clan_set_own_task", E_NO_PERMISSION, sys(SYS_CLAN_SET, kip->root_space, IPC_NIL));
    check("clan_forward_nothing", E_INVALID_ARG, sys(SYS_CLAN_FORWARD, 0, 0));
    struct thread_info chief, server, client, dying, client2;
    thread_spawn(kip->root_space, chief_thread, 0, BENCH_PRIORITY, &chief);
    thread_spawn(kip->root_space, server_thread, 0, BENCH_PRIORITY, &server);
    int64_t s = space_with_root_image();
    check("clan_set_stale_chief", E_INVALID_DEST, sys(SYS_CLAN_SET, (uint64_t)s, chief.tid + 1));
    check("clan_set", E_OK, sys(SYS_CLAN_SET, (uint64_t)s, chief.tid));
    thread_spawn((uint64_t)s, client_thread, server.tid, BENCH_PRIORITY, &client);
    check("clan_set_running_task", E_INVALID_ARG, sys(SYS_CLAN_SET, (uint64_t)s, IPC_NIL));
    wait_for(&seen.client_done);
    check("clan_call_through_chief", E_OK, seen.client_error);
    check("clan_chief_sees_redirected", TAG_REDIRECTED, seen.chief_tag & TAG_REDIRECTED);
    check("clan_chief_sees_caller", client.tid, seen.chief_sender);
    check("clan_server_sees_caller", client.tid, seen.server_sender);
    check("clan_reply_from_server", server.tid, seen.client_sender);

    /* A chief that dies holding the call: the caller is released with an error. */
    seen.client_done = 0;
    seen.client_error = 0;
    thread_spawn(kip->root_space, dying_chief, 0, BENCH_PRIORITY, &dying);
    int64_t s2 = clan_task(dying.tid, client_thread, server.tid, &client2);
    check("clan_dying_chief_task", 1, s2 >= 0);
    wait_for(&seen.client_done);
    check("clan_chief_dies_forwarding", E_ABORTED, seen.client_error);
    /* Nothing stays queued: the server still answers a caller of its own clan. */
    struct ipc_args a = {.nr = SYS_CALL, .dest = server.tid};
    ipc_stub(&a);
    check("clan_server_answers_after", E_OK, a.error);

    thread_release(&client);
    thread_release(&client2);
    thread_release(&dying);
    thread_release(&server);
    thread_release(&chief);
    check("clan_destroy_task", E_OK, sys(SYS_SPACE_DESTROY, (uint64_t)s, 0));
    if (s2 >= 0)
        check("clan_destroy_task2", E_OK, sys(SYS_SPACE_DESTROY, (uint64_t)s2, 0));
}
