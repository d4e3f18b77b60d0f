/*
 * TCB=varray on x86_64: the virtual TCB array's region. It sits at the top 2 GiB of
 * the address space (PML4 slot 511), where a 32-bit sign-extended displacement reaches
 * it, so a thread number becomes its TCB's address with a shift and one lea. Each
 * thread's block is one 4 KiB page: the TCB at the bottom, its kernel stack above
 * (the entry code sets rsp to the block's top). Every space shares the region's page
 * tables (mmu.c); under KPTI only the kernel's page tables map it.
 */
#ifndef IPCLAB_ARCH_X86_64_TCB_REGION_H
#define IPCLAB_ARCH_X86_64_TCB_REGION_H

#define TCB_REGION_BASE 0xffffffff80000000ull
#define TCB_REGION_PML4_SLOT 511
#define TCB_BLOCK_SHIFT 12
#define TCB_BLOCK_SIZE (1 << TCB_BLOCK_SHIFT)
#define TCB_PAGE_SIZE 4096

#ifndef __ASSEMBLER__
#include <stdbool.h>
#include <stdint.h>

/* Page tables for `threads` blocks, each mapping the shared zero page read-only;
 * false when out of frames. */
bool arch_tcb_region_init(uint64_t threads);
/* Whether the page at vaddr (in the region) has a frame of its own; give it one
 * (zeroed, writable; false when out of frames). */
bool arch_tcb_region_backed(uint64_t vaddr);
bool arch_tcb_region_back(uint64_t vaddr);
/* Map the zero page there again; returns the frame it had. */
uint64_t arch_tcb_region_unback(uint64_t vaddr);
/* Pages the region's page tables and zero page take. */
uint64_t arch_tcb_region_table_pages(void);
#endif

#endif
