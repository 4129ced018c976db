/*
 * tasks.c — the C implementation of the task scenarios numbered from 57.
 */
#include "conformance.h"

const struct scenario task_scenarios[] = {
    {NULL, NULL, 0},
};
