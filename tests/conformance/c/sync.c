/*
 * sync.c — the C implementation of the sync scenarios numbered from 57.
 */
#include "conformance.h"

const struct scenario sync_scenarios[] = {
    {NULL, NULL, 0},
};
