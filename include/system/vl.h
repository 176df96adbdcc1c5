/*
 * Start-up and the main loop: options -> machine -> front ends (qtest,
 * monitors, console) -> vCPUs; then wait for quit, serving reset requests.
 */
#ifndef SYSTEM_VL_H
#define SYSTEM_VL_H

/** qemu_main: the whole program; returns the process exit status. */
int qemu_main(int argc, char **argv);

#endif
