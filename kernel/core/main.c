/*
 * The portable half of boot: frames, the root address space with the root task's
 * image, the kernel info page and the root thread; then the first switch to user mode.
 */
#include "boot.h"
#include "dest.h"
#include "notify.h"

#include "arch_api.h"
#include "dispatch.h"
#include "frame.h"
#include "kernel.h"
#include "objects.h"
#include "sched.h"
#include "space.h"
#include "syscall.h"
#include "thread.h"
#include "transfer.h"

#define ROOT_PRIORITY 100

static void load_root_image(struct space *s, const struct boot_info *bi)
{
    const struct user_image_header *h = bi->user_image;
    if (bi->user_image_size < sizeof(*h) || h->magic != USER_IMAGE_MAGIC)
        panic("root task image missing or without its header");
    if (h->base != ROOT_IMAGE_BASE || h->mem_size < bi->user_image_size)
        panic("root task image linked at %lx, expected %lx", h->base, (uint64_t)ROOT_IMAGE_BASE);
    const unsigned char *bytes = bi->user_image;
    for (uint64_t off = 0; off < h->mem_size; off += FRAME_SIZE) {
        uint64_t frame = frame_alloc();
        if (!frame || !arch_map_page(&s->arch, h->base + off, frame, true))
            panic("out of memory loading the root task");
        if (off < bi->user_image_size) {
            uint64_t n = bi->user_image_size - off;
            memcpy((void *)(uintptr_t)frame, bytes + off, n < FRAME_SIZE ? n : FRAME_SIZE);
        }
    }
}

static struct kip *make_kip(struct space *s, const struct boot_info *bi)
{
    uint64_t frame = frame_alloc();
    if (!frame || !arch_map_page(&s->arch, KIP_ADDRESS, frame, false))
        panic("out of memory for the kernel info page");
    struct kip *kip = (struct kip *)(uintptr_t)frame;
    kip->magic = KIP_MAGIC;
    kip->abi_version = ABI_VERSION;
    strlcpy_k(kip->variant, CONFIG_VARIANT, KIP_STRING);
    strlcpy_k(kip->arch, CONFIG_ARCH, KIP_STRING);
    strlcpy_k(kip->counter, bi->counter, KIP_STRING);
    strlcpy_k(kip->build, CONFIG_DEBUG ? "debug" : "release", KIP_STRING);
    strlcpy_k(kip->config, CONFIG_STRING, KIP_CONFIG);
    strlcpy_k(kip->cmdline, bi->cmdline ? bi->cmdline : "", KIP_CMDLINE);
    kip->reg_words = TRANSFER_REG_WORDS;
    kip->max_words = TRANSFER_MAX_WORDS;
    frame_publish_count(&kip->frames_free);
    kip->tcb_bytes = sizeof(struct tcb);
    kip->endpoint_bytes = DEST_ENDPOINT_BYTES;
    kip->notification_bytes = NOTIFY_OBJECT_BYTES;
    return kip;
}

noreturn void kernel_start(const struct boot_info *bi)
{
    kprintf("ipclab: variant %s (%s%s): %s\n", CONFIG_VARIANT, CONFIG_ARCH,
            CONFIG_DEBUG ? ", debug" : "", CONFIG_STRING);
    frame_init(bi->free_start, bi->free_end);
    kernel_objects_init();
    kprintf("ipclab: %u TCBs (tcb=%s), %lu KiB of kernel memory for them now\n", MAX_THREADS,
            CONFIG_TCB_NAME, tcb_store_bytes() / 1024);

    root_space = space_create(NULL);
    if (!root_space)
        panic("cannot create the root address space");
    load_root_image(root_space, bi);
    struct kip *kip = make_kip(root_space, bi);

    int error;
    struct tcb *root = thread_create(root_space, ROOT_UTCB_ADDRESS, ROOT_PRIORITY, &error);
    if (!root)
        panic("cannot create the root thread (error %d)", error);
    root_thread = root;
    kip->root_tid = root->tid;
    kip->root_space = root_space->handle;
    kip->root_utcb = ROOT_UTCB_ADDRESS;
    const struct user_image_header *h = bi->user_image;
    thread_start(root, h->entry, 0, KIP_ADDRESS);
    kprintf("ipclab: %lu frames free, starting the root task\n", frame_free_count());
    kernel_resume(sched_pick());
}
