/*
 * Workload `notifications` (variants/experiments/notifications.conf): a single-threaded
 * server that must take events from N sources (N = 1, 2, 4, ... max_sources) while it
 * also serves requests, the case the paper gives for adding asynchronous notifications
 * to synchronous IPC.
 *
 *   NOTIFY=none    synchronous IPC only: the server cannot wait on N sources and its
 *                  clients at once without blocking a source, so each source gets a
 *                  forwarding helper thread in the server's space, at the server's
 *                  priority: the source sends to its helper (the source never waits
 *                  for the server), the helper calls the server, the server answers
 *                  with reply-and-wait (the L4 server loop, the fast path's case);
 *   NOTIFY=notify  one notification bound to the server; source i signals a capability
 *                  badged with bit i; the server's open receive ends on the signal and
 *                  returns the bits.
 *
 * The sources are the root thread, raising event i with the mechanism of source i. The
 * server runs in an address space of its own. Cases (space=cross, len = N):
 *   events_queued/per_event     the server's priority is below the sources': a burst of
 *                               N events (one per source) piles up and the server
 *                               drains it. One sample = the instructions from the
 *                               first event raised to the server having counted the
 *                               last, divided by N, rounded to the nearest instruction
 *   events_queued/server_calls  how many of the server's system calls returned events
 *                               during that burst (N raised: coalescing if fewer)
 *   events_immediate/...        the same with the server above the sources, so each
 *                               event is delivered the moment it is raised
 *   resources/threads           threads the server side needs for N sources
 *   resources/kernel_bytes      kernel memory they take: frames taken from the kernel's
 *                               pool (kip->frames_free, UTCBs and page tables) plus the
 *                               table entries of the threads, endpoints and
 *                               notifications created (sizes from the kernel info page)
 *   signal/to_higher (len 0)    notify only: a signal that wakes a higher-priority
 *                               waiter, from the signaller's counter read before the
 *                               trap to the waiter's read after its wait returns
 *   signal/to_lower (len 0)     notify only: a signal to a lower-priority waiter, the
 *                               signaller's own system call (the waiter runs later)
 * Before each burst and each signal the system is brought to rest (quiesce(): a thread
 * of the lowest priority answers only once every other thread is blocked), so every
 * sample starts from the same state: the server and helpers blocked in their receives.
 * A CHECK per burst series says the server saw each source's event exactly once.
 */
#include "workload.h"

#define MAX_SOURCES 64
#define SWEEP_COUNT 7                      /* 1, 2, 4, ..., 64 */
#define SOURCE_PRIORITY BENCH_PRIORITY     /* the root thread */
#define SERVER_BELOW (BENCH_PRIORITY - 40)
#define SERVER_ABOVE (BENCH_PRIORITY + 40)
#define REST_PRIORITY 1                    /* runs only when everything else is blocked */
#define LABEL_DONE 1

enum scenario { QUEUED, IMMEDIATE };
static const char *const scenario_bench[] = {"events_queued", "events_immediate"};

/* Shared with the server and helpers (the server's space maps the root image). */
static struct {
    volatile uint64_t expected;        /* events in the current burst */
    volatile uint64_t seen_events;
    volatile uint64_t seen_mask;       /* bit i: source i's event arrived */
    volatile uint64_t duplicates;      /* an event counted twice in one burst */
    volatile uint64_t server_calls;
    volatile uint64_t t_done;          /* server's counter when it counted the last */
    volatile uint64_t errors;
    volatile uint64_t waiter_t_after;  /* signal cases: the waiter's counter */
    volatile uint64_t waiter_errors;
} shared;

struct addressing {
    bool endpoints;          /* DEST=endpoint: capability slots; else thread IDs */
    bool notify;             /* NOTIFY=notify */
    uint64_t server_space;
};

/* What each server-side thread receives from and sends to (slots or thread IDs),
 * written before it starts. */
