/* The exported functions of the BenchCSteps plugin (its only interface is the entry point;
 * these are declared for direct calls that measure the steps' own work). */
#ifndef BENCH_C_STEPS_H
#define BENCH_C_STEPS_H
#include <stdint.h>
void b_scale(double *data, int64_t n, double factor);
double b_sum(double *data, int64_t n);
void b_nothing(void);
#endif
