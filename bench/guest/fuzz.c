/*
 * The system-call fuzzer (boot command line mode=fuzz seed=S calls=N check=K trace=T).
 *
 * Threads in two address spaces of their own (B and C) make random system calls with
 * arguments biased towards the values that break kernels: 0, -1, kernel, non-canonical
 * and unmapped addresses, the top of the user half, live and stale thread IDs and space
 * handles, every capability slot and beyond, every tag and right bit. The root task
 * (trusted, in its own space) orchestrates and checks: every K calls it
 *   - calls an echo server and checks every word comes back inverted, from the right
 *     sender (the kernel still transfers messages correctly),
 *   - checks a canary page of its own that B and C map read-only (no kernel write path,
 *     no permission bug lets a fuzzer or the kernel on its behalf change it),
 *   - replaces the fuzzers that made no progress (blocked for good, or dead) and now and
 *     then one that did, so threads die while others wait on them, refills the
 *     capabilities the fuzzers deleted (endpoints die while in use), and every few
 *     checks destroys space C with its threads and makes it again.
 * At the end every fuzzer thread and both spaces are destroyed and the kernel must have
 * every frame back. A PANIC ends the run; any failed invariant ends it at once, naming
 * the call count it was found at, so the harness can look for the shortest failing
 * prefix (harness fuzz). Under icount the whole run is a function of the seed and N.
 *
 * The fuzzers run the image's code but may write nothing of it except the arena below
 * (mapped writable into B and C; the rest read-only), so they cannot corrupt the
 * checker. With trace=1 each fuzzer prints every call before it makes it (the kernel
 * marks those lines as a user thread's, "user <tid>| IPCLAB 2 FUZZ-CALL ..."), so the
 * trace is there even when the call it ends with panics the kernel.
 */
#include "runtime.h"

#define FUZZERS_PER_SPACE 2
#define FUZZERS (2 * FUZZERS_PER_SPACE)
#define FUZZ_STACK 8192
#define POOL_SIZE 48
#define FORCED_YIELD_EVERY 64      /* calls: the root gets the CPU back regularly */
#define STALL_YIELDS 64            /* root yields without progress: replace everyone */
#define RECYCLE_SPACE_EVERY 8      /* checks */
#define FUZZ_ENDPOINTS 4           /* endpoints the fuzzers share, slots 1..4 of B and C */
#define FUZZ_NOTIFICATIONS 2       /* notifications they share, the slots after those */
#define FUZZ_PRIORITY BENCH_PRIORITY
#define ECHO_PRIORITY (BENCH_PRIORITY + 10)
#define ECHO_WORDS 8
#define CANARY_WORD 0xCA7A5CA7A5CA7A5Cull

struct fuzz_call {
    uint64_t index, fuzzer, nr, a[5], error;
};

#define TRACE_LINE 256

/* Everything a fuzzer thread may write. */
struct fuzz_arena {
    uint64_t target;
    uint64_t trace;
    volatile uint64_t calls;               /* made so far, by all fuzzers */
    volatile uint64_t progress[FUZZERS];
    uint64_t seed[FUZZERS];
    uint64_t pool[POOL_SIZE];              /* interesting values, refreshed by the root */
    uint64_t own_space[FUZZERS];
    unsigned char stacks[FUZZERS][FUZZ_STACK] __attribute__((aligned(16)));
};

static struct fuzz_arena arena __attribute__((section(".fuzzdata"), aligned(4096)));
extern char __image_base[], __fuzz_start[], __fuzz_end[], __image_end[];

static uint64_t canary[USER_PAGE_SIZE / 8] __attribute__((aligned(4096)));

static unsigned *n_checks, *n_failed;

static void check(const char *name, uint64_t expect, uint64_t got)
{
    report_check_count(n_checks, n_failed, name, expect, got);
}