struct server_args {
    uint64_t recv_from;      /* its receive: IPC_ANY or its endpoint's slot */
    uint64_t done_dest;      /* where it reports a finished burst */
    uint64_t notification;   /* slot of the notification to bind, or IPC_NIL */
};
struct helper_args {
    uint64_t recv_from;      /* the source's endpoint slot, or the root's thread ID */
    uint64_t server_dest;    /* the server's endpoint slot (SEND) or thread ID */
    uint64_t source;         /* the label it forwards: its source's index */
};
struct rest_args {
    uint64_t recv_from;
};

static struct server_args server_args;
static struct helper_args helper_args[MAX_SOURCES];
static struct rest_args rest_args;
static struct addressing addr;
static int64_t values[MAX_SAMPLES];
static uint64_t starts[MAX_SAMPLES];   /* where each signal sample starts (the model's) */
static uint64_t calls_per_burst[MAX_SAMPLES];

/* An IPC through the stub, which saves the registers a received message overwrites
 * (syscall5 does not: it is for calls that carry no message). Returns the error. */
static uint64_t ipc(uint64_t nr, uint64_t dest, uint64_t tag, uint64_t from)
{
    struct ipc_args a = {.nr = nr, .dest = dest, .tag = tag, .from = from};
    ipc_stub(&a);
    return a.error;
}

static uint64_t full_mask(unsigned n)
{
    return n >= 64 ? ~0ull : (1ull << n) - 1;
}

static void count_event(uint64_t source_bits)
{
    for (uint64_t bits = source_bits; bits; bits &= bits - 1) {
        uint64_t bit = bits & (~bits + 1);
        shared.duplicates += (shared.seen_mask & bit) != 0;
        shared.seen_mask |= bit;
        shared.seen_events++;
    }
}

/* The single-threaded server: an open receive that ends on a request, a forwarded
 * event (NOTIFY=none: a helper's call, answered by the next reply-and-wait) or a signal
 * of its bound notification (NOTIFY=notify). */
static void server(uint64_t arg)
{
    struct server_args *sa = (struct server_args *)(uintptr_t)arg;
    if (sa->notification != IPC_NIL &&
        syscall5(SYS_NOTIFY_BIND, sa->notification, 0, 0, 0, 0).error != E_OK)
        shared.errors++;
    bool reply_owed = false;
    uint64_t caller = IPC_NIL;
    for (;;) {
        struct ipc_args a = {.nr = reply_owed ? SYS_REPLY_WAIT : SYS_RECV, .dest = caller,
                             .from = sa->recv_from};
        ipc_stub(&a);
        reply_owed = false;
        if (a.error != E_OK) {
            shared.errors++;
            continue;
        }
        shared.server_calls++;
        if (a.tag & TAG_NOTIFICATION) {
            count_event(a.dest);
        } else {
            count_event(1ull << ((a.tag & TAG_LABEL_MASK) >> TAG_LABEL_SHIFT));
            reply_owed = true;
            caller = a.dest;        /* the helper's thread ID (ignored with endpoints) */
        }
        if (shared.expected && shared.seen_events >= shared.expected) {
            shared.t_done = counter_read();
            if (ipc(SYS_SEND, sa->done_dest, tag_make(0, LABEL_DONE), 0) != E_OK)
                shared.errors++;
        }
    }
}

/* A forwarding helper (NOTIFY=none): takes its source's event, passes it on. */
static void helper(uint64_t arg)
{
    struct helper_args *h = (struct helper_args *)(uintptr_t)arg;
    for (;;) {
        uint64_t error = ipc(SYS_RECV, 0, 0, h->recv_from);
        if (error == E_OK)
            error = ipc(SYS_CALL, h->server_dest, tag_make(0, h->source), 0);
        if (error != E_OK)
            shared.errors++;
    }
}

/* The rest thread: answers a call only when nothing else can run. */
static void rest(uint64_t arg)
{
    struct rest_args *ra = (struct rest_args *)(uintptr_t)arg;
    struct ipc_args a = {.nr = SYS_RECV, .from = ra->recv_from};
    ipc_stub(&a);
    for (;;) {
        a = (struct ipc_args){.nr = SYS_REPLY_WAIT, .dest = a.dest, .from = ra->recv_from};
        ipc_stub(&a);
    }
}

