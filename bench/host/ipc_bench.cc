// Linux IPC round trips between two processes, timed with Google Benchmark: the
// baseline a user would reach for instead of a microkernel, on the same machine.
//
//   linux_ipc_rt/case:C/pin:P   C in pipe, socketpair, eventfd, futex; P is "same"
//       (parent and child pinned to one CPU) or "cross" (two different CPUs). One
//       iteration = one round trip of a 1-byte (eventfd, futex: 8/4-byte) message:
//       the parent sends, the child receives and answers, the parent receives the
//       answer. Wall-clock (real) time per iteration, in host nanoseconds.
//   linux_null_syscall/case:getppid/pin:self   one syscall(SYS_getppid) in one process
//       pinned to one CPU: the kernel entry and exit floor. getppid is never served
//       by the vDSO nor cached by glibc, and does no work beyond reading one field.
//
// Each benchmark run (Google Benchmark calls the function once per repetition and
// while it sizes the iteration count) forks a fresh child, pins both processes,
// does kWarmup untimed round trips, then runs the timed loop, then stops and reaps
// the child. Fork, pinning, warm-up and teardown are outside the timed loop.
#include <benchmark/benchmark.h>

#include <errno.h>
#include <fcntl.h>
#include <linux/futex.h>
#include <sched.h>
#include <signal.h>
#include <sys/eventfd.h>
#include <sys/mman.h>
#include <sys/socket.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

#include <atomic>
#include <cstdint>
#include <cstdio>
#include <cstring>
#include <string>
#include <vector>

