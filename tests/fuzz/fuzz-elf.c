/*
 * The ELF loader (hw/ppc/spapr_loader.c) through its public entry point:
 * the input is written to a memfd and loaded as -kernel into the fuzz
 * machine. It must load or fail with an error, never touch memory outside
 * guest RAM (ASan) or crash.
 */
#define _GNU_SOURCE
#include <sys/mman.h>
#include <unistd.h>

#include "fuzz-common.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    SpaprMachineState *spapr = fuzz_machine();
    static int fd = -1;
    static char path[64];

    if (fd < 0) {
        fd = memfd_create("fuzz-elf", MFD_CLOEXEC);
        g_assert_cmpint(fd, >=, 0);
        g_snprintf(path, sizeof(path), "/proc/self/fd/%d", fd);
    }
    g_assert_cmpint(ftruncate(fd, 0), ==, 0);
    g_assert_cmpint(pwrite(fd, data, size, 0), ==, (ssize_t)size);

    bql_lock();
    char *saved = spapr->kernel_path;
    spapr->kernel_path = path;
    g_autoptr(GError) err = NULL;
    int ret = spapr_load_kernel(spapr, &err);
    g_assert_true(ret == 0 || err != NULL);
    spapr->kernel_path = saved;
    spapr->have_kernel = false;
    bql_unlock();
    return 0;
}