static uint64_t rest_dest;

static void quiesce(void)
{
    if (ipc(SYS_CALL, rest_dest, 0, 0) != E_OK)
        shared.errors++;
}

/* A new endpoint in the root's table; with `recv_into` != root space, a RECV capability
 * to it in the same slot of that space. Returns the slot or IPC_NIL. */
static uint64_t endpoint_for(uint64_t recv_into)
{
    struct sys_result ep = syscall5(SYS_ENDPOINT_CREATE, 0, 0, 0, 0, 0);
    if (ep.error != E_OK)
        return IPC_NIL;
    if (recv_into != kip->root_space &&
        syscall5(SYS_CAP_MINT, recv_into, ep.value, ep.value, 0, CAP_RIGHT_RECV).error
        != E_OK)
        return IPC_NIL;
    return ep.value;
}

/* A SEND capability (with a badge, or 0 to keep none) to `src` in slot `slot` of a
 * space's table. */
static uint64_t mint_send(uint64_t into, uint64_t src, uint64_t slot, uint64_t badge)
{
    return syscall5(SYS_CAP_MINT, into, src, slot, badge, CAP_RIGHT_SEND).error;
}

struct setup {
    uint64_t space;                   /* the server's, made for this setup alone */
    struct thread_info server;
    struct thread_info helpers[MAX_SOURCES];
    unsigned helpers_made;
    uint64_t notification;            /* root slot, IPC_NIL if none */
    uint64_t raise_dest[MAX_SOURCES]; /* what the root sends or signals for source i */
    uint64_t endpoints[MAX_SOURCES + 1];
    unsigned endpoints_made;
    unsigned notifications_made;
    uint64_t frames_before, frames_after;
};

/* Slots of the root's table this workload uses for minted capabilities. */
#define BADGE_SLOT_BASE 100u     /* notify: source i's badged SEND capability */
#define DONE_SEND_SLOT 90u       /* in the server's space: SEND to the root's done endpoint */
#define SERVER_SEND_SLOT 91u     /* in the server's space: SEND to the server's endpoint */

static uint64_t badge_slot(unsigned i)
{
    /* 100..127 then 60..95: clear of the slots endpoints take from the bottom */
    return i < 28 ? BADGE_SLOT_BASE + i : 60 + (i - 28);
}

static uint64_t done_endpoint = IPC_NIL;

/* Build the server side for n sources in a new address space (so that tearing it
 * down leaves nothing behind in any table): returns 0 or an error code. The kernel
 * memory counted is what the server side takes after its space exists. */
