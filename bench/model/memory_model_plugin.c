/*
 * The QEMU glue: feeds the guest's instruction fetches, data accesses, CR3 writes,
 * serialising instructions and flush markers to the model (model.c), and writes one
 * record of the model's cumulative counters at every rdtsc (record_file.c).
 *
 *   qemu-system-x86_64 ... -plugin build/model/libipclab_model.so,records=run.rec,...
 *
 * Instrumentation, chosen to keep the count exact and the slowdown low:
 * - every instruction adds one to its block's `started` count exactly once: by an
 *   inline add when nothing else is needed, or inside its execution callback when it
 *   has one (so no instruction counts twice, and a record never depends on the order
 *   in which QEMU runs one instruction's inline ops and callbacks); retire_count.c
 *   turns started instructions into retired ones;
 * - an instruction gets an execution callback only if it is its block's first (which
 *   starts the block's execution and always fetches), starts a new L1I line within its
 *   block, follows a CR3 write or flush marker (its fetch must see the flushed TLB),
 *   reads the TSC, writes CR3, serialises or is the flush marker;
 * - every load and store gets a memory callback (which also tells retire_count.c that
 *   an access completed).
 * Plugin callbacks run inside QEMU's translated code and change nothing the guest can
 * see: under -icount the guest's TSC and output are the same with or without them
 * (tests/smoke_test.py checks this).
 */
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "model.h"
#include "params.h"
#include "qemu_plugin_api.h"
#include "record_file.h"
#include "retire_count.h"
#include "x86_insn.h"

QEMU_PLUGIN_EXPORT int qemu_plugin_version = QEMU_PLUGIN_VERSION;

#define LOG_PREFIX "ipclab-model: "

/* Messages go to QEMU's stderr directly: QEMU 7.2's qemu_plugin_outs() prints only
 * under -d plugin, and a refused argument or the totals must never go unseen. They
 * never reach the guest's serial console, which is stdout. */
static void say(const char *line)
{
    fputs(line, stderr);
    fflush(stderr);
}

/* What an instruction's hooks must do, decided once at translation. */
struct insn_plan {
    struct block_count *block;
    uint32_t index;         /* position in its block */
    uint64_t vaddr;
    uint64_t fetch_vaddr;   /* the part of the instruction in lines not yet fetched */
    uint64_t fetch_paddr;
    unsigned fetch_size;    /* 0: no fetch (its line was fetched by the previous one) */
    struct x86_insn_class cls;
};

/* Plans and block counters live as long as their translated code, whose end QEMU 7.2
 * does not announce: they come from chunks freed at exit. */
#define ARENA_CHUNK (256 * 1024)
struct arena_chunk {
    struct arena_chunk *next;
    size_t used;
    _Alignas(16) unsigned char bytes[ARENA_CHUNK];
};

static struct model model;
static struct retire_count retired;
static struct record_file records;
static bool records_enabled;
static bool records_failed;
static struct arena_chunk *arena;

static void *arena_alloc(size_t size)
{
    size = (size + 15) & ~(size_t)15;
    if (!arena || arena->used + size > ARENA_CHUNK) {
        struct arena_chunk *chunk = calloc(1, sizeof(*chunk));
        if (!chunk) {
            say(LOG_PREFIX "out of memory\n");
            abort();
        }
        chunk->next = arena;
        arena = chunk;
    }
    void *p = arena->bytes + arena->used;
    arena->used += size;
    return p;
}

static void write_record(enum record_kind kind, uint64_t pc)
{
    if (!records_enabled || records_failed)
        return;
    model.insns = retire_count_now(&retired);
    struct model_counters c;
    model_counters(&model, &c);
    struct record r = {
        .tsc = c.insns + (uint64_t)model.params.tsc_offset,
        .pc = pc,
        .kind = kind,
        .insns = c.insns,
        .cycles = c.cycles,
        .l1i_misses = c.l1i_misses,
        .l1d_misses = c.l1d_misses,
        .l2_misses = c.l2_misses,
        .l3_misses = c.l3_misses,
        .itlb_misses = c.itlb_misses,
        .dtlb_misses = c.dtlb_misses,
        .serializing = c.serializing,
    };
    if (!record_file_write(&records, &r))
        records_failed = true;
}