namespace {

const int kWarmup = 1000;  // untimed round trips after fork, before the timed loop

cpu_set_t original_mask;
int cpu_a = -1, cpu_b = -1;  // the first two CPUs this process may run on

void pin_self(int cpu)
{
    cpu_set_t s;
    CPU_ZERO(&s);
    CPU_SET(cpu, &s);
    if (sched_setaffinity(0, sizeof s, &s) != 0) {
        std::perror("sched_setaffinity");
        _exit(3);
    }
}

void unpin_self()
{
    sched_setaffinity(0, sizeof original_mask, &original_mask);
}

bool full_write(int fd, const void *buf, size_t n)
{
    for (;;) {
        ssize_t r = write(fd, buf, n);
        if (r == (ssize_t)n)
            return true;
        if (r < 0 && errno == EINTR)
            continue;
        return false;
    }
}

// Returns bytes read (n), 0 at end of file, -1 on error.
ssize_t full_read(int fd, void *buf, size_t n)
{
    for (;;) {
        ssize_t r = read(fd, buf, n);
        if (r < 0 && errno == EINTR)
            continue;
        return r;
    }
}

// One byte out on fd `out`, the answer back on fd `in`: the parent's side of a
// byte-stream round trip (pipes, sockets).
bool byte_round_trip(int out, int in)
{
    char c = 'x';
    return full_write(out, &c, 1) && full_read(in, &c, 1) == 1;
}

// The child's side: echo each byte from `in` to `out` until end of file (the parent
// closed its end). 0 on a clean stop, 1 on an error.
int byte_echo(int in, int out)
{
    char c;
    for (;;) {
        ssize_t r = full_read(in, &c, 1);
        if (r == 0)
            return 0;
        if (r != 1 || !full_write(out, &c, 1))
            return 1;
    }
}

// ---- the channels: each has parent_round_trip(), child_serve() (until told to
// stop) and stop(). The child runs child_serve() and _exit()s.

struct PipeChan {
    int p2c[2] = {-1, -1}, c2p[2] = {-1, -1};
    bool open() { return pipe(p2c) == 0 && pipe(c2p) == 0; }
    void in_child() { close(p2c[1]); close(c2p[0]); }
    void in_parent() { close(p2c[0]); close(c2p[1]); }
    bool round_trip() { return byte_round_trip(p2c[1], c2p[0]); }
    int serve() { return byte_echo(p2c[0], c2p[1]); }
    void stop() { close(p2c[1]); close(c2p[0]); }
};

struct SocketChan {
    int sv[2] = {-1, -1};
    bool open() { return socketpair(AF_UNIX, SOCK_STREAM, 0, sv) == 0; }
    void in_child() { close(sv[0]); }
    void in_parent() { close(sv[1]); }
    bool round_trip() { return byte_round_trip(sv[0], sv[0]); }
    int serve() { return byte_echo(sv[1], sv[1]); }
    void stop() { close(sv[0]); }
};

struct EventfdChan {
    static constexpr uint64_t kStop = 2;
    int p2c = -1, c2p = -1;  // blocking eventfds, one per direction
    bool open()
    {
        p2c = eventfd(0, EFD_CLOEXEC);
        c2p = eventfd(0, EFD_CLOEXEC);
        return p2c >= 0 && c2p >= 0;
    }
    void in_child() {}
    void in_parent() {}
    bool round_trip()
    {
        uint64_t v = 1;
        return full_write(p2c, &v, 8) && full_read(c2p, &v, 8) == 8 && v == 1;
    }
    int serve()
    {
        uint64_t v;
        for (;;) {
            if (full_read(p2c, &v, 8) != 8)
                return 1;
            if (v == kStop)
                return 0;
            if (!full_write(c2p, &v, 8))
                return 1;
        }
    }
    void stop()
    {
        uint64_t v = kStop;
        full_write(p2c, &v, 8);
        close(p2c);
        close(c2p);
    }
};

long futex(std::atomic<uint32_t> *addr, int op, uint32_t val)
{
    // Shared (not FUTEX_PRIVATE_FLAG) futexes: the words live in a MAP_SHARED page
    // that the two processes share after fork.
    return syscall(SYS_futex, reinterpret_cast<uint32_t *>(addr), op, val, nullptr, nullptr, 0);
}

struct FutexChan {
    static constexpr uint32_t kStop = 0xffffffffu;
    struct Words {
        std::atomic<uint32_t> ping, pong;  // sequence numbers: parent -> child, child -> parent
    };
    static_assert(sizeof(std::atomic<uint32_t>) == 4, "futex words are 32 bits");
    Words *w = nullptr;
    uint32_t seq = 0;
    bool open()
    {
        void *p = mmap(nullptr, 4096, PROT_READ | PROT_WRITE, MAP_SHARED | MAP_ANONYMOUS, -1, 0);
        if (p == MAP_FAILED)
            return false;
        w = new (p) Words;
        w->ping.store(0);
        w->pong.store(0);
        return true;
    }
    void in_child() {}
    void in_parent() {}
    // Post seq on one word, wake the other side, sleep until the answer appears.
    bool round_trip()
    {
        uint32_t s = ++seq;
        if (s == kStop)
            s = seq = 1;  // never reached in practice (2^32 round trips)
        w->ping.store(s, std::memory_order_release);
        futex(&w->ping, FUTEX_WAKE, 1);
        for (;;) {
            uint32_t v = w->pong.load(std::memory_order_acquire);
            if (v == s)
                return true;
            if (futex(&w->pong, FUTEX_WAIT, v) != 0 && errno != EAGAIN && errno != EINTR)
                return false;
        }
    }
    int serve()
    {
        uint32_t last = 0;
        for (;;) {
            uint32_t v = w->ping.load(std::memory_order_acquire);
            if (v == last) {
                if (futex(&w->ping, FUTEX_WAIT, v) != 0 && errno != EAGAIN && errno != EINTR)
                    return 1;
                continue;
            }
            if (v == kStop)
                return 0;
            last = v;
            w->pong.store(v, std::memory_order_release);
            futex(&w->pong, FUTEX_WAKE, 1);
        }
    }
    void stop()
    {
        w->ping.store(kStop, std::memory_order_release);
        futex(&w->ping, FUTEX_WAKE, 1);
    }
    ~FutexChan()
    {
        if (w)
            munmap(w, 4096);
    }
};

template <class Chan>
void BM_round_trip(benchmark::State &st, bool cross)
{
    if (cross && cpu_b < 0) {
        st.SkipWithError("skipped: cross-core needs 2 CPUs, this process may use only 1");
        return;
    }
    Chan ch;
    if (!ch.open()) {
        st.SkipWithError("cannot create the channel");
        return;
    }
    pin_self(cpu_a);
    pid_t pid = fork();
    if (pid < 0) {
        unpin_self();
        st.SkipWithError("fork failed");
        return;
    }
    if (pid == 0) {
        pin_self(cross ? cpu_b : cpu_a);
        ch.in_child();
        _exit(ch.serve());
    }
    ch.in_parent();
    bool ok = true;
    for (int i = 0; i < kWarmup && ok; i++)
        ok = ch.round_trip();
    if (ok) {
        for (auto _ : st) {
            if (!ch.round_trip()) {
                ok = false;
                break;
            }
        }
    }
    ch.stop();
    int status = 0;
    if (!ok)
        kill(pid, SIGKILL);
    waitpid(pid, &status, 0);
    unpin_self();
    if (!ok || !WIFEXITED(status) || WEXITSTATUS(status) != 0)
        st.SkipWithError("round trip failed or child did not exit cleanly");
}

void BM_null_syscall(benchmark::State &st)
{
    pin_self(cpu_a);
    for (int i = 0; i < kWarmup; i++)
        benchmark::DoNotOptimize(syscall(SYS_getppid));
    for (auto _ : st)
        benchmark::DoNotOptimize(syscall(SYS_getppid));
    unpin_self();
}

// The grid; harness/ipclab/hostbench.py (EXPECTED) holds the same names.
template <class Chan>
void register_case(const char *name)
{
    for (bool cross : {false, true}) {
        std::string n = std::string("linux_ipc_rt/case:") + name + "/pin:" + (cross ? "cross" : "same");
        benchmark::RegisterBenchmark(n.c_str(), BM_round_trip<Chan>, cross)
            ->UseRealTime()
            ->Unit(benchmark::kNanosecond);
    }
}

}  // namespace

