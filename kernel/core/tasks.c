/* Task creation under the TASKS axis, both values side by side (see tasks.h). */
#include "tasks.h"

#include "space.h"

#if CONFIG_TASKS_CAPS
/* The creator pays one unit for the task and the quota it hands over, from its own. */
struct space *tasks_create(struct space *payer, struct space *parent, uint64_t quota,
                           uint64_t *error)
{
    if (quota >= payer->task_quota) {   /* one unit for the task itself, then the quota */
        *error = E_QUOTA;
        return NULL;
    }
    struct space *s = space_create(parent);
    if (!s) {
        *error = E_NO_MEMORY;
        return NULL;
    }
    uint32_t charge = (uint32_t)quota + 1;
    payer->task_quota -= charge;
    s->task_quota = (uint32_t)quota;
    s->task_charge = charge;
    s->task_payer = payer->handle;
    *error = E_OK;
    return s;
}

/* By handle: a payer destroyed before it gets nothing back (its slot may hold a new
 * task, which must not inherit the quota). */
void tasks_released(struct space *s)
{
    struct space *payer = space_lookup(s->task_payer);
    if (payer)
        payer->task_quota += s->task_charge;
}

#else /* CONFIG_TASKS_IDS */
/* The first free ID of the global table, to whoever asks first. */
struct space *tasks_create(struct space *payer, struct space *parent, uint64_t quota,
                           uint64_t *error)
{
    (void)payer;
    if (quota) {
        *error = E_INVALID_ARG;         /* task IDs come with no quota to hand over */
        return NULL;
    }
    struct space *s = space_create(parent);
    *error = s ? E_OK : E_NO_MEMORY;
    return s;
}

void tasks_released(struct space *s)
{
    (void)s;
}
#endif
