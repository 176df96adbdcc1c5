/*
 * The qtest line handler (system/qtest.c): every line of the input is one
 * command, run against the fuzz machine with the BQL held, as the server
 * thread runs it. Any reply is fine; crashes, sanitizer reports, replies
 * that are not one "OK"/"FAIL" line are not.
 */
#include <string.h>

#include "fuzz-common.h"
#include "system/qtest.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    SpaprMachineState *spapr = fuzz_machine();
    g_autofree char *text = g_strndup((const char *)data, size);
    g_auto(GStrv) lines = g_strsplit(text, "\n", -1);

    bql_lock();
    fuzz_reset(spapr);
    /* As the server: lines never hold '\n'; at most 64 per input. */
    for (char **l = lines; *l && l - lines < 64; l++) {
        g_autofree char *reply = qtest_handle_line(spapr, *l);
        g_assert_nonnull(reply);
        g_assert_true(g_str_has_prefix(reply, "OK") || g_str_has_prefix(reply, "FAIL"));
        g_assert_null(strchr(reply, '\n'));
    }
    bql_unlock();
    return 0;
}
