/*
 * structured.c — the C implementation of the structured scenarios numbered from 57.
 */
#include "conformance.h"

const struct scenario structured_scenarios[] = {
    {NULL, NULL, 0},
};
