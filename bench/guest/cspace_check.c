/*
 * Capability addresses that run off the table (endpoint addressing): an address with
 * a bit set above the slot index names nothing, whether the kernel indexes one table
 * (CSPACE=flat: the index is out of range) or decodes guarded CNodes (CSPACE=guarded:
 * the bit falls in a guard). Each use (call, send, receive, mint from it, mint into
 * it, delete) gets its error code, the slot the address would name without the bit
 * is untouched, and the kernel runs on. Bits at the edges of the index and at the top
 * of the word are tried, and the valid address is shown to work between them.
 */
#include "runtime.h"

#define INDEX_BITS 7                 /* log2(CAP_SLOTS) */
_Static_assert((1u << INDEX_BITS) == CAP_SLOTS, "INDEX_BITS is log2(CAP_SLOTS)");
#define FREE_SLOT 59                 /* empty in the root's table (badinput uses 60-62) */

static const unsigned bad_bits[] = {INDEX_BITS, INDEX_BITS + 1, 31, 32, 57, 62, 63};

void cspace_checks(unsigned *checks, unsigned *failed)
{
    if (!kip_config_is("dest", "endpoint"))
        return;
    struct sys_result ep = syscall5(SYS_ENDPOINT_CREATE, 0, 0, 0, 0, 0);
    report_check_count(checks, failed, "cspace_endpoint", E_OK, ep.error);
    if (ep.error != E_OK)
        return;
    uint64_t slot = ep.value;
    uint64_t wrong = 0, runs_on = 0;
    for (unsigned i = 0; i < sizeof(bad_bits) / sizeof(bad_bits[0]); i++) {
        uint64_t bad = slot | (1ull << bad_bits[i]);
        struct ipc_args a = {.nr = SYS_CALL, .dest = bad};
        ipc_stub(&a);
        wrong += a.error != E_INVALID_CAP;
        a = (struct ipc_args){.nr = SYS_SEND, .dest = bad, .tag = TAG_SEND_NONBLOCK};
        ipc_stub(&a);
        wrong += a.error != E_INVALID_CAP;
        a = (struct ipc_args){.nr = SYS_RECV, .from = bad, .tag = TAG_RECV_NONBLOCK};
        ipc_stub(&a);
        wrong += a.error != E_INVALID_CAP;
        wrong += syscall5(SYS_CAP_MINT, kip->root_space, bad, FREE_SLOT, 0,
                          CAP_RIGHT_SEND).error != E_INVALID_CAP;
        wrong += syscall5(SYS_CAP_MINT, kip->root_space, slot,
                          FREE_SLOT | (1ull << bad_bits[i]), 0, CAP_RIGHT_SEND).error !=
                 E_INVALID_ARG;
        wrong += syscall5(SYS_CAP_DELETE, bad, 0, 0, 0, 0).error != E_INVALID_CAP;
        /* The good address still names the endpoint: nobody receives, so a
         * non-blocking send gets past the lookup and finds no partner. */
        a = (struct ipc_args){.nr = SYS_SEND, .dest = slot, .tag = TAG_SEND_NONBLOCK};
        ipc_stub(&a);
        runs_on += a.error == E_WOULD_BLOCK;
    }
    report_check_count(checks, failed, "cspace_bad_addresses_refused", 0, wrong);
    report_check_count(checks, failed, "cspace_good_address_still_works",
                       sizeof(bad_bits) / sizeof(bad_bits[0]), runs_on);
    /* Nothing was minted by the refused calls: the free slot is still free. */
    report_check_count(checks, failed, "cspace_free_slot_untouched", E_INVALID_CAP,
                       syscall5(SYS_CAP_DELETE, FREE_SLOT, 0, 0, 0, 0).error);
    report_check_count(checks, failed, "cspace_delete_endpoint", E_OK,
                       syscall5(SYS_CAP_DELETE, slot, 0, 0, 0, 0).error);
}
