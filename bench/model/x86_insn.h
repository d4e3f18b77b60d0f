/*
 * What the plugin needs to know about one x86 instruction from its bytes alone, at
 * translation time: does it read the TSC, write CR3, serialise, or is it the flush
 * marker. Register operands are invisible to a QEMU 7.2 plugin, so everything here is
 * decided by opcode and ModRM.
 */
#ifndef IPCLAB_MODEL_X86_INSN_H
#define IPCLAB_MODEL_X86_INSN_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/* The flush marker: `nopl 0x48534c46(%rax,%rax,1)`, a long NOP whose displacement
 * spells "FLSH" in memory. It does nothing on any x86 CPU, runs at any privilege
 * level, and no compiler emits this displacement, so it cannot appear by accident. */
#define FLUSH_MARKER_BYTES {0x0f, 0x1f, 0x84, 0x00, 0x46, 0x4c, 0x53, 0x48}
#define FLUSH_MARKER_SIZE 8

struct x86_insn_class {
    bool reads_tsc;     /* rdtsc */
    bool writes_cr3;    /* mov %reg, %cr3 */
    bool serializing;   /* architecturally serialising (Intel SDM vol. 3, 9.3) */
    bool flush_marker;  /* the exact FLUSH_MARKER_BYTES */
    /* For retire_count.c: every execution accesses memory (push, pop, call, ret,
     * leave, jumps through memory, string instructions without rep). false: not
     * known to, which is the safe answer. */
    bool always_accesses_memory;
};

void x86_classify(const uint8_t *bytes, size_t size, struct x86_insn_class *out);

#endif