static void on_insn_exec(unsigned int vcpu_index, void *userdata)
{
    (void)vcpu_index;
    const struct insn_plan *plan = userdata;
    if (plan->index == 0)
        retire_block_entry(&retired, plan->block);
    if (plan->fetch_size)
        model_fetch(&model, plan->fetch_vaddr, plan->fetch_paddr, plan->fetch_size);
    if (plan->cls.reads_tsc)
        write_record(RECORD_RDTSC, plan->vaddr);
    if (plan->cls.flush_marker) {
        write_record(RECORD_FLUSH_MARKER, plan->vaddr);
        model_flush_all(&model);
    }
    if (plan->cls.writes_cr3)
        model_cr3_write(&model);
    if (plan->cls.serializing)
        model_serializing(&model);
    plan->block->started++; /* this instruction counts itself, after any record */
}

static void on_mem_access(unsigned int vcpu_index, qemu_plugin_meminfo_t info,
                          uint64_t vaddr, void *userdata)
{
    (void)vcpu_index;
    const struct insn_plan *plan = userdata;
    retire_memory_access(&retired, plan->block, plan->index);
    struct qemu_plugin_hwaddr *hw = qemu_plugin_get_hwaddr(info, vaddr);
    /* Device registers (MMIO) are uncached: they touch neither cache nor, in this
     * model, the TLB. */
    if (hw && qemu_plugin_hwaddr_is_io(hw))
        return;
    uint64_t paddr = hw ? qemu_plugin_hwaddr_phys_addr(hw) : vaddr;
    model_data(&model, vaddr, paddr, 1u << qemu_plugin_mem_size_shift(info));
}

/* A stand-in physical address for code: the host address QEMU fetched the bytes
 * from (README.md, "Physical addresses"). Tagged with bit 63 when QEMU has none, so
 * it cannot alias a real one. */
static uint64_t code_paddr(struct qemu_plugin_insn *insn, uint64_t vaddr)
{
    void *host = qemu_plugin_insn_haddr(insn);
    return host ? (uint64_t)(uintptr_t)host : vaddr | (1ull << 63);
}

/*
 * QEMU 7.2 (target/i386) translates an instruction that would cross from the block's
 * page into the next as part of the block only if it is the block's first; otherwise
 * it backs the instruction out and ends the block before it. The plugin's view of the
 * block still lists it, with only the bytes read before QEMU noticed, and its hooks
 * never run. Such a phantom is the last instruction but not the first, starts less
 * than a maximal instruction length (15 bytes) before the end of the block's page,
 * and its bytes are not a whole instruction: QEMU's own disassembler, which knows the
 * CPU mode, cannot decode them.
 */
static bool is_backed_out(const struct qemu_plugin_tb *tb, size_t index, size_t count)
{
    if (index == 0 || index + 1 != count)
        return false;
    struct qemu_plugin_insn *insn = qemu_plugin_tb_get_insn(tb, index);
    uint64_t page = qemu_plugin_tb_vaddr(tb) >> 12;
    if (((qemu_plugin_insn_vaddr(insn) + 14) >> 12) == page)
        return false;
    char *text = qemu_plugin_insn_disas(insn);
    bool undecodable = !text || strncmp(text, ".byte", 5) == 0 || strstr(text, "(bad)");
    free(text);
    return undecodable;
}

