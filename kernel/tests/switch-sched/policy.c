/* SWITCH=sched: every released partner goes through the ready queue and a pick. */
#include "unit.h"

enum switch_choice expected_switch(unsigned self_prio, unsigned partner_prio, bool self_runs)
{
    (void)self_prio;
    (void)partner_prio;
    (void)self_runs;
    return CHOOSE_BY_SCHEDULER;
}
