// The kernel's own ready-queue code (kernel/core/sched.c, compiled unchanged for the
// host) timed with Google Benchmark. This file is compiled once per SCHED policy,
// each time against that policy's generated config.h and linked with sched.c built
// from the same config.h: build/host-bench/sched_bench_lazy and _benno (host.mk).
//
// Benchmarks (all times are host nanoseconds; see bench/host/README.md):
//   sched_pick/policy:P/nthreads:N/blocked:S   one sched_pick() with N threads of one
//       priority of which S percent blocked (in IPC) after they had been queued;
//       manual timing of the call alone, timer overhead subtracted, state restored
//       outside the timed region every iteration.
//   sched_wake_block/policy:P/nthreads:N       one thread becoming runnable and
//       blocking again (sched_wake + sched_block) beside N-1 queued runnable threads.
//   sched_ipc_switch/policy:P/nthreads:N       the scheduler calls of one IPC round
//       trip with direct process switch: block caller, activate server directly,
//       block server, activate caller directly.
#include <benchmark/benchmark.h>

#include <sched.h>
#include <time.h>

#include <algorithm>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <string>
#include <string_view>
#include <vector>

extern "C" {
#include "sched.h"
#include "kstat.h"
#include "usched.h"

// What sched.c calls outside itself, as in a kernel where no user-level scheduler
// exists (usched.c's state then): its hooks test usched_active and go on, and the pick
// counter counts, so the benchmark times the code the kernel runs.
bool usched_active = false;
bool usched_park_woken(struct tcb *) { return false; }
void usched_before_pick(void) {}
uint64_t kstat[KSTAT_COUNT];
}

#ifndef IPCLAB_POLICY
#error "compile with -DIPCLAB_POLICY=\"lazy\" or \"benno\" (see bench/host/host.mk)"
#endif

#if CONFIG_SCHED_LAZY
static_assert(std::string_view(IPCLAB_POLICY) == "lazy", "config.h says SCHED=lazy");
#else
static_assert(std::string_view(IPCLAB_POLICY) == "benno", "config.h says SCHED=benno");
#endif

namespace {

// The grid. harness/ipclab/hostbench.py holds the same lists (EXPECTED) and the smoke
// check fails when the two disagree.
const int kThreads[] = {1, 16, 64, 256, 1024, 4096};
const int kBlockedPct[] = {0, 50, 90};
const int kSwitchThreads[] = {1, 256, 4096};
const uint8_t kPrio = 100;

int64_t pick_iterations = 2000;  // --ipclab_pick_iterations=N

inline uint64_t now_ns()
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (uint64_t)ts.tv_sec * 1000000000ull + (uint64_t)ts.tv_nsec;
}

// Median cost of an empty timed region, measured once at start-up and subtracted
// from every pick sample (the sel4bench method).
double timer_overhead_ns = 0;

void calibrate_timer()
{
    std::vector<uint64_t> d(20001);
    for (auto &x : d) {
        uint64_t t0 = now_ns();
        benchmark::ClobberMemory();
        uint64_t t1 = now_ns();
        x = t1 - t0;
    }
    std::nth_element(d.begin(), d.begin() + d.size() / 2, d.end());
    timer_overhead_ns = (double)d[d.size() / 2];
}

int blocked_count(int n, int pct)
{
    int b = n * pct / 100;
    return b >= n ? n - 1 : b;  // at least one runnable thread
}

std::vector<struct tcb> make_threads(int n)
{
    std::vector<struct tcb> t((size_t)n);
    std::memset(t.data(), 0, sizeof(struct tcb) * t.size());
    for (auto &x : t) {
        x.prio = kPrio;
        x.state = THREAD_READY;
        x.timeslice_left = SCHED_TIMESLICE_TICKS;
    }
    return t;
}

// One iteration = one sched_pick() call, timed alone. Before it, the queue of the one
// priority in use holds (lazy) the b blocked threads first, then the n-b runnable
// ones; (benno) only the runnable ones. Lazy's pick walks past and drops the b blocked
// threads; Benno's takes the head. After it, outside the timed region, the blocked
// threads run and block again (state READY, sched_wake, state RECV_BLOCKED,
// sched_block: what IPC does to them) and the runnable threads rotate behind them, which
// restores exactly the state before the pick, for both policies, by the kernel's API.
void BM_pick(benchmark::State &st, int n, int pct)
{
    const int b = blocked_count(n, pct);
    std::vector<struct tcb> t = make_threads(n);
    sched_init();
    for (auto &x : t)
        sched_wake(&x);
    for (int i = 0; i < b; i++) {
        t[i].state = THREAD_RECV_BLOCKED;
        sched_block(&t[i]);
    }
    const uint64_t dropped0 = sched_lazy_dropped;
    const double overhead = timer_overhead_ns;
    int64_t wrong = 0;
    for (auto _ : st) {
        uint64_t t0 = now_ns();
        struct tcb *p = sched_pick();
        uint64_t t1 = now_ns();
        benchmark::DoNotOptimize(p);
        st.SetIterationTime(((double)(t1 - t0) - overhead) * 1e-9);
        wrong += p != &t[b];
        for (int i = 0; i < b; i++) {
            t[i].state = THREAD_READY;
            sched_wake(&t[i]);
            t[i].state = THREAD_RECV_BLOCKED;
            sched_block(&t[i]);
        }
        for (int i = b; i < n; i++)
            sched_rotate(&t[i]);
    }
    const uint64_t dropped = sched_lazy_dropped - dropped0;
    const uint64_t expect = CONFIG_SCHED_LAZY ? (uint64_t)b * (uint64_t)st.iterations() : 0;
    if (wrong != 0 || dropped != expect) {
        std::string msg = "state not restored: " + std::to_string(wrong) +
                          " wrong picks, dropped " + std::to_string(dropped) +
                          " expected " + std::to_string(expect);
        st.SkipWithError(msg.c_str());
        return;
    }
    st.counters["blocked_threads"] = b;
    st.counters["dropped_per_pick"] = st.iterations() ? (double)dropped / (double)st.iterations() : 0;
    st.counters["timer_overhead_ns"] = overhead;
}