static void on_tb_translate(qemu_plugin_id_t id, struct qemu_plugin_tb *tb)
{
    (void)id;
    size_t n = qemu_plugin_tb_n_insns(tb);
    if (n > 0 && is_backed_out(tb, n - 1, n))
        n--;
    if (n == 0)
        return;
    struct block_count *block = arena_alloc(sizeof(*block));
    *block = (struct block_count){.insns = (uint32_t)n};
    unsigned line_shift = model.l1i.line_shift;
    bool must_fetch = true;   /* a block's first instruction always fetches */
    uint64_t fetched_line = 0;
    for (size_t i = 0; i < n; i++) {
        struct qemu_plugin_insn *insn = qemu_plugin_tb_get_insn(tb, i);
        uint64_t vaddr = qemu_plugin_insn_vaddr(insn);
        size_t size = qemu_plugin_insn_size(insn);
        struct x86_insn_class cls;
        x86_classify(qemu_plugin_insn_data(insn), size, &cls);
        if (i + 1 == n)
            block->last_accesses_memory = cls.always_accesses_memory;

        uint64_t end = vaddr + size; /* one past the last byte */
        uint64_t fetch_from = vaddr;
        if (!must_fetch && (vaddr >> line_shift) == fetched_line)
            fetch_from = (fetched_line + 1) << line_shift;
        unsigned fetch_size = fetch_from < end ? (unsigned)(end - fetch_from) : 0;

        struct insn_plan *plan = arena_alloc(sizeof(*plan));
        *plan = (struct insn_plan){
            .block = block,
            .index = (uint32_t)i,
            .vaddr = vaddr,
            .fetch_vaddr = fetch_from,
            .fetch_paddr = code_paddr(insn, vaddr) + (fetch_from - vaddr),
            .fetch_size = fetch_size,
            .cls = cls,
        };
        /* The first instruction's hook starts the block's execution (retire_count.c). */
        if (i == 0 || fetch_size || cls.reads_tsc || cls.writes_cr3 || cls.serializing ||
            cls.flush_marker)
            qemu_plugin_register_vcpu_insn_exec_cb(insn, on_insn_exec, QEMU_PLUGIN_CB_NO_REGS,
                                                   plan);
        else
            qemu_plugin_register_vcpu_insn_exec_inline(insn, QEMU_PLUGIN_INLINE_ADD_U64,
                                                       &block->started, 1);
        qemu_plugin_register_vcpu_mem_cb(insn, on_mem_access, QEMU_PLUGIN_CB_NO_REGS,
                                         QEMU_PLUGIN_MEM_RW, plan);

        fetched_line = (end - 1) >> line_shift;
        must_fetch = cls.writes_cr3 || cls.flush_marker;
    }
}

static void on_qemu_exit(qemu_plugin_id_t id, void *userdata)
{
    (void)id;
    (void)userdata;
    retire_finish(&retired);
    model.insns = retired.retired;
    struct model_counters c;
    model_counters(&model, &c);
    bool closed = record_file_close(&records);
    char line[512];
    snprintf(line, sizeof(line),
             LOG_PREFIX "insns=%" PRIu64 " cycles=%" PRIu64 " l1i_misses=%" PRIu64
                        " l1d_misses=%" PRIu64 " l2_misses=%" PRIu64 " l3_misses=%" PRIu64
                        " itlb_misses=%" PRIu64
                        " dtlb_misses=%" PRIu64 " serializing=%" PRIu64 " faults=%" PRIu64
                        " records=%" PRIu64 "%s\n",
             c.insns, c.cycles, c.l1i_misses, c.l1d_misses, c.l2_misses, c.l3_misses,
             c.itlb_misses,
             c.dtlb_misses, c.serializing, retired.faults_seen, records.written,
             records_failed || !closed ? " ERROR=record_file_write_failed" : "");
    say(line);
    model_free(&model);
    while (arena) {
        struct arena_chunk *next = arena->next;
        free(arena);
        arena = next;
    }
}

static int refuse(const char *why)
{
    char line[4096 + sizeof(LOG_PREFIX) + 1];
    snprintf(line, sizeof(line), LOG_PREFIX "%s\n", why);
    say(line);
    return -1;
}

QEMU_PLUGIN_EXPORT int qemu_plugin_install(qemu_plugin_id_t id, const qemu_info_t *info,
                                           int argc, char **argv)
{
    char err[4096];
    if (!info->system_emulation || strcmp(info->target_name, "x86_64") != 0)
        return refuse("needs qemu-system-x86_64 (the decoder is x86-64, the model a machine)");
    if (info->system.smp_vcpus != 1 || info->system.max_vcpus != 1)
        return refuse("models one core: run with -smp 1");

    struct model_params params;
    params_defaults(&params);
    for (int i = 0; i < argc; i++)
        if (!params_apply(&params, argv[i], err, sizeof(err)))
            return refuse(err);
    if (!model_init(&model, &params, err, sizeof(err)))
        return refuse(err);
    retire_count_init(&retired);

    if (params.records[0]) {
        char text[4096];
        params_format(&params, text, sizeof(text));
        if (!record_file_open(&records, params.records, text)) {
            snprintf(err, sizeof(err), "cannot create records=%s", params.records);
            return refuse(err);
        }
        records_enabled = true;
    }
    qemu_plugin_register_vcpu_tb_trans_cb(id, on_tb_translate);
    qemu_plugin_register_atexit_cb(id, on_qemu_exit, NULL);
    return 0;
}
