/*
 * -kernel, -initrd and -append as the loader and the device tree see them:
 * where the initrd lands and what /chosen says about it, that a reset
 * reloads it, and that every bad file (missing, a directory, a device, a
 * FIFO, too large, a malformed ELF) is a one-line error naming the option.
 * The kernels are tiny ELF64 files written by the test itself.
 */
#include <elf.h>
#include <inttypes.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>
#include <glib.h>
#include <glib/gstdio.h>
#include <libfdt.h>

#include "libqtest.h"

#define MiB ((uint64_t)1 << 20)
#define KERNEL_MEMSZ    0x12345ULL      /* kernel ends here (loaded at 0) */
#define INITRD_BASE     0x20000ULL      /* first 64 KiB boundary above it */
#define CMDLINE_MAX     65536

static char *tmpdir;

/* A file in the test's temporary directory, g_free the name. */
static char *tmp_path(const char *name)
{
    return g_build_filename(tmpdir, name, NULL);
}

static void put_be16(uint8_t *p, uint16_t v) { p[0] = v >> 8; p[1] = (uint8_t)v; }
static void put_be32(uint8_t *p, uint32_t v) { put_be16(p, v >> 16); put_be16(p + 2, (uint16_t)v); }
static void put_be64(uint8_t *p, uint64_t v) { put_be32(p, v >> 32); put_be32(p + 4, (uint32_t)v); }

/*
 * Write a big-endian ppc64 ELF with one PT_LOAD at physical 0 (4 bytes of
 * code, memsz @memsz, filesz @filesz) and its program header at @phoff.
 */
static char *write_kernel(const char *name, uint64_t phoff, uint64_t filesz,
                          uint64_t memsz)
{
    size_t code_off = 0x200, size = code_off + 0x100;
    g_autofree uint8_t *f = g_malloc0(size);

    memcpy(f, ELFMAG, SELFMAG);
    f[EI_CLASS] = ELFCLASS64;
    f[EI_DATA] = ELFDATA2MSB;
    f[EI_VERSION] = EV_CURRENT;
    put_be16(f + offsetof(Elf64_Ehdr, e_type), ET_EXEC);
    put_be16(f + offsetof(Elf64_Ehdr, e_machine), EM_PPC64);
    put_be32(f + offsetof(Elf64_Ehdr, e_version), EV_CURRENT);
    put_be64(f + offsetof(Elf64_Ehdr, e_entry), 0);
    put_be64(f + offsetof(Elf64_Ehdr, e_phoff), phoff);
    put_be16(f + offsetof(Elf64_Ehdr, e_ehsize), sizeof(Elf64_Ehdr));
    put_be16(f + offsetof(Elf64_Ehdr, e_phentsize), sizeof(Elf64_Phdr));
    put_be16(f + offsetof(Elf64_Ehdr, e_phnum), 1);
    uint8_t *ph = f + phoff;
    put_be32(ph + offsetof(Elf64_Phdr, p_type), PT_LOAD);
    put_be64(ph + offsetof(Elf64_Phdr, p_offset), code_off);
    put_be64(ph + offsetof(Elf64_Phdr, p_paddr), 0);
    put_be64(ph + offsetof(Elf64_Phdr, p_filesz), filesz);
    put_be64(ph + offsetof(Elf64_Phdr, p_memsz), memsz);
    put_be32(f + code_off, 0x48000000);    /* b . */
    char *path = tmp_path(name);
    g_assert_true(g_file_set_contents(path, (const char *)f, (gssize)size, NULL));
    return path;
}

static char *good_kernel(void)
{
    return write_kernel("kernel.elf", sizeof(Elf64_Ehdr), 4, KERNEL_MEMSZ);
}

/* A file of @size bytes, byte i = (i * 7 + 3) & 0xff. */
static char *write_pattern(const char *name, size_t size)
{
    g_autofree char *buf = g_malloc(size ? size : 1);
    for (size_t i = 0; i < size; i++) {
        buf[i] = (char)((i * 7 + 3) & 0xff);
    }
    char *path = tmp_path(name);
    g_assert_true(g_file_set_contents(path, buf, (gssize)size, NULL));
    return path;
}

