/* SWITCH=direct-prio: a partner runs at once only when priorities allow it. */
#include "unit.h"

enum switch_choice expected_switch(unsigned self_prio, unsigned partner_prio, bool self_runs)
{
    if (self_runs)
        return partner_prio > self_prio ? CHOOSE_PARTNER : CHOOSE_SELF;
    return partner_prio >= self_prio ? CHOOSE_PARTNER : CHOOSE_BY_SCHEDULER;
}
