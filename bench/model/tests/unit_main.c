/* Runs every unit-test suite of the model; exit status 0 only if all checks pass. */
#include "check.h"

unsigned checks_passed, checks_failed;

int main(void)
{
    test_cache();
    test_tlb();
    test_model();
    test_params();
    test_x86_insn();
    test_retire_count();
    test_record_file();
    printf("model unit tests: %u passed, %u failed\n", checks_passed, checks_failed);
    return checks_failed ? 1 : 0;
}