static uint64_t build(struct setup *s, unsigned n, unsigned server_prio)
{
    *s = (struct setup){.notification = IPC_NIL};
    int64_t space = space_with_root_image();
    if (space < 0)
        return E_NO_MEMORY;
    s->space = addr.server_space = (uint64_t)space;
    s->frames_before = kip->frames_free;
    uint64_t error = addr.endpoints ?
        mint_send(addr.server_space, done_endpoint, DONE_SEND_SLOT, 0) : E_OK;
    if (error != E_OK)
        return error;
    server_args = (struct server_args){.recv_from = IPC_ANY,
                                       .done_dest = addr.endpoints ? DONE_SEND_SLOT
                                                                   : kip->root_tid,
                                       .notification = IPC_NIL};
    uint64_t server_ep = IPC_NIL;
    if (addr.endpoints) {
        server_ep = endpoint_for(addr.server_space);
        if (server_ep == IPC_NIL)
            return E_NO_MEMORY;
        s->endpoints[s->endpoints_made++] = server_ep;
        server_args.recv_from = server_ep;
        if (!addr.notify) {
            error = mint_send(addr.server_space, server_ep, SERVER_SEND_SLOT, 0);
            if (error != E_OK)
                return error;
        }
    }
    if (addr.notify) {
        struct sys_result nt = syscall5(SYS_NOTIFY_CREATE, 0, 0, 0, 0, 0);
        if (nt.error != E_OK)
            return nt.error;
        s->notification = nt.value;
        s->notifications_made = 1;
        /* the server binds it from its own table: a RECV capability in its space */
        error = syscall5(SYS_CAP_MINT, addr.server_space, nt.value, nt.value, 0,
                         CAP_RIGHT_RECV).error;
        if (error != E_OK)
            return error;
        server_args.notification = nt.value;
        for (unsigned i = 0; i < n && error == E_OK; i++) {
            error = mint_send(kip->root_space, nt.value, badge_slot(i), 1ull << i);
            s->raise_dest[i] = badge_slot(i);
        }
        if (error != E_OK)
            return error;
    }
    error = (uint64_t)thread_spawn(addr.server_space, server, (uint64_t)(uintptr_t)&server_args,
                                   server_prio, &s->server);
    if (error != E_OK)
        return error;
    if (!addr.notify) {
        for (unsigned i = 0; i < n; i++) {
            helper_args[i] = (struct helper_args){
                .recv_from = kip->root_tid,
                .server_dest = addr.endpoints ? SERVER_SEND_SLOT : s->server.tid,
                .source = i};
            if (addr.endpoints) {
                uint64_t ep = endpoint_for(addr.server_space);
                if (ep == IPC_NIL)
                    return E_NO_MEMORY;
                s->endpoints[s->endpoints_made++] = ep;
                helper_args[i].recv_from = ep;
                s->raise_dest[i] = ep;
            }
            error = (uint64_t)thread_spawn(addr.server_space, helper,
                                           (uint64_t)(uintptr_t)&helper_args[i],
                                           server_prio, &s->helpers[i]);
            if (error != E_OK)
                return error;
            s->helpers_made++;
            if (!addr.endpoints)
                s->raise_dest[i] = s->helpers[i].tid;
        }
    }
    s->frames_after = kip->frames_free;
    quiesce();
    return E_OK;
}

/* Threads first (their runtime slots), then the space (its capabilities), then the
 * root's capabilities, the last ones to each object: the objects go, and the root's
 * quota comes back. */
static void teardown(struct setup *s)
{
    for (unsigned i = 0; i < s->helpers_made; i++)
        thread_release(&s->helpers[i]);
    if (s->server.tid)
        thread_release(&s->server);
    if (s->space)
        syscall5(SYS_SPACE_DESTROY, s->space, 0, 0, 0, 0);
    for (unsigned i = 0; i < s->endpoints_made; i++) {
        syscall5(SYS_CAP_DELETE, s->endpoints[i], 0, 0, 0, 0);
    }
    if (s->notification != IPC_NIL) {
        for (unsigned i = 0; i < MAX_SOURCES; i++)
            syscall5(SYS_CAP_DELETE, badge_slot(i), 0, 0, 0, 0);
        syscall5(SYS_CAP_DELETE, s->notification, 0, 0, 0, 0);
    }
}

static uint64_t raise_event(const struct setup *s, unsigned i)
{
    if (addr.notify)
        return syscall5(SYS_SIGNAL, s->raise_dest[i], 0, 0, 0, 0).error;
    return ipc(SYS_SEND, s->raise_dest[i], tag_make(0, 0), 0);
}

/* One burst of n events; the instructions from the first raise to the server's count
 * of the last. */
static uint64_t burst(const struct setup *s, unsigned n, uint64_t *errors)
{
    shared.seen_events = 0;
    shared.seen_mask = 0;
    shared.server_calls = 0;
    shared.expected = n;
    uint64_t done_from = addr.endpoints ? done_endpoint : s->server.tid;
    uint64_t t0 = counter_read();
    for (unsigned i = 0; i < n; i++)
        *errors += raise_event(s, i) != E_OK;
    *errors += ipc(SYS_RECV, 0, 0, done_from) != E_OK;
    shared.expected = 0;
    *errors += shared.seen_mask != full_mask(n) || shared.seen_events != n;
    return shared.t_done - t0;
}

static unsigned sweep_len(unsigned k)
{
    return 1u << k;
}