static bool chosen_u64(const void *fdt, const char *prop, uint64_t *v)
{
    int len, node = fdt_path_offset(fdt, "/chosen");
    const fdt64_t *p = node >= 0 ? fdt_getprop(fdt, node, prop, &len) : NULL;
    if (!p || len != 8) {
        return false;
    }
    *v = fdt64_to_cpu(*p);
    return true;
}

/* The initrd's bytes in guest RAM are the file's. */
static void assert_initrd_in_ram(QTestState *qts, uint64_t base, size_t size)
{
    g_autofree uint8_t *buf = g_malloc(size);
    qtest_bufread(qts, base, buf, size);
    size_t bad = SIZE_MAX;
    for (size_t i = 0; i < size && bad == SIZE_MAX; i++) {
        if (buf[i] != ((i * 7 + 3) & 0xff)) {
            bad = i;
        }
    }
    g_assert_cmpuint(bad, ==, SIZE_MAX);
}

static void test_initrd_above_kernel_in_chosen(void)
{
    g_autofree char *kernel = good_kernel();
    g_autofree char *initrd = write_pattern("initrd.img", 10000);
    QTestState *qts = qtest_initf("-kernel %s -initrd %s", kernel, initrd);
    g_autofree void *fdt = qtest_fdt_get(qts, NULL);
    uint64_t start = 0, end = 0;

    g_assert_nonnull(fdt);
    if (fdt) {
        g_assert_true(chosen_u64(fdt, "linux,initrd-start", &start));
        g_assert_true(chosen_u64(fdt, "linux,initrd-end", &end));
        g_assert_cmphex(start, ==, INITRD_BASE);
        g_assert_cmphex(end, ==, INITRD_BASE + 10000);
        /* below the device tree and the RTAS area (the reserve map) */
        uint64_t rsv_addr, rsv_size;
        g_assert_cmpint(fdt_get_mem_rsv(fdt, 0, &rsv_addr, &rsv_size), ==, 0);
        g_assert_cmphex(end, <=, rsv_addr);
    }
    assert_initrd_in_ram(qts, INITRD_BASE, 10000);
    qtest_quit(qts);
}

static void test_no_initrd_no_chosen_props(void)
{
    g_autofree char *kernel = good_kernel();
    QTestState *qts = qtest_initf("-kernel %s", kernel);
    g_autofree void *fdt = qtest_fdt_get(qts, NULL);
    uint64_t v;

    if (fdt) {
        g_assert_false(chosen_u64(fdt, "linux,initrd-start", &v));
        g_assert_false(chosen_u64(fdt, "linux,initrd-end", &v));
    }
    qtest_quit(qts);
}

static void test_initrd_reloaded_at_reset(void)
{
    g_autofree char *kernel = good_kernel();
    g_autofree char *initrd = write_pattern("initrd.img", 5000);
    QTestState *qts = qtest_initf("-kernel %s -initrd %s", kernel, initrd);

    qtest_memset(qts, INITRD_BASE, 0, 5000);
    /* The file changes on disk: the reset reloads the bytes read at start. */
    g_assert_true(g_file_set_contents(initrd, "changed", -1, NULL));
    qtest_system_reset(qts);
    assert_initrd_in_ram(qts, INITRD_BASE, 5000);
    qtest_quit(qts);
}

/* The largest initrd that fits ends exactly at the device tree. */
static void test_initrd_fills_ram_up_to_fdt(void)
{
    g_autofree char *kernel = good_kernel();
    QTestState *probe = qtest_initf("-m 16M -kernel %s", kernel);
    g_autofree void *fdt = qtest_fdt_get(probe, NULL);
    uint64_t fdt_addr = 0, rsv_size;
    if (fdt) {
        g_assert_cmpint(fdt_get_mem_rsv(fdt, 0, &fdt_addr, &rsv_size), ==, 0);
    }
    qtest_quit(probe);

    g_autofree char *initrd = write_pattern("initrd-max.img", fdt_addr - INITRD_BASE);
    QTestState *qts = qtest_initf("-m 16M -kernel %s -initrd %s", kernel, initrd);
    g_autofree void *fdt2 = qtest_fdt_get(qts, NULL);
    uint64_t end = 0;
    if (fdt2) {
        g_assert_true(chosen_u64(fdt2, "linux,initrd-end", &end));
        g_assert_cmphex(end, ==, fdt_addr);
    }
    qtest_quit(qts);
}