int main(int argc, char **argv)
{
    if (sched_getaffinity(0, sizeof original_mask, &original_mask) != 0) {
        std::perror("sched_getaffinity");
        return 1;
    }
    for (int c = 0; c < CPU_SETSIZE; c++) {
        if (!CPU_ISSET(c, &original_mask))
            continue;
        if (cpu_a < 0)
            cpu_a = c;
        else if (cpu_b < 0)
            cpu_b = c;
    }
    if (cpu_b < 0)
        std::fprintf(stderr, "ipc_bench: only one CPU available: cross-core cases are skipped\n");
    benchmark::AddCustomContext("ipclab_cpu_a", std::to_string(cpu_a));
    benchmark::AddCustomContext("ipclab_cpu_b", cpu_b < 0 ? "none" : std::to_string(cpu_b));
    benchmark::AddCustomContext("ipclab_cpus_allowed", std::to_string(CPU_COUNT(&original_mask)));
    benchmark::AddCustomContext("ipclab_null_syscall", "syscall(SYS_getppid)");
    benchmark::AddCustomContext("ipclab_warmup_round_trips", std::to_string(kWarmup));

    register_case<PipeChan>("pipe");
    register_case<SocketChan>("socketpair");
    register_case<EventfdChan>("eventfd");
    register_case<FutexChan>("futex");
    benchmark::RegisterBenchmark("linux_null_syscall/case:getppid/pin:self", BM_null_syscall)
        ->UseRealTime()
        ->Unit(benchmark::kNanosecond);

    benchmark::Initialize(&argc, argv);
    if (benchmark::ReportUnrecognizedArguments(argc, argv))
        return 1;
    benchmark::RunSpecifiedBenchmarks();
    benchmark::Shutdown();
    return 0;
}
