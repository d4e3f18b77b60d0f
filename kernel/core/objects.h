/* The kernel's object tables as a whole: threads, spaces, endpoints, ready queues. */
#ifndef IPCLAB_CORE_OBJECTS_H
#define IPCLAB_CORE_OBJECTS_H

/* Empty every table: at boot, and before each host-built unit test. */
void kernel_objects_init(void);

#endif