static void name_check(char *buf, const char *what, unsigned n)
{
    unsigned i = 0;
    for (const char *p = what; *p; p++)
        buf[i++] = *p;
    buf[i++] = '_';
    buf[i++] = 'n';
    if (n >= 10)
        buf[i++] = (char)('0' + n / 10);
    buf[i++] = (char)('0' + n % 10);
    buf[i] = '\0';
}

/* Both scenarios for n sources; returns the number of CASEs printed. */
static unsigned measure_sources(const struct workload_env *env, unsigned id, unsigned n,
                                int64_t *threads, int64_t *kernel_bytes)
{
    unsigned first = id;
    char name[48];
    for (int sc = QUEUED; sc <= IMMEDIATE; sc++) {
        struct setup s;
        uint64_t error = build(&s, n, sc == QUEUED ? SERVER_BELOW : SERVER_ABOVE);
        name_check(name, sc == QUEUED ? "setup_queued" : "setup_immediate", n);
        report_check_count(env->checks, env->failed, name, E_OK, error);
        if (sc == QUEUED) {
            *threads = 1 + (int64_t)s.helpers_made;
            *kernel_bytes = (int64_t)((s.frames_before - s.frames_after) * USER_PAGE_SIZE +
                                      (1 + s.helpers_made) * kip->tcb_bytes +
                                      s.endpoints_made * kip->endpoint_bytes +
                                      s.notifications_made * kip->notification_bytes);
        }
        uint64_t errors = error != E_OK;
        unsigned rounds = env->warmup + env->samples;
        for (unsigned r = 0; r < rounds && !error; r++) {
            uint64_t cost = burst(&s, n, &errors);
            if (r >= env->warmup) {
                values[r - env->warmup] = (int64_t)((cost + n / 2) / n);
                calls_per_burst[r - env->warmup] = shared.server_calls;
            }
            quiesce();
        }
        errors += shared.errors + shared.duplicates;
        shared.errors = shared.duplicates = 0;
        name_check(name, sc == QUEUED ? "events_queued" : "events_immediate", n);
        report_check_count(env->checks, env->failed, name, 0, errors);
        if (errors)
            for (unsigned i = 0; i < env->samples; i++)
                values[i] = calls_per_burst[i] = 0;    /* CHECK failed: nothing to trust */
        report_case(id++, scenario_bench[sc], "cross", n, "per_event", 0, values,
                    env->samples);
        for (unsigned i = 0; i < env->samples; i++)
            values[i] = (int64_t)calls_per_burst[i];
        report_case(id++, scenario_bench[sc], "cross", n, "server_calls", 0, values,
                    env->samples);
        teardown(&s);
    }
    return id - first;
}

/* ------------------------------------------------------------------ signal cost */

struct waiter_args {
    uint64_t notification;
};
static struct waiter_args waiter_args;

static void waiter(uint64_t arg)
{
    struct waiter_args *w = (struct waiter_args *)(uintptr_t)arg;
    for (;;) {
        struct ipc_args a = {.nr = SYS_WAIT, .dest = w->notification};
        ipc_stub(&a);
        shared.waiter_t_after = a.t_after;
        shared.waiter_errors += a.error != E_OK;
    }
}