typedef struct BadFileCase {
    const char *path;
    const char *args;       /* %K = a good kernel, %F = the file under test */
    const char *file;       /* "missing", "dir", "fifo", "/dev/zero", "big", "toobig", or an ELF kind */
    const char *expect;     /* substring of the one stderr line */
} BadFileCase;

static const BadFileCase bad_files[] = {
    { "initrd/missing", "-kernel %K -initrd %F", "missing", "-initrd" },
    { "initrd/directory", "-kernel %K -initrd %F", "dir", "Is a directory" },
    { "initrd/fifo", "-kernel %K -initrd %F", "fifo", "not a regular file" },
    { "initrd/dev-zero", "-kernel %K -initrd %F", "/dev/zero", "not a regular file" },
    { "initrd/larger-than-ram", "-m 16M -kernel %K -initrd %F", "toobig",
      "too large for guest RAM" },
    { "initrd/does-not-fit-below-fdt", "-m 16M -kernel %K -initrd %F", "big",
      "do not fit" },
    { "initrd/without-kernel", "-initrd %F", "big", "-initrd only allowed with -kernel" },
    { "kernel/directory", "-kernel %F", "dir", "Is a directory" },
    { "kernel/fifo", "-kernel %F", "fifo", "not a regular file" },
    { "kernel/dev-zero", "-kernel %F", "/dev/zero", "not a regular file" },
    { "kernel/missing", "-kernel %F", "missing", "No such file or directory" },
    { "kernel/filesz-above-memsz", "-kernel %F", "elf-filesz", "p_filesz > p_memsz" },
    { "kernel/segment-past-ram", "-m 16M -kernel %F", "elf-huge", "does not fit" },
};

static char *bad_file(const char *kind)
{
    if (!strcmp(kind, "missing")) {
        return tmp_path("no-such-file");
    } else if (!strcmp(kind, "dir")) {
        return g_strdup(tmpdir);
    } else if (!strcmp(kind, "fifo")) {
        char *p = tmp_path("fifo");
        g_unlink(p);
        g_assert_cmpint(mkfifo(p, 0600), ==, 0);
        return p;
    } else if (!strcmp(kind, "big")) {
        return write_pattern("big.img", 16 * MiB);   /* = RAM: fits the cap, not the room */
    } else if (!strcmp(kind, "toobig")) {
        return write_pattern("toobig.img", 17 * MiB);
    } else if (!strcmp(kind, "elf-filesz")) {
        return write_kernel("filesz.elf", sizeof(Elf64_Ehdr), 0x80, 0x40);
    } else if (!strcmp(kind, "elf-huge")) {
        return write_kernel("huge.elf", sizeof(Elf64_Ehdr), 4, 64 * MiB);
    }
    return g_strdup(kind);
}

static void test_bad_file_rejected(const void *data)
{
    const BadFileCase *c = data;
    g_autofree char *kernel = good_kernel();
    g_autofree char *file = bad_file(c->file);
    g_autoptr(GString) args = g_string_new("-M pseries -accel qtest -qtest stdio "
                                           "-display none -nodefaults ");
    for (const char *p = c->args; *p; p++) {
        if (p[0] == '%' && p[1] == 'K') {
            g_string_append(args, kernel);
            p++;
        } else if (p[0] == '%' && p[1] == 'F') {
            g_string_append(args, file);
            p++;
        } else {
            g_string_append_c(args, *p);
        }
    }
    g_autofree char *err = NULL;
    gint64 t0 = g_get_monotonic_time();
    int status = qtest_run_cmdline(args->str, &err);
    gint64 ms = (g_get_monotonic_time() - t0) / 1000;

    g_test_message("args '%s': status 0x%x after %" G_GINT64_FORMAT " ms, stderr '%s'",
                   args->str, status, ms, err ? err : "");
    g_assert_true(status != -1 && WIFEXITED(status));
    g_assert_cmpint(WEXITSTATUS(status), !=, 0);
    g_assert_cmpint(ms, <, 3000);      /* a FIFO must not block */
    g_assert_nonnull(err);
    if (err) {
        g_assert_true(g_str_has_suffix(err, "\n"));
        g_assert_true(strchr(err, '\n') == err + strlen(err) - 1);   /* one line */
        g_assert_nonnull(strstr(err, c->expect));
        if (strcmp(c->path, "initrd/without-kernel")) {
            g_assert_nonnull(strstr(err, file));   /* names the file */
        }
    }
}

