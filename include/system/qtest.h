/*
 * qtest protocol server: QEMU's line protocol for the commands that exist
 * there, plus this project's extensions (README "qtest protocol").
 * One thread per endpoint; every command runs with the BQL held, as the
 * vCPU that the command names (vCPU 0 by default).
 */
#ifndef SYSTEM_QTEST_H
#define SYSTEM_QTEST_H

#include <stdio.h>
#include <glib.h>

#include "system/chardev.h"

typedef struct SpaprMachineState SpaprMachineState;

/**
 * qtest_handle_line: run one command line and return the reply line
 * (without newline; "OK ..." or "FAIL <reason>"). Caller holds the BQL.
 * Exposed for unit tests and benchmarks.
 */
char *qtest_handle_line(SpaprMachineState *spapr, const char *line);

/** qtest_server_start: serve @ep in a new thread. When the client goes
 *  away (stdio/client socket) the machine is asked to quit. */
void qtest_server_start(SpaprMachineState *spapr, CharEndpoint *ep, FILE *log);

#endif
