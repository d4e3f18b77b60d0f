/* TCB=table: the array of every TCB (tcb_table.h). */
#include "tcb_store.h"

#include "kernel.h"

struct tcb tcb_array[MAX_THREADS];

void tcb_store_init(void)
{
    memset(tcb_array, 0, sizeof(tcb_array));
}

uint64_t tcb_store_bytes(void)
{
    return sizeof(tcb_array);
}
