/*
 * Reading a flattened device tree (the DTB a boot loader or QEMU hands the kernel on
 * device-tree machines): only what boot needs, a property of the root or of one of its
 * children, found by name. Used by the architectures whose firmware describes the
 * machine this way; it never writes the tree.
 */
#ifndef IPCLAB_CORE_FDT_H
#define IPCLAB_CORE_FDT_H

#include <stdbool.h>
#include <stdint.h>

/* Whether a tree with a valid header starts at fdt. */
bool fdt_valid(const void *fdt);
/* The value of property `prop` of node `node` ("" for the root, otherwise a child of
 * the root whose name before any '@' is `node`, e.g. "chosen" or "memory"), and its
 * length in bytes; NULL if there is none. */
const void *fdt_property(const void *fdt, const char *node, const char *prop, uint32_t *len);
/* A number of `cells` 32-bit big-endian cells at p (1 or 2). */
uint64_t fdt_cells(const void *p, uint32_t cells);
/* Bytes from fdt to the end of the tree. */
uint32_t fdt_size(const void *fdt);

#endif