static unsigned signal_cases(const struct workload_env *env, unsigned id)
{
    unsigned first = id;
    static const char *const metric[] = {"to_higher", "to_lower"};
    for (int k = 0; k < 2; k++) {
        int64_t space = space_with_root_image();
        addr.server_space = (uint64_t)space;
        struct sys_result nt = syscall5(SYS_NOTIFY_CREATE, 0, 0, 0, 0, 0);
        uint64_t error = space < 0 ? E_NO_MEMORY : nt.error;
        if (!error)
            error = syscall5(SYS_CAP_MINT, addr.server_space, nt.value, nt.value, 0,
                             CAP_RIGHT_RECV).error;
        waiter_args.notification = nt.value;
        struct thread_info t = {0};
        if (!error)
            error = (uint64_t)thread_spawn(addr.server_space, waiter,
                                           (uint64_t)(uintptr_t)&waiter_args,
                                           k == 0 ? SERVER_ABOVE : SERVER_BELOW, &t);
        report_check_count(env->checks, env->failed,
                           k == 0 ? "signal_setup_higher" : "signal_setup_lower", E_OK, error);
        uint64_t errors = error != E_OK;
        unsigned rounds = env->warmup + env->samples;
        for (unsigned r = 0; r < rounds && !error; r++) {
            quiesce();     /* the waiter is blocked in its wait */
            struct ipc_args a = {.nr = SYS_SIGNAL, .dest = nt.value};
            ipc_stub(&a);
            errors += a.error != E_OK;
            if (r < env->warmup)
                continue;
            uint64_t end = k == 0 ? shared.waiter_t_after : a.t_after;
            values[r - env->warmup] = (int64_t)(end - a.t_before - env->overhead);
            starts[r - env->warmup] = a.t_before;
        }
        quiesce();
        errors += shared.waiter_errors;
        shared.waiter_errors = 0;
        report_check_count(env->checks, env->failed,
                           k == 0 ? "signal_higher_ok" : "signal_lower_ok", 0, errors);
        if (errors)
            for (unsigned i = 0; i < env->samples; i++)
                values[i] = 0;
        report_case_at(id++, "signal", "cross", 0, metric[k], 0,
                       (struct overhead){env->overhead, model_run.hot.at}, values, starts,
                       env->samples);
        if (t.tid)
            thread_release(&t);
        if (space >= 0)
            syscall5(SYS_SPACE_DESTROY, (uint64_t)space, 0, 0, 0, 0);
        if (!nt.error)
            syscall5(SYS_CAP_DELETE, nt.value, 0, 0, 0, 0);
    }
    return id - first;
}

/* ------------------------------------------------------------------ the run */

static unsigned notifications_run(const struct workload_env *env)
{
    unsigned max_sources = (unsigned)workload_arg("max_sources", MAX_SOURCES);
    if (max_sources < 1 || max_sources > MAX_SOURCES)
        max_sources = MAX_SOURCES;
    unsigned sweep = 0;
    while (sweep < SWEEP_COUNT && sweep_len(sweep) <= max_sources)
        sweep++;
    addr.endpoints = kip_config_is("dest", "endpoint");
    addr.notify = kip_config_is("notify", "notify");
    unsigned planned = sweep * (4 + 2) + (addr.notify ? 2 : 0);
    report_plan(planned);

    /* the rest thread, in the root's space, and where a finished burst is reported */
    struct thread_info rest_thread;
    rest_args.recv_from = IPC_ANY;
    rest_dest = 0;
    uint64_t error = E_OK;
    if (addr.endpoints) {
        uint64_t ep = endpoint_for(kip->root_space);
        done_endpoint = endpoint_for(kip->root_space);
        error = ep == IPC_NIL || done_endpoint == IPC_NIL ? E_NO_MEMORY : E_OK;
        rest_args.recv_from = ep;
        rest_dest = ep;
    }
    if (!error)
        error = (uint64_t)thread_spawn(kip->root_space, rest, (uint64_t)(uintptr_t)&rest_args,
                                       REST_PRIORITY, &rest_thread);
    if (!addr.endpoints)
        rest_dest = rest_thread.tid;
    report_check_count(env->checks, env->failed, "rest_thread", E_OK, error);
    if (error)
        return 0;

    unsigned id = env->first_case;
    int64_t threads[SWEEP_COUNT], kbytes[SWEEP_COUNT];
    for (unsigned k = 0; k < sweep; k++) {
        id += measure_sources(env, id, sweep_len(k), &threads[k], &kbytes[k]);
    }
    for (unsigned k = 0; k < sweep; k++) {
        report_case(id++, "resources", "cross", sweep_len(k), "threads", 0, &threads[k], 1);
        report_case(id++, "resources", "cross", sweep_len(k), "kernel_bytes", 0, &kbytes[k],
                    1);
    }
    if (addr.notify)
        id += signal_cases(env, id);
    else
        report_skip("signal", "cross", 0, "no_notifications");
    return id - env->first_case;
}

WORKLOAD(notifications, "notifications", notifications_run);