static uint64_t sys(uint64_t nr, uint64_t a0, uint64_t a1, uint64_t a2, uint64_t a3,
                    uint64_t a4)
{
    return syscall5(nr, a0, a1, a2, a3, a4).error;
}

/* ---- the fuzzer threads: they write only the arena and their own stack ---- */

static uint64_t next_random(uint64_t *state)
{
    /* xorshift64*: fast, and a pure function of the seed. */
    uint64_t x = *state;
    x ^= x >> 12;
    x ^= x << 25;
    x ^= x >> 27;
    *state = x;
    return x * 0x2545F4914F6CDD1Dull;
}

static uint64_t edge_value(uint64_t *rng, unsigned fuzzer)
{
    static const uint64_t fixed[] = {
        0, 1, 2, ~0ull, 0x7fffffffffffffffull, 0x8000000000000000ull,
        0x1000, 0x100000, 0x3fffffff,                        /* kernel addresses */
        USER_BASE, USER_TOP - 8, USER_TOP, USER_CANONICAL_END,
        0xffff800000000000ull, 0x500000000ull,               /* non-canonical, unmapped */
        KIP_ADDRESS, ROOT_UTCB_ADDRESS,
        CAP_SLOTS - 1, CAP_SLOTS, 1000, 63, 64, 255, 256,
        TAG_SEND_NONBLOCK | TAG_RECV_NONBLOCK, TAG_LEN_MASK, TAG_LABEL_MASK,
        CAP_RIGHTS_ALL, CAP_RIGHT_SEND, CAP_RIGHT_RECV, 7,
        (1ull << 6) | 1, (1ull << 63) | 2,                   /* guard bits of a slot */
    };
    uint64_t r = next_random(rng);
    switch (r % 8) {
    case 0:
    case 1:
    case 2:
        return fixed[(r >> 8) % (sizeof(fixed) / sizeof(fixed[0]))];
    case 3:
    case 4:
    case 5:
        return arena.pool[(r >> 8) % POOL_SIZE];
    case 6:
        return (uint64_t)(uintptr_t)&arena.stacks[fuzzer][(r >> 8) % FUZZ_STACK];
    default:
        return next_random(rng);
    }
}

static uint64_t random_tag(uint64_t *rng)
{
    uint64_t r = next_random(rng);
    uint64_t len = (r & 1) ? (r >> 8) % 10 : (r >> 8) % 80;
    uint64_t tag = tag_make(len, r >> 32);
    /* Mostly non-blocking: a fuzzer that blocks for good stops fuzzing. */
    if ((r >> 16) % 4)
        tag |= TAG_SEND_NONBLOCK | TAG_RECV_NONBLOCK;
    if (!((r >> 20) % 16))
        tag |= next_random(rng) & ~(TAG_LEN_MASK | TAG_LABEL_MASK);
    return tag;
}

static uint64_t random_syscall(uint64_t *rng)
{
    uint64_t r = next_random(rng) % 100;
    if (r < 45)                                    /* IPC, in every form */
        return SYS_SEND + (next_random(rng) % 4);
    if (r < 90)
        return next_random(rng) % (SYS_SPACE_DESTROY + 1);
    if (r < 95)
        return SYS_YIELD;
    return next_random(rng) % 64 == 0 ? ~0ull : next_random(rng) % 64;
}

/* Line building on the fuzzer's own stack: it may not write the root's out.c buffer. */
static unsigned put_str(char *buf, unsigned at, const char *s)
{
    while (*s && at < TRACE_LINE - 1)
        buf[at++] = *s++;
    return at;
}

static unsigned put_hex(char *buf, unsigned at, uint64_t v)
{
    at = put_str(buf, at, "0x");
    bool started = false;
    for (int shift = 60; shift >= 0; shift -= 4) {
        unsigned d = (v >> shift) & 0xf;
        if (!d && !started && shift)
            continue;
        started = true;
        if (at < TRACE_LINE - 1)
            buf[at++] = (char)(d < 10 ? '0' + d : 'a' + d - 10);
    }
    return at;
}

