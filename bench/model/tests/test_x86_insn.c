/* The decoder's answers for the instructions the plugin acts on, and near misses. */
#include "check.h"
#include "x86_insn.h"

static struct x86_insn_class classify(const uint8_t *bytes, size_t size)
{
    struct x86_insn_class c;
    x86_classify(bytes, size, &c);
    return c;
}

#define CLASSIFY(...)                                                                     \
    classify((const uint8_t[]){__VA_ARGS__}, sizeof((const uint8_t[]){__VA_ARGS__}))

void test_x86_insn(void)
{
    CHECK(CLASSIFY(0x0f, 0x31).reads_tsc);                    /* rdtsc */
    CHECK(!CLASSIFY(0x0f, 0x01, 0xf9).reads_tsc);             /* rdtscp: not recorded */

    CHECK(CLASSIFY(0x0f, 0x22, 0xd8).writes_cr3);             /* mov %rax,%cr3 */
    CHECK(CLASSIFY(0x0f, 0x22, 0xd8).serializing);
    CHECK(CLASSIFY(0x41, 0x0f, 0x22, 0xd8).writes_cr3);       /* mov %r8,%cr3 (REX.B) */
    CHECK(!CLASSIFY(0x44, 0x0f, 0x22, 0xd8).writes_cr3);      /* REX.R: %cr11 */
    CHECK(!CLASSIFY(0x0f, 0x22, 0xc0).writes_cr3);            /* mov %rax,%cr0 */
    CHECK(CLASSIFY(0x0f, 0x22, 0xc0).serializing);
    CHECK(!CLASSIFY(0x44, 0x0f, 0x22, 0xc0).serializing);     /* mov %rax,%cr8: the exception */
    CHECK(!CLASSIFY(0x0f, 0x20, 0xd8).writes_cr3);            /* mov %cr3,%rax: a read */

    CHECK(CLASSIFY(0x0f, 0x1f, 0x84, 0x00, 0x46, 0x4c, 0x53, 0x48).flush_marker);
    CHECK(!CLASSIFY(0x0f, 0x1f, 0x84, 0x00, 0x46, 0x4c, 0x53, 0x49).flush_marker);
    CHECK(!CLASSIFY(0x0f, 0x1f, 0x44, 0x00, 0x00).flush_marker); /* ordinary long nop */

    CHECK(CLASSIFY(0x0f, 0xa2).serializing);                  /* cpuid */
    CHECK(CLASSIFY(0x0f, 0x30).serializing);                  /* wrmsr */
    CHECK(CLASSIFY(0x48, 0xcf).serializing);                  /* iretq */
    CHECK(CLASSIFY(0x0f, 0x01, 0x38).serializing);            /* invlpg (%rax) */
    CHECK(CLASSIFY(0x0f, 0x01, 0x10).serializing);            /* lgdt (%rax) */
    CHECK(CLASSIFY(0x0f, 0x00, 0xd8).serializing);            /* ltr %ax */
    CHECK(!CLASSIFY(0x0f, 0x01, 0xf8).serializing);           /* swapgs */
    CHECK(!CLASSIFY(0x0f, 0xae, 0xe8).serializing);           /* lfence */
    CHECK(!CLASSIFY(0x0f, 0x05).serializing);                 /* syscall */
    CHECK(!CLASSIFY(0x48, 0x0f, 0x07).serializing);           /* sysretq */

    CHECK(CLASSIFY(0xc3).always_accesses_memory);             /* ret */
    CHECK(CLASSIFY(0x41, 0x50).always_accesses_memory);       /* push %r8 */
    CHECK(CLASSIFY(0xe8, 0, 0, 0, 0).always_accesses_memory); /* call rel32 */
    CHECK(CLASSIFY(0xff, 0xd0).always_accesses_memory);       /* call *%rax: pushes */
    CHECK(CLASSIFY(0xff, 0x20).always_accesses_memory);       /* jmp *(%rax) */
    CHECK(!CLASSIFY(0xff, 0xe0).always_accesses_memory);      /* jmp *%rax */
    CHECK(CLASSIFY(0xa4).always_accesses_memory);             /* movsb */
    CHECK(!CLASSIFY(0xf3, 0xa4).always_accesses_memory);      /* rep movsb: maybe none */
    CHECK(!CLASSIFY(0x89, 0xc0).always_accesses_memory);      /* mov %eax,%eax */
    CHECK(!CLASSIFY(0x48, 0x0f, 0x07).always_accesses_memory); /* sysretq */

    struct x86_insn_class none = CLASSIFY(0x90);
    CHECK(!none.reads_tsc && !none.writes_cr3 && !none.serializing && !none.flush_marker);
}