/* e_phoff need not be aligned; the loader copes (and UBSan stays quiet). */
static void test_kernel_unaligned_phoff_loads(void)
{
    g_autofree char *kernel = write_kernel("odd.elf", sizeof(Elf64_Ehdr) + 1, 4,
                                           KERNEL_MEMSZ);
    QTestState *qts = qtest_initf("-kernel %s", kernel);
    g_assert_cmphex(qtest_readl(qts, 0), ==, 0x48000000);
    qtest_quit(qts);
}

/* The longest -append that is accepted makes it into /chosen/bootargs,
 * even with the most vCPUs; one byte more is a one-line error. */
static void test_append_limit(void)
{
    g_autofree char *kernel = good_kernel();
    g_autofree char *cmdline = g_strnfill(CMDLINE_MAX, 'x');
    QTestState *qts = qtest_initf("-smp 64 -kernel %s -append %s", kernel, cmdline);
    size_t len = 0;
    g_autofree void *fdt = qtest_fdt_get(qts, &len);
    if (fdt) {
        int node = fdt_path_offset(fdt, "/chosen");
        const char *args = fdt_getprop(fdt, node, "bootargs", NULL);
        g_assert_nonnull(args);
        g_assert_cmpuint(args ? strlen(args) : 0, ==, CMDLINE_MAX);
    }
    qtest_quit(qts);

    g_autofree char *toolong = g_strnfill(CMDLINE_MAX + 1, 'x');
    g_autofree char *argl = g_strdup_printf("-M pseries -accel qtest -qtest stdio "
                                            "-display none -nodefaults -kernel %s -append %s",
                                            kernel, toolong);
    g_autofree char *err = NULL;
    int status = qtest_run_cmdline(argl, &err);
    g_assert_true(status != -1 && WIFEXITED(status));
    g_assert_cmpint(WEXITSTATUS(status), ==, 1);
    g_assert_cmpstr(err, ==, "qemu-system-ppc64: -append: kernel command line too long "
                             "(65537 bytes, at most 65536)\n");
}

/*
 * -bios with -kernel: the firmware boots the kernel, so it sits at QEMU's
 * KERNEL_LOAD_ADDR with the initrd where QEMU puts it, and /chosen tells
 * SLOF: qemu,boot-kernel = <addr size> (two 64-bit cells), the initrd in
 * 32-bit cells (SLOF's decode-int), no qemu,boot-kernel-le for this
 * big-endian image.
 */
#define FW_KERNEL_ADDR  0x400000ULL
#define FW_INITRD_BASE  ((FW_KERNEL_ADDR + KERNEL_MEMSZ + 0x1ffff) & ~0xffffULL)

static void test_firmware_boot_layout(void)
{
    g_autofree char *kernel = good_kernel();
    g_autofree char *initrd = write_pattern("initrd.img", 10000);
    g_autofree char *bios = write_pattern("bios.bin", 0x1000);
    QTestState *qts = qtest_initf("-bios %s -kernel %s -initrd %s", bios, kernel, initrd);
    g_autofree void *fdt = qtest_fdt_get(qts, NULL);

    g_assert_cmphex(FW_INITRD_BASE, ==, 0x430000);
    g_assert_cmphex(qtest_readl(qts, FW_KERNEL_ADDR), ==, 0x48000000);   /* b . */
    g_assert_cmphex(qtest_readl(qts, 0), ==, 0x030a1118);   /* the firmware at 0 */
    assert_initrd_in_ram(qts, FW_INITRD_BASE, 10000);
    g_assert_nonnull(fdt);
    if (fdt) {
        int chosen = fdt_path_offset(fdt, "/chosen"), len;
        const fdt64_t *k = fdt_getprop(fdt, chosen, "qemu,boot-kernel", &len);
        g_assert_nonnull(k);
        g_assert_cmpint(len, ==, 16);
        if (k) {
            g_assert_cmphex(fdt64_to_cpu(k[0]), ==, FW_KERNEL_ADDR);
            g_assert_cmphex(fdt64_to_cpu(k[1]), ==, KERNEL_MEMSZ);
        }
        g_assert_null(fdt_getprop(fdt, chosen, "qemu,boot-kernel-le", NULL));
        const fdt32_t *start = fdt_getprop(fdt, chosen, "linux,initrd-start", &len);
        g_assert_nonnull(start);
        g_assert_cmpint(len, ==, 4);
        const fdt32_t *end = fdt_getprop(fdt, chosen, "linux,initrd-end", &len);
        g_assert_nonnull(end);
        g_assert_cmpint(len, ==, 4);
        if (start && end) {
            g_assert_cmphex(fdt32_to_cpu(*start), ==, FW_INITRD_BASE);
            g_assert_cmphex(fdt32_to_cpu(*end), ==, FW_INITRD_BASE + 10000);
        }
        /* what prom_init reads before CAS */
        g_assert_nonnull(fdt_getprop(fdt, chosen, "ibm,arch-vec-5-platform-support", NULL));
    }
    qtest_quit(qts);
}

