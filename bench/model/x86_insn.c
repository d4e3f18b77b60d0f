/*
 * A deliberately small x86-64 decoder: skip legacy prefixes and REX, then look at the
 * two-byte opcodes (0F xx) this model cares about. Anything it does not recognise is
 * an ordinary instruction, which is the safe answer for every question asked here.
 */
#include "x86_insn.h"

#include <string.h>

static bool is_legacy_prefix(uint8_t b)
{
    switch (b) {
    case 0x66: case 0x67:                         /* operand, address size */
    case 0xf0: case 0xf2: case 0xf3:              /* lock, repne, rep */
    case 0x2e: case 0x36: case 0x3e: case 0x26:   /* segment overrides */
    case 0x64: case 0x65:
        return true;
    default:
        return false;
    }
}

static unsigned modrm_mod(uint8_t modrm) { return modrm >> 6; }
static unsigned modrm_reg(uint8_t modrm) { return (modrm >> 3) & 7; }

/* One-byte opcodes whose memory use is certain, for retire_count.c. op is the opcode,
 * modrm the byte after it (NULL if none). */
static void classify_memory_use(uint8_t op, bool rep, const uint8_t *modrm,
                                struct x86_insn_class *out)
{
    bool string_op = (op >= 0xa4 && op <= 0xa7) || (op >= 0xaa && op <= 0xaf) ||
                     (op >= 0x6c && op <= 0x6f);
    if (string_op) {
        out->always_accesses_memory = !rep; /* rep with a zero count touches nothing */
        return;
    }
    if ((op >= 0x50 && op <= 0x5f) ||            /* push, pop register */
        op == 0x68 || op == 0x6a ||              /* push immediate */
        op == 0xc2 || op == 0xc3 ||              /* ret */
        op == 0xca || op == 0xcb ||              /* far ret */
        op == 0xc9 ||                            /* leave */
        op == 0xe8) {                            /* call rel32 */
        out->always_accesses_memory = true;
        return;
    }
    if (!modrm)
        return;
    unsigned reg = modrm_reg(*modrm);
    if (op == 0x8f && reg == 0) /* pop r/m */
        out->always_accesses_memory = true;
    if (op == 0xff) /* call (/2 /3) pushes; jmp (/4 /5) and push (/6) through memory load */
        out->always_accesses_memory = reg == 2 || reg == 3 || reg == 6 ||
                                      ((reg == 4 || reg == 5) && modrm_mod(*modrm) != 3);
}

void x86_classify(const uint8_t *bytes, size_t size, struct x86_insn_class *out)
{
    static const uint8_t marker[FLUSH_MARKER_SIZE] = FLUSH_MARKER_BYTES;
    *out = (struct x86_insn_class){0};
    if (size == FLUSH_MARKER_SIZE && memcmp(bytes, marker, FLUSH_MARKER_SIZE) == 0) {
        out->flush_marker = true;
        return;
    }

    size_t i = 0;
    bool lock = false, rep = false;
    uint8_t rex = 0;
    while (i < size && is_legacy_prefix(bytes[i])) {
        lock |= bytes[i] == 0xf0;
        rep |= bytes[i] == 0xf2 || bytes[i] == 0xf3;
        i++;
    }
    if (i < size && (bytes[i] & 0xf0) == 0x40) /* REX must come last, just before the opcode */
        rex = bytes[i++];
    if (i >= size)
        return;

    uint8_t op = bytes[i++];
    if (op == 0xcf) { /* iret, iretq */
        out->serializing = true;
        return;
    }
    if (op != 0x0f) {
        classify_memory_use(op, rep, i < size ? bytes + i : NULL, out);
        return;
    }
    if (i >= size)
        return;

    uint8_t op2 = bytes[i++];
    bool has_modrm = i < size;
    uint8_t modrm = has_modrm ? bytes[i] : 0;
    switch (op2) {
    case 0x31: /* rdtsc */
        out->reads_tsc = true;
        break;
    case 0x22: /* mov to control register: CRn with n = REX.R:reg; lock selects CR8 on AMD */
        if (!has_modrm)
            break;
        {
            unsigned cr = modrm_reg(modrm) | ((rex & 0x04) ? 8u : 0u);
            if (lock)
                cr |= 8;
            out->writes_cr3 = cr == 3;
            out->serializing = cr != 8; /* MOV to CR8 is the one exception (SDM) */
        }
        break;
    case 0x23: /* mov to debug register */
    case 0x30: /* wrmsr */
    case 0xa2: /* cpuid */
    case 0x08: /* invd */
    case 0x09: /* wbinvd */
        out->serializing = true;
        break;
    case 0x00: /* group 6: lldt (/2), ltr (/3) */
        out->serializing = has_modrm && (modrm_reg(modrm) == 2 || modrm_reg(modrm) == 3);
        break;
    case 0x01: /* group 7, memory forms: lgdt (/2), lidt (/3), invlpg (/7) */
        out->serializing = has_modrm && modrm_mod(modrm) != 3 &&
                           (modrm_reg(modrm) == 2 || modrm_reg(modrm) == 3 ||
                            modrm_reg(modrm) == 7);
        break;
    default:
        break;
    }
}
