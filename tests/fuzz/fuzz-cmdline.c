/*
 * Command-line parsing (system/options.c): the input split at NUL bytes is
 * argv[1..]. Parsing either succeeds, asks to exit (help/version), or
 * fails with a one-line error; nothing leaks (vm_options_free).
 */
#include <stdio.h>
#include <string.h>

#include "fuzz-common.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    g_autoptr(GPtrArray) argv = g_ptr_array_new_with_free_func(g_free);
    g_ptr_array_add(argv, g_strdup("qemu-system-ppc64"));
    for (size_t start = 0, i = 0; i <= size && argv->len < 64; i++) {
        if (i == size || data[i] == '\0') {
            g_ptr_array_add(argv, g_strndup((const char *)data + start, i - start));
            start = i + 1;
        }
    }
    VMOptions opts;
    g_autoptr(GError) err = NULL;
    int ret = vm_options_parse((int)argv->len, (char **)argv->pdata, &opts, &err);
    if (ret < 0) {
        g_assert_nonnull(err);
        g_assert_null(strchr(err->message, '\n'));
    } else {
        g_assert_null(err);
    }
    vm_options_free(&opts);
    return 0;
}

/* --help and --version print to stdout: keep the fuzzer's output readable. */
int LLVMFuzzerInitialize(int *argc, char ***argv);
int LLVMFuzzerInitialize(int *argc, char ***argv)
{
    if (!freopen("/dev/null", "w", stdout)) {
        return 0;
    }
    return 0;
}
