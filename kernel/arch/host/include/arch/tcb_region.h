/*
 * TCB=varray on the host: the region is a static array of the unit-test program
 * (host_tcb_region), and "mapping" a page is recorded in a table instead of a page
 * table, so the tests can see which blocks have memory of their own. The core's
 * arithmetic (tcb_varray.h) is the kernel's.
 */
#ifndef IPCLAB_ARCH_HOST_TCB_REGION_H
#define IPCLAB_ARCH_HOST_TCB_REGION_H

#include <stdbool.h>
#include <stdint.h>

#include "config.h"

#define TCB_BLOCK_SHIFT 12
#define TCB_BLOCK_SIZE (1 << TCB_BLOCK_SHIFT)
#define TCB_PAGE_SIZE 4096

extern unsigned char host_tcb_region[];
#define TCB_REGION_BASE ((uintptr_t)host_tcb_region)

bool arch_tcb_region_init(uint64_t threads);
bool arch_tcb_region_backed(uint64_t vaddr);
bool arch_tcb_region_back(uint64_t vaddr);
/* Map the zero page there again; returns the frame it had. */
uint64_t arch_tcb_region_unback(uint64_t vaddr);
uint64_t arch_tcb_region_table_pages(void);

#endif
