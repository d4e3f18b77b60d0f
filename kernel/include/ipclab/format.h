/*
 * The serial result format (bench/FORMAT.md) as the kernel and the root task print it:
 * every protocol line starts with the magic word and the format version. The harness
 * (harness/ipclab/logparse.py) reads the same version; change all three together.
 */
#ifndef IPCLAB_FORMAT_H
#define IPCLAB_FORMAT_H

#define IPCLAB_FORMAT_VERSION "2"
/* The start of a protocol line of the given kind, e.g. RESULT_LINE("CASE"). */
#define RESULT_LINE(kind) "IPCLAB " IPCLAB_FORMAT_VERSION " " kind

#endif