static void trace_call(const struct fuzz_call *c)
{
    static const char *const keys[5] = {" a0=", " a1=", " a2=", " a3=", " a4="};
    char line[TRACE_LINE];
    unsigned at = put_str(line, 0, RESULT_LINE("FUZZ-CALL") " n=");
    at = put_hex(line, at, c->index);
    at = put_str(line, at, " fuzzer=");
    at = put_hex(line, at, c->fuzzer);
    at = put_str(line, at, " nr=");
    at = put_hex(line, at, c->nr);
    for (unsigned i = 0; i < 5; i++) {
        at = put_str(line, at, keys[i]);
        at = put_hex(line, at, c->a[i]);
    }
    line[at++] = '\n';
    syscall5(SYS_DEBUG_WRITE, (uint64_t)(uintptr_t)line, at, 0, 0, 0);
}

static void fuzzer(uint64_t index)
{
    uint64_t rng = arena.seed[index];
    while (arena.calls < arena.target) {
        uint64_t k = __atomic_fetch_add(&arena.calls, 1, __ATOMIC_RELAXED);
        struct fuzz_call c = {.index = k, .fuzzer = index, .nr = random_syscall(&rng)};
        for (unsigned i = 0; i < 5; i++)
            c.a[i] = edge_value(&rng, (unsigned)index);
        if (c.nr == SYS_SHUTDOWN)
            c.a[0] = 1;                    /* refused (root only), but never a clean 0 */
        if (c.nr == SYS_DEBUG_WRITE)        /* keep the log small: mostly empty writes */
            c.a[1] = k % 64 ? 0 : c.a[1] % 8;
        if (c.nr >= SYS_SEND && c.nr <= SYS_REPLY_WAIT) {
            struct ipc_args a = {.nr = c.nr, .dest = c.a[0], .tag = random_tag(&rng),
                                 .from = c.a[2]};
            for (unsigned i = 0; i < ABI_REG_WORDS; i++)
                a.mr[i] = next_random(&rng);
            c.a[1] = a.tag;
            if (arena.trace)
                trace_call(&c);
            ipc_stub(&a);
            c.error = a.error;
        } else {
            if (arena.trace)
                trace_call(&c);
            c.error = syscall5(c.nr, c.a[0], c.a[1], c.a[2], c.a[3], c.a[4]).error;
        }
        arena.progress[index]++;
        if (k % FORCED_YIELD_EVERY == 0)
            syscall5(SYS_YIELD, 0, 0, 0, 0, 0);
    }
    for (;;)                               /* done: stay out of the way */
        syscall5(SYS_YIELD, 0, 0, 0, 0, 0);
}

/* ---- the root: the world the fuzzers live in, and the checks ---- */

struct fuzz_world {
    uint64_t space[2];                     /* B, C */
    struct thread_info thread[FUZZERS];
    bool live[FUZZERS];
    uint64_t last_progress[FUZZERS];
    struct thread_info echo;
    uint64_t echo_dest, echo_from;         /* how the root calls it, how it receives */
    uint64_t dead_tids[8];
    unsigned dead_next;
    uint64_t dead_spaces[4];
    unsigned dead_space_next;
    uint64_t replaced, recycled, refills;
};

static struct fuzz_world world;

/* Where message word i travels: a register, or the UTCB past the register words. */
static uint64_t *echo_word(struct ipc_args *a, uint64_t utcb, unsigned i)
{
    return i < kip->reg_words ? &a->mr[i] : &((struct utcb *)(uintptr_t)utcb)->mr[i];
}

