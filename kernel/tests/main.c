/* Runs every registered unit test of this variant's build and prints the tally. */
#include <stdlib.h>
#include <string.h>

#include "unit.h"

unsigned unit_passed, unit_failed;

#define MAX_TESTS 128

static struct {
    const char *name;
    void (*fn)(void);
} tests[MAX_TESTS];
static unsigned n_tests;

void unit_register(const char *name, void (*fn)(void))
{
    if (n_tests == MAX_TESTS) {
        fprintf(stderr, "unit: more than %d tests: raise MAX_TESTS\n", MAX_TESTS);
        exit(2);
    }
    tests[n_tests].name = name;
    tests[n_tests].fn = fn;
    n_tests++;
}

int main(void)
{
    printf("unit tests: variant %s (%s): %u tests\n", CONFIG_VARIANT, CONFIG_STRING, n_tests);
    for (unsigned i = 0; i < n_tests; i++) {
        unsigned before = unit_failed;
        tests[i].fn();
        if (unit_failed != before)
            printf("  in %s\n", tests[i].name);
    }
    printf("%u passed, %u failed\n", unit_passed, unit_failed);
    /* A test file that registered nothing, or checks that never ran, are failures too. */
    if (n_tests == 0 || unit_passed == 0) {
        printf("no test ran\n");
        return 1;
    }
    return unit_failed ? 1 : 0;
}