// One iteration = one thread t becoming runnable and blocking again. Lazy: t stays
// queued when it blocks, so after the first iteration sched_wake finds it queued and
// both calls do nothing. Benno: an enqueue and a dequeue. N-1 other runnable threads
// share t's queue.
void BM_wake_block(benchmark::State &st, int n)
{
    std::vector<struct tcb> t = make_threads(n);
    sched_init();
    for (int i = 1; i < n; i++)
        sched_wake(&t[i]);
    struct tcb *x = &t[0];
    x->state = THREAD_RECV_BLOCKED;
    for (auto _ : st) {
        x->state = THREAD_READY;
        sched_wake(x);
        x->state = THREAD_RECV_BLOCKED;
        sched_block(x);
        benchmark::ClobberMemory();
    }
}

// One iteration = the scheduler calls of one IPC round trip with direct switching:
// the running client c calls server s (c blocks, s is switched to directly), s replies
// and waits again (s blocks, c is switched to directly). Lazy: both stay queued, no
// queue work. Benno: the running thread is never queued, again no queue work. N-1
// other runnable threads are queued behind.
void BM_ipc_switch(benchmark::State &st, int n)
{
    std::vector<struct tcb> t = make_threads(n + 1);
    sched_init();
    for (int i = 2; i < n + 1; i++)
        sched_wake(&t[i]);
    struct tcb *c = &t[0], *s = &t[1];
    sched_activate_direct(c);  // c is running
    s->state = THREAD_RECV_BLOCKED;
    for (auto _ : st) {
        c->state = THREAD_RECV_BLOCKED;
        sched_block(c);
        s->state = THREAD_READY;
        sched_activate_direct(s);
        s->state = THREAD_RECV_BLOCKED;
        sched_block(s);
        c->state = THREAD_READY;
        sched_activate_direct(c);
        benchmark::ClobberMemory();
    }
}

std::string name(const char *bench, const std::string &rest)
{
    return std::string(bench) + "/policy:" IPCLAB_POLICY + rest;
}

}  // namespace

int main(int argc, char **argv)
{
    // Own flags first; Google Benchmark rejects what it does not know.
    int out = 1;
    for (int i = 1; i < argc; i++) {
        const char *pfx = "--ipclab_pick_iterations=";
        if (std::strncmp(argv[i], pfx, std::strlen(pfx)) == 0) {
            pick_iterations = std::atoll(argv[i] + std::strlen(pfx));
            if (pick_iterations < 1) {
                std::fprintf(stderr, "bad %s\n", argv[i]);
                return 2;
            }
            continue;
        }
        argv[out++] = argv[i];
    }
    argc = out;

    // Pin to the first CPU this process may use: no migrations in mid-measurement.
    cpu_set_t mask;
    int cpu = -1;
    if (sched_getaffinity(0, sizeof mask, &mask) == 0) {
        for (int c = 0; c < CPU_SETSIZE && cpu < 0; c++)
            if (CPU_ISSET(c, &mask))
                cpu = c;
        cpu_set_t one;
        CPU_ZERO(&one);
        CPU_SET(cpu, &one);
        if (sched_setaffinity(0, sizeof one, &one) != 0)
            cpu = -1;
    }
    benchmark::AddCustomContext("ipclab_pinned_cpu", cpu < 0 ? "none" : std::to_string(cpu));

    calibrate_timer();
    benchmark::AddCustomContext("ipclab_sched_policy", IPCLAB_POLICY);
    benchmark::AddCustomContext("ipclab_variant", CONFIG_VARIANT);
    benchmark::AddCustomContext("ipclab_timer", "clock_gettime(CLOCK_MONOTONIC)");
    benchmark::AddCustomContext("ipclab_timer_overhead_ns", std::to_string(timer_overhead_ns));
    benchmark::AddCustomContext("ipclab_pick_iterations", std::to_string(pick_iterations));
    benchmark::AddCustomContext("ipclab_sizeof_tcb", std::to_string(sizeof(struct tcb)));

    for (int n : kThreads)
        for (int pct : kBlockedPct)
            benchmark::RegisterBenchmark(
                name("sched_pick", "/nthreads:" + std::to_string(n) + "/blocked:" + std::to_string(pct)).c_str(),
                BM_pick, n, pct)
                ->UseManualTime()
                ->Iterations(pick_iterations)
                ->Unit(benchmark::kNanosecond);
    for (int n : kSwitchThreads) {
        benchmark::RegisterBenchmark(name("sched_wake_block", "/nthreads:" + std::to_string(n)).c_str(),
                                     BM_wake_block, n)
            ->UseRealTime()
            ->Unit(benchmark::kNanosecond);
        benchmark::RegisterBenchmark(name("sched_ipc_switch", "/nthreads:" + std::to_string(n)).c_str(),
                                     BM_ipc_switch, n)
            ->UseRealTime()
            ->Unit(benchmark::kNanosecond);
    }

    benchmark::Initialize(&argc, argv);
    if (benchmark::ReportUnrecognizedArguments(argc, argv))
        return 1;
    benchmark::RunSpecifiedBenchmarks();
    benchmark::Shutdown();
    return 0;
}