/* Answers every request, from the root or from a fuzzer, with its words inverted. */
static void echo_server(uint64_t from)
{
    struct ipc_args a = {.nr = SYS_RECV, .from = from};
    ipc_stub(&a);
    for (;;) {
        if (a.error != E_OK) {
            /* The reply found nobody waiting (a fuzzer sent, did not call), so the
             * receive phase did not run: receive afresh. */
            a = (struct ipc_args){.nr = SYS_RECV, .from = from};
            ipc_stub(&a);
            continue;
        }
        uint64_t len = tag_len(a.tag) < ECHO_WORDS ? tag_len(a.tag) : ECHO_WORDS;
        for (unsigned i = 0; i < len; i++)
            *echo_word(&a, world.echo.utcb_addr, i) = ~*echo_word(&a, world.echo.utcb_addr, i);
        a.nr = SYS_REPLY_WAIT;          /* a.dest: the sender (thread-ID addressing) */
        a.tag = tag_make(len, 0);
        a.from = from;
        ipc_stub(&a);
    }
}

/* A space whose only writable part of the root image is the arena. */
static int64_t fuzz_space(void)
{
    struct sys_result s = syscall5(SYS_SPACE_CREATE, 0, 0, 0, 0, 0);
    if (s.error)
        return -1;
    uint64_t base = (uint64_t)(uintptr_t)__image_base;
    uint64_t fstart = (uint64_t)(uintptr_t)__fuzz_start, fend = (uint64_t)(uintptr_t)__fuzz_end;
    uint64_t end = (uint64_t)(uintptr_t)__image_end;
    uint64_t e = sys(SYS_MAP, s.value, base, base, (fstart - base) / USER_PAGE_SIZE, 0);
    e |= sys(SYS_MAP, s.value, fstart, fstart, (fend - fstart) / USER_PAGE_SIZE, MAP_WRITABLE);
    if (end > fend)
        e |= sys(SYS_MAP, s.value, fend, fend, (end - fend) / USER_PAGE_SIZE, 0);
    return e ? -1 : (int64_t)s.value;
}

/* Fuzzer i: its space, its stack, a fresh seed from its slot and generation. */
static void spawn_fuzzer(unsigned i, uint64_t seed)
{
    uint64_t space = world.space[i / FUZZERS_PER_SPACE];
    arena.seed[i] = (seed ^ (0x9E3779B97F4A7C15ull * (i + 1 + world.replaced))) | 1;
    arena.own_space[i] = space;
    world.live[i] = false;
    if (thread_make(space, FUZZ_PRIORITY, &world.thread[i]) != E_OK)
        return;
    uint64_t sp = thread_stack_pointer((uint64_t)(uintptr_t)&arena.stacks[i][FUZZ_STACK]);
    if (sys(SYS_THREAD_START, world.thread[i].tid, (uint64_t)(uintptr_t)fuzzer, sp, i, 0))
        return;
    world.live[i] = true;
    world.last_progress[i] = arena.progress[i];
}

static void kill_fuzzer(unsigned i)
{
    world.dead_tids[world.dead_next++ % 8] = world.thread[i].tid;
    thread_release(&world.thread[i]);
    world.live[i] = false;
}

/* One new object (made by the root with `create`) minted into slot of B and C with all
 * rights and a badge, the root keeping no capability: so the fuzzers' own deletions
 * can destroy it while others use it. */
static void refill_slot(uint64_t create, uint64_t slot)
{
    struct sys_result obj = syscall5(create, 0, 0, 0, 0, 0);
    if (obj.error)
        return;
    for (unsigned s = 0; s < 2; s++)
        world.refills += sys(SYS_CAP_MINT, world.space[s], obj.value, slot, 1ull << slot,
                             CAP_RIGHTS_ALL) == E_OK;
    sys(SYS_CAP_DELETE, obj.value, 0, 0, 0, 0);
}

/* Endpoints (slots 1..FUZZ_ENDPOINTS) and notifications (the next FUZZ_NOTIFICATIONS)
 * for the fuzzers, where the kernel has them. */
