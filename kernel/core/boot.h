/* What the architecture's boot code hands the portable kernel. */
#ifndef IPCLAB_CORE_BOOT_H
#define IPCLAB_CORE_BOOT_H

#include <stdint.h>
#include <stdnoreturn.h>

/* The root task's image starts with this header (bench/guest/user.ld). */
#define USER_IMAGE_MAGIC 0x474d494c43504931ull /* "1IPCLIMG" */

struct user_image_header {
    uint64_t magic;
    uint64_t entry;      /* user address of the first instruction */
    uint64_t base;       /* user address the image is linked at */
    uint64_t mem_size;   /* bytes from base to the end of .bss */
};

struct boot_info {
    uint64_t free_start;      /* physical memory for frames, identity mapped */
    uint64_t free_end;
    const void *user_image;   /* the root task's flat binary, header first */
    uint64_t user_image_size;
    const char *cmdline;      /* boot command line (may be empty) */
    const char *counter;      /* name of the user-readable cycle counter */
};

noreturn void kernel_start(const struct boot_info *bi);

#endif
