/*
 * Workload irq-latency (variants/experiments/irq-latency.conf): how long a device's
 * interrupt takes to reach its user-level handler, measured as sel4bench's irquser
 * does. A low-priority spinner (the root task) keeps writing the counter to a shared
 * word; the user timer fires periodically; the handler (top priority) reads the counter
 * as soon as it runs and takes the spinner's last stamp from it: the interrupt arrived
 * between that stamp and the next, so the difference is the interrupt-to-handler
 * latency (kernel entry, delivery as the kernel's IRQ mode has it, the switch, the
 * handler's return from its wait). The handler then arms the next deadline and
 * acknowledges the line, as a driver does.
 *
 *   CASE irq/self/latency len=0    wake-up stamp - the spinner's last stamp (irquser)
 *   CASE irq/self/deadline len=0   wake-up stamp - the deadline the timer was armed for
 *
 * Under icount both are guest instructions, and where the timer lands in virtual time
 * is the same in every boot. ARGS: period=<counter ticks between deadlines>.
 */
#include "irq.h"
#include "workload.h"

#define HANDLER_PRIORITY (BENCH_PRIORITY + 50)

static volatile uint64_t stamp;         /* the spinner's last counter read */
static volatile uint64_t handler_done, handler_errors;
static int64_t latency[MAX_SAMPLES], to_deadline[MAX_SAMPLES];
static unsigned n_samples, n_warmup;
static uint64_t period;

static void handler(uint64_t unused)
{
    (void)unused;
    struct irq_handle h;
    if (irq_open(&h, IRQ_LINE_TIMER, IPC_NIL) != E_OK) {
        handler_errors++;
        handler_done = 1;
        for (;;)
            syscall5(SYS_YIELD, 0, 0, 0, 0, 0);
    }
    uint64_t deadline = counter_read() + period;
    timer_arm(deadline);
    for (unsigned i = 0; i < n_warmup + n_samples; i++) {
        handler_errors += irq_wait(&h, 0, 0) != E_OK;
        uint64_t now = counter_read();
        uint64_t last = stamp;
        if (i >= n_warmup) {
            latency[i - n_warmup] = (int64_t)(now - last);
            to_deadline[i - n_warmup] = (int64_t)(now - deadline);
        }
        /* The next deadline a period on, shifted by a few ticks so that the interrupt
         * meets the spinner at every point of its loop. */
        deadline += period + (i % 7);
        if (i + 1 < n_warmup + n_samples)
            handler_errors += timer_arm(deadline) != E_OK;
        handler_errors += irq_ack(&h) != E_OK;
    }
    handler_done = 1;
    for (;;)                            /* the timer is no longer armed: for good */
        irq_wait(&h, 0, 0);
}

static unsigned run(const struct workload_env *env)
{
    n_samples = env->samples;
    n_warmup = env->warmup;
    period = workload_arg("period", 100000);
    report_plan(2);
    struct thread_info t;
    report_check_count(env->checks, env->failed, "irq_handler_started", E_OK,
                       (uint64_t)thread_spawn(kip->root_space, handler, 0, HANDLER_PRIORITY,
                                              &t));
    while (!handler_done)               /* the spinner: stamp, stamp, stamp */
        stamp = counter_read();
    report_check_count(env->checks, env->failed, "irq_handler_errors", 0, handler_errors);
    report_case(env->first_case, "irq", "self", 0, "latency", 0, latency, n_samples);
    report_case(env->first_case + 1, "irq", "self", 0, "deadline", 0, to_deadline, n_samples);
    thread_release(&t);
    return 2;
}

WORKLOAD(irq_latency, "irq-latency", run);