static void refill_capabilities(void)
{
    if (kip_config_is("dest", "endpoint"))
        for (uint64_t slot = 1; slot <= FUZZ_ENDPOINTS; slot++)
            refill_slot(SYS_ENDPOINT_CREATE, slot);
    if (kip_config_is("notify", "notify"))
        for (uint64_t slot = FUZZ_ENDPOINTS + 1;
             slot <= FUZZ_ENDPOINTS + FUZZ_NOTIFICATIONS; slot++)
            refill_slot(SYS_NOTIFY_CREATE, slot);
}

static void refresh_pool(void)
{
    unsigned n = 0;
    arena.pool[n++] = kip->root_tid;
    arena.pool[n++] = kip->root_space;
    arena.pool[n++] = world.echo.tid;
    for (unsigned s = 0; s < 2; s++)
        arena.pool[n++] = world.space[s];
    for (unsigned i = 0; i < FUZZERS; i++)
        arena.pool[n++] = world.thread[i].tid;
    for (unsigned i = 0; i < 8; i++)
        arena.pool[n++] = world.dead_tids[i];
    for (unsigned i = 0; i < 4; i++)
        arena.pool[n++] = world.dead_spaces[i];
    arena.pool[n++] = (uint64_t)(uintptr_t)canary;
    arena.pool[n++] = (uint64_t)(uintptr_t)&arena;
    arena.pool[n++] = (uint64_t)(uintptr_t)__image_base;
    for (uint64_t slot = 0; n < POOL_SIZE; slot++)
        arena.pool[n++] = slot;
}

static bool make_space(unsigned s, uint64_t seed)
{
    int64_t space = fuzz_space();
    if (space < 0)
        return false;
    world.space[s] = (uint64_t)space;
    for (unsigned i = s * FUZZERS_PER_SPACE; i < (s + 1) * FUZZERS_PER_SPACE; i++)
        spawn_fuzzer(i, seed);
    return true;
}

/* Space C goes with its running fuzzers in it (the kernel kills them), then comes back. */
static void recycle_space_c(uint64_t seed)
{
    world.dead_spaces[world.dead_space_next++ % 4] = world.space[1];
    sys(SYS_SPACE_DESTROY, world.space[1], 0, 0, 0, 0);
    for (unsigned i = FUZZERS_PER_SPACE; i < FUZZERS; i++)
        if (world.live[i])
            kill_fuzzer(i);                /* already dead: only the runtime slot */
    make_space(1, seed + world.recycled);
    world.recycled++;
}

/* The invariants; the number of the ones broken. */
static unsigned invariants(uint64_t round)
{
    unsigned bad = 0;
    struct ipc_args a = {.nr = SYS_CALL, .dest = world.echo_dest,
                         .tag = tag_make(ECHO_WORDS, 0)};
    for (unsigned i = 0; i < ECHO_WORDS; i++)
        *echo_word(&a, kip->root_utcb, i) = 0xEC40000000000000ull | (round << 8) | i;
    ipc_stub(&a);
    bad += a.error != E_OK || tag_len(a.tag) != ECHO_WORDS;
    for (unsigned i = 0; i < ECHO_WORDS; i++)
        bad += *echo_word(&a, kip->root_utcb, i) != ~(0xEC40000000000000ull | (round << 8) | i);
    for (unsigned i = 0; i < USER_PAGE_SIZE / 8; i++)
        bad += canary[i] != (CANARY_WORD ^ i);
    bad += sys(SYS_NULL, 0, 0, 0, 0, 0) != E_OK;
    return bad;
}