/* A one-line error for a firmware image reaching into the kernel, and
 * for two firmwares at once. */
static void test_firmware_boot_errors(void)
{
    g_autofree char *kernel = good_kernel();
    g_autofree char *bios = write_pattern("bios-big.bin", FW_KERNEL_ADDR + 1);
    const struct { const char *extra; const char *expect; } cases[] = {
        { "", "overlap the kernel at 0x400000" },
        { ",x-vof=on", "-bios with x-vof=on" },
    };
    for (size_t i = 0; i < G_N_ELEMENTS(cases); i++) {
        g_autofree char *argl = g_strdup_printf("-M pseries%s -accel qtest -qtest stdio "
                                                "-display none -nodefaults -bios %s "
                                                "-kernel %s", cases[i].extra, bios, kernel);
        g_autofree char *err = NULL;
        int status = qtest_run_cmdline(argl, &err);
        g_test_message("'%s': stderr '%s'", argl, err ? err : "");
        g_assert_true(status != -1 && WIFEXITED(status));
        g_assert_cmpint(WEXITSTATUS(status), ==, 1);
        g_assert_nonnull(err);
        if (err) {
            g_assert_nonnull(strstr(err, cases[i].expect));
            g_assert_true(strchr(err, '\n') == err + strlen(err) - 1);   /* one line */
        }
    }
}

static void rm_rf(const char *dir)
{
    g_autoptr(GDir) d = g_dir_open(dir, 0, NULL);
    for (const char *n; d && (n = g_dir_read_name(d));) {
        g_autofree char *p = g_build_filename(dir, n, NULL);
        g_unlink(p);
    }
    g_rmdir(dir);
}

int main(int argc, char **argv)
{
    g_test_init(&argc, &argv, NULL);
    g_test_set_nonfatal_assertions();
    tmpdir = g_dir_make_tmp("boot-test-XXXXXX", NULL);
    g_assert_nonnull(tmpdir);

    g_test_add_func("/boot/initrd/above-kernel-and-in-chosen",
                    test_initrd_above_kernel_in_chosen);
    g_test_add_func("/boot/initrd/absent-means-no-chosen-props",
                    test_no_initrd_no_chosen_props);
    g_test_add_func("/boot/initrd/reloaded-at-reset", test_initrd_reloaded_at_reset);
    g_test_add_func("/boot/initrd/fills-ram-up-to-fdt", test_initrd_fills_ram_up_to_fdt);
    for (size_t i = 0; i < G_N_ELEMENTS(bad_files); i++) {
        g_autofree char *path = g_strdup_printf("/boot/%s/rejected-one-line",
                                                bad_files[i].path);
        g_test_add_data_func(path, &bad_files[i], test_bad_file_rejected);
    }
    g_test_add_func("/boot/kernel/unaligned-phoff-loads", test_kernel_unaligned_phoff_loads);
    g_test_add_func("/boot/append/limit", test_append_limit);
    g_test_add_func("/boot/firmware/kernel-at-load-addr-and-in-chosen",
                    test_firmware_boot_layout);
    g_test_add_func("/boot/firmware/errors", test_firmware_boot_errors);

    int ret = g_test_run();
    rm_rf(tmpdir);
    g_free(tmpdir);
    return ret;
}
