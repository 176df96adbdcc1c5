/*
 * FDT_CHECK(call): every libfdt call in device-tree construction goes
 * through this. The tree is sized from its inputs (spapr_fdt_size()), so
 * a failure is our bug, never the guest's or the user's: abort loudly.
 */
#ifndef HW_PPC_SPAPR_FDT_CHECK_H
#define HW_PPC_SPAPR_FDT_CHECK_H

#include <glib.h>
#include <libfdt.h>

#define FDT_CHECK(call)                                                   \
    do {                                                                  \
        int fdt_ret_ = (call);                                            \
        if (fdt_ret_ < 0) {                                               \
            g_error("%s: %s", #call, fdt_strerror(fdt_ret_));             \
        }                                                                 \
    } while (0)

#endif