unsigned fuzz_run(unsigned *checks, unsigned *failed)
{
    n_checks = checks;
    n_failed = failed;
    uint64_t seed = cmdline_u64(kip->cmdline, "seed", 1);
    uint64_t target = cmdline_u64(kip->cmdline, "calls", 10000);
    uint64_t every = cmdline_u64(kip->cmdline, "check", 1000);
    if (every == 0)
        every = 1000;
    arena.target = target;
    arena.trace = cmdline_u64(kip->cmdline, "trace", 0);
    for (unsigned i = 0; i < USER_PAGE_SIZE / 8; i++)
        canary[i] = CANARY_WORD ^ i;
    uint64_t frames_before = kip->frames_free;

    /* The echo server, and how the root reaches it. */
    world.echo_from = IPC_ANY;
    if (kip_config_is("dest", "endpoint")) {
        struct sys_result ep = syscall5(SYS_ENDPOINT_CREATE, 0, 0, 0, 0, 0);
        check("fuzz_echo_endpoint", E_OK, ep.error);
        world.echo_from = world.echo_dest = ep.value;
    }
    check("fuzz_echo_spawn", E_OK, (uint64_t)thread_spawn(kip->root_space, echo_server,
                                                          world.echo_from, ECHO_PRIORITY,
                                                          &world.echo));
    if (!kip_config_is("dest", "endpoint"))
        world.echo_dest = world.echo.tid;
    check("fuzz_spaces", 1, make_space(0, seed) && make_space(1, seed));
    refill_capabilities();
    refresh_pool();

    uint64_t rounds = 0, first_bad = 0, broken = 0;
    for (uint64_t next = every;; next += every) {
        unsigned idle_yields = 0;
        uint64_t seen = arena.calls;
        while (arena.calls < next && arena.calls < target) {
            sys(SYS_YIELD, 0, 0, 0, 0, 0);
            if (arena.calls != seen) {
                seen = arena.calls;
                idle_yields = 0;
            } else if (++idle_yields == STALL_YIELDS) {
                /* Every fuzzer blocked for good or dead: start them afresh. */
                for (unsigned i = 0; i < FUZZERS; i++) {
                    if (world.live[i])
                        kill_fuzzer(i);
                    spawn_fuzzer(i, seed + rounds);
                }
                world.replaced++;
                idle_yields = 0;
            }
        }
        rounds++;
        broken = invariants(rounds);
        if (broken) {
            first_bad = arena.calls;
            break;
        }
        if (arena.calls >= target)
            break;
        for (unsigned i = 0; i < FUZZERS; i++) {
            bool stalled = !world.live[i] || arena.progress[i] == world.last_progress[i];
            if (stalled || (seed + rounds + i) % 7 == 0) {   /* and some that were busy */
                if (world.live[i])
                    kill_fuzzer(i);
                spawn_fuzzer(i, seed + rounds);
                world.replaced++;
            }
            world.last_progress[i] = arena.progress[i];
        }
        if (rounds % RECYCLE_SPACE_EVERY == 0)
            recycle_space_c(seed + rounds);
        refill_capabilities();
        refresh_pool();
    }
    uint64_t calls = arena.calls < target ? arena.calls : target;

    /* The end: every fuzzer and both spaces gone, every frame back. */
    for (unsigned i = 0; i < FUZZERS; i++)
        if (world.live[i])
            kill_fuzzer(i);
    for (unsigned s = 0; s < 2; s++)
        check("fuzz_space_destroy", E_OK, sys(SYS_SPACE_DESTROY, world.space[s], 0, 0, 0, 0));
    thread_release(&world.echo);
    if (kip_config_is("dest", "endpoint"))
        sys(SYS_CAP_DELETE, world.echo_dest, 0, 0, 0, 0);
    out_str(RESULT_LINE("FUZZ"));
    out_field_u64("seed", seed);
    out_field_u64("calls", calls);
    out_field_u64("invariant_checks", rounds);
    out_field_u64("first_bad_call", first_bad);
    out_field_u64("replaced", world.replaced);
    out_field_u64("spaces_recycled", world.recycled);
    out_field_u64("capabilities_refilled", world.refills);
    out_str("\n");
    check("fuzz_invariants", 0, broken);
    check("fuzz_frames_back", frames_before, kip->frames_free);
    check("fuzz_kernel_runs_on", E_OK, sys(SYS_NULL, 0, 0, 0, 0, 0));
    return 0;
}
