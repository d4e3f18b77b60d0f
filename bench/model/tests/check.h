/*
 * The unit tests' one assertion: CHECK_EQ compares two integers, reports a mismatch
 * with file, line and both values, and counts. No framework: the suites are plain
 * functions called from unit_main.c.
 */
#ifndef IPCLAB_MODEL_TESTS_CHECK_H
#define IPCLAB_MODEL_TESTS_CHECK_H

#include <inttypes.h>
#include <stdio.h>

extern unsigned checks_passed, checks_failed;

#define CHECK_EQ(actual, expected)                                                        \
    do {                                                                                  \
        long long check_a_ = (long long)(actual), check_e_ = (long long)(expected);       \
        if (check_a_ == check_e_) {                                                       \
            checks_passed++;                                                              \
        } else {                                                                          \
            checks_failed++;                                                              \
            fprintf(stderr, "%s:%d: %s is %lld, expected %s = %lld\n", __FILE__, __LINE__, \
                    #actual, check_a_, #expected, check_e_);                              \
        }                                                                                 \
    } while (0)

#define CHECK(cond) CHECK_EQ(!!(cond), 1)

void test_cache(void);
void test_tlb(void);
void test_model(void);
void test_params(void);
void test_x86_insn(void);
void test_retire_count(void);
void test_record_file(void);

#endif
