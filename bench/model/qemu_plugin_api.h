/*
 * The QEMU TCG plugin API, version 1, as QEMU 7.2 exports it: only the part
 * memory_model_plugin.c uses.
 *
 * Why this file exists: Debian's qemu-system-x86 7.2 package ships the plugin
 * loader but no qemu-plugin.h, and no other Debian package carries it. These
 * declarations were written for this project from QEMU's documented plugin API
 * (docs/devel/tcg-plugins and the API reference of the 7.x series); they are not a
 * copy of QEMU's header. They must match the ABI of the QEMU binary exactly, so:
 *   - every function named here is one that `nm -D qemu-system-x86_64` lists;
 *   - struct qemu_info_t has the 7.2 layout (QEMU passes a pointer to its own);
 *   - enum values are the ones QEMU 7.2 uses.
 * QEMU 8.x and later changed this API (version 2 dropped the inline-op calls used
 * here); a plugin built against this header is for API version 1 only, which QEMU
 * checks at load time through the qemu_plugin_version symbol.
 */
#ifndef IPCLAB_QEMU_PLUGIN_API_H
#define IPCLAB_QEMU_PLUGIN_API_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/* The API level this header mirrors; QEMU 7.2 accepts plugins of level 0 and 1. */
#define QEMU_PLUGIN_VERSION 1

/* What a plugin exports for QEMU to find with dlsym(): everything else stays hidden
 * (the build uses -fvisibility=hidden). */
#define QEMU_PLUGIN_EXPORT __attribute__((visibility("default")))

typedef uint64_t qemu_plugin_id_t;

/* Opaque handles QEMU hands out during translation and memory callbacks. */
struct qemu_plugin_tb;
struct qemu_plugin_insn;
struct qemu_plugin_hwaddr;

/* Packed description of one memory access (size, sign, endianness, store). */
typedef uint32_t qemu_plugin_meminfo_t;

/* Handed to qemu_plugin_install(); valid only during that call. */
typedef struct qemu_info_t {
    const char *target_name; /* "x86_64" for qemu-system-x86_64 */
    struct {
        int min; /* oldest plugin API level this QEMU accepts */
        int cur; /* the level it implements */
    } version;
    bool system_emulation;
    union {
        struct {
            int smp_vcpus;
            int max_vcpus;
        } system;
    };
} qemu_info_t;

enum qemu_plugin_cb_flags {
    QEMU_PLUGIN_CB_NO_REGS, /* the callback neither reads nor writes guest registers */
    QEMU_PLUGIN_CB_R_REGS,
    QEMU_PLUGIN_CB_RW_REGS,
};

enum qemu_plugin_mem_rw {
    QEMU_PLUGIN_MEM_R = 1,
    QEMU_PLUGIN_MEM_W = 2,
    QEMU_PLUGIN_MEM_RW = 3,
};

enum qemu_plugin_op {
    QEMU_PLUGIN_INLINE_ADD_U64, /* *ptr += imm, generated inline: no call */
};

typedef void (*qemu_plugin_udata_cb_t)(qemu_plugin_id_t id, void *userdata);
typedef void (*qemu_plugin_vcpu_udata_cb_t)(unsigned int vcpu_index, void *userdata);
typedef void (*qemu_plugin_vcpu_tb_trans_cb_t)(qemu_plugin_id_t id,
                                               struct qemu_plugin_tb *tb);
typedef void (*qemu_plugin_vcpu_mem_cb_t)(unsigned int vcpu_index,
                                          qemu_plugin_meminfo_t info, uint64_t vaddr,
                                          void *userdata);

/* The plugin's own exports: its API level and its entry point (0 = loaded). */
extern QEMU_PLUGIN_EXPORT int qemu_plugin_version;
QEMU_PLUGIN_EXPORT int qemu_plugin_install(qemu_plugin_id_t id, const qemu_info_t *info,
                                           int argc, char **argv);

/* Translation: called once per translated block, before it first runs. */
void qemu_plugin_register_vcpu_tb_trans_cb(qemu_plugin_id_t id,
                                           qemu_plugin_vcpu_tb_trans_cb_t cb);
size_t qemu_plugin_tb_n_insns(const struct qemu_plugin_tb *tb);
uint64_t qemu_plugin_tb_vaddr(const struct qemu_plugin_tb *tb);
struct qemu_plugin_insn *qemu_plugin_tb_get_insn(const struct qemu_plugin_tb *tb,
                                                 size_t idx);

/* One translated instruction: its bytes, length, guest virtual address, and the host
 * address QEMU fetched the bytes from. */
const void *qemu_plugin_insn_data(const struct qemu_plugin_insn *insn);
size_t qemu_plugin_insn_size(const struct qemu_plugin_insn *insn);
uint64_t qemu_plugin_insn_vaddr(const struct qemu_plugin_insn *insn);
void *qemu_plugin_insn_haddr(const struct qemu_plugin_insn *insn);
char *qemu_plugin_insn_disas(const struct qemu_plugin_insn *insn);

/* Execution instrumentation of one instruction: a call before it executes, or an
 * inline add. */
void qemu_plugin_register_vcpu_insn_exec_cb(struct qemu_plugin_insn *insn,
                                            qemu_plugin_vcpu_udata_cb_t cb,
                                            enum qemu_plugin_cb_flags flags,
                                            void *userdata);
void qemu_plugin_register_vcpu_insn_exec_inline(struct qemu_plugin_insn *insn,
                                                enum qemu_plugin_op op, void *ptr,
                                                uint64_t imm);

/* A call after each memory access the instruction makes. */
void qemu_plugin_register_vcpu_mem_cb(struct qemu_plugin_insn *insn,
                                      qemu_plugin_vcpu_mem_cb_t cb,
                                      enum qemu_plugin_cb_flags flags,
                                      enum qemu_plugin_mem_rw rw, void *userdata);
unsigned int qemu_plugin_mem_size_shift(qemu_plugin_meminfo_t info);
bool qemu_plugin_mem_is_store(qemu_plugin_meminfo_t info);

/* The physical side of an access, valid only inside the memory callback. */
struct qemu_plugin_hwaddr *qemu_plugin_get_hwaddr(qemu_plugin_meminfo_t info,
                                                  uint64_t vaddr);
bool qemu_plugin_hwaddr_is_io(const struct qemu_plugin_hwaddr *haddr);
uint64_t qemu_plugin_hwaddr_phys_addr(const struct qemu_plugin_hwaddr *haddr);

/* End of the run, and QEMU's log output (stderr unless -D names a file). */
void qemu_plugin_register_atexit_cb(qemu_plugin_id_t id, qemu_plugin_udata_cb_t cb,
                                    void *userdata);
void qemu_plugin_outs(const char *string);

#endif
