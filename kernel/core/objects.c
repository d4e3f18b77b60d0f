/* Resetting every kernel object table at once (see objects.h). */
#include "objects.h"

#include "dest.h"
#include "irq.h"
#include "kstat.h"
#include "notify.h"
#include "sched.h"
#include "space.h"
#include "thread.h"
#include "timeouts.h"
#include "usched.h"

void kernel_objects_init(void)
{
    sched_init();
    thread_table_init();
    space_table_init();
    dest_objects_init();
    notify_objects_init();
    timeouts_objects_init();
    irq_table_init();
    usched_init();
    kstat_reset();
}
