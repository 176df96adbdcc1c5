/*
 * -kernel: load an ELF64 image (either endianness) at its physical
 * addresses, SPAPR_KERNEL_LOAD_ADDR higher when the firmware boots it
 * (QEMU's layout); -initrd: load a file above it. Each file is read once and
 * kept, so a machine reset reloads the same bytes even if the file changed
 * on disk. Only regular files are accepted (a FIFO would block, /dev/zero
 * would never end), no larger than guest RAM can hold, and every header
 * field is checked before use: a bad file gets a one-line error naming
 * the option.
 */
#include <elf.h>
#include <errno.h>
#include <fcntl.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "hw/ppc/spapr.h"
#include "target/ppc/interp.h"

/* The initrd starts on a 64 KiB boundary: Linux's page size on ppc64. */
#define INITRD_ALIGN        0x10000ULL
/* A kernel file may carry symbols and debug info beyond what it loads. */
#define KERNEL_FILE_SLACK   (1ULL << 30)

typedef struct ElfReader {
    const uint8_t *data;
    size_t size;
    bool le;
} ElfReader;

static uint16_t elf_u16(const ElfReader *r, const void *p)
{
    uint16_t v;
    memcpy(&v, p, sizeof(v));
    return r->le ? GUINT16_FROM_LE(v) : GUINT16_FROM_BE(v);
}

static uint32_t elf_u32(const ElfReader *r, const void *p)
{
    uint32_t v;
    memcpy(&v, p, sizeof(v));
    return r->le ? GUINT32_FROM_LE(v) : GUINT32_FROM_BE(v);
}

static uint64_t elf_u64(const ElfReader *r, const void *p)
{
    uint64_t v;
    memcpy(&v, p, sizeof(v));
    return r->le ? GUINT64_FROM_LE(v) : GUINT64_FROM_BE(v);
}

static int elf_fail(GError **error, const char *path, const char *why)
{
    g_set_error(error, G_FILE_ERROR, G_FILE_ERROR_INVAL,
                "-kernel %s: %s", path, why);
    return -EINVAL;
}

/* True when [a, a + alen) and [b, b + blen) overlap. */
static bool ranges_overlap(uint64_t a, uint64_t alen, uint64_t b, uint64_t blen)
{
    return a < b + blen && b < a + alen;
}

static int load_segment(SpaprMachineState *spapr, const ElfReader *r,
                        const uint8_t *ph, GError **error)
{
    /* e_phoff need not be aligned: read the header through a copy. */
    Elf64_Phdr p;
    memcpy(&p, ph, sizeof(p));
    uint64_t offset = elf_u64(r, &p.p_offset);
    uint64_t filesz = elf_u64(r, &p.p_filesz);
    uint64_t memsz = elf_u64(r, &p.p_memsz);
    uint64_t paddr = (elf_u64(r, &p.p_paddr) & PPC_REAL_ADDR_MASK) + spapr->kernel_offset;

    if (filesz > memsz) {
        return elf_fail(error, spapr->kernel_path,
                        "segment has p_filesz > p_memsz");
    }
    if (offset > r->size || filesz > r->size - offset) {
        return elf_fail(error, spapr->kernel_path, "segment outside the file");
    }
    if (!guest_range_valid(&spapr->ram, paddr, memsz) ||
        ranges_overlap(paddr, memsz, spapr->fdt_addr,
                       spapr->rtas_base + spapr->rtas_size - spapr->fdt_addr)) {
        return elf_fail(error, spapr->kernel_path,
                        "segment does not fit in guest RAM below the device tree");
    }
    if (spapr->firmware_boot && paddr + memsz > spapr_fw_load_limit(spapr)) {
        return elf_fail(error, spapr->kernel_path,
                        "segment does not fit below the firmware's part of the RMA");
    }
    guest_write(&spapr->ram, paddr, r->data + offset, filesz);
    guest_fill(&spapr->ram, paddr + filesz, 0, memsz - filesz);
    ppc_interp_invalidate(paddr, memsz);
    spapr->kernel_load = MIN(spapr->kernel_load, paddr);
    spapr->kernel_end = MAX(spapr->kernel_end, paddr + memsz);
    return 0;
}

static int load_elf(SpaprMachineState *spapr, GBytes *image, GError **error)
{
    gsize size;
    const uint8_t *data = g_bytes_get_data(image, &size);
    ElfReader r = { .data = data, .size = size };
    const char *path = spapr->kernel_path;

    if (size < sizeof(Elf64_Ehdr) || memcmp(data, ELFMAG, SELFMAG) != 0) {
        return elf_fail(error, path, "not an ELF file");
    }
    if (data[EI_CLASS] != ELFCLASS64) {
        return elf_fail(error, path, "not a 64-bit ELF file");
    }
    if (data[EI_DATA] != ELFDATA2LSB && data[EI_DATA] != ELFDATA2MSB) {
        return elf_fail(error, path, "unknown ELF byte order");
    }
    r.le = data[EI_DATA] == ELFDATA2LSB;
    Elf64_Ehdr eh;
    memcpy(&eh, data, sizeof(eh));
    if (elf_u16(&r, &eh.e_machine) != EM_PPC64) {
        return elf_fail(error, path, "not a PowerPC64 ELF file");
    }
    uint64_t phoff = elf_u64(&r, &eh.e_phoff);
    uint16_t phnum = elf_u16(&r, &eh.e_phnum), phentsize = elf_u16(&r, &eh.e_phentsize);
    if (phentsize != sizeof(Elf64_Phdr) || phoff > size ||
        (uint64_t)phnum * phentsize > size - phoff) {
        return elf_fail(error, path, "bad program header table");
    }

    spapr->kernel_load = UINT64_MAX;
    spapr->kernel_end = 0;
    int loaded = 0;
    for (uint16_t i = 0; i < phnum; i++) {
        const uint8_t *ph = data + phoff + (uint64_t)i * phentsize;
        if (elf_u32(&r, ph) != PT_LOAD) {
            continue;
        }
        int ret = load_segment(spapr, &r, ph, error);
        if (ret < 0) {
            return ret;
        }
        loaded++;
    }
    if (!loaded) {
        return elf_fail(error, path, "no loadable segment");
    }
    spapr->kernel_entry = (elf_u64(&r, &eh.e_entry) & PPC_REAL_ADDR_MASK) +
                          spapr->kernel_offset;
    spapr->kernel_le = r.le;
    if (!guest_range_valid(&spapr->ram, spapr->kernel_entry, 4)) {
        return elf_fail(error, path, "entry point outside guest RAM");
    }
    return 0;
}

/*
 * Read the regular file @path, at most @max bytes, into *@out. Errors name
 * @opt: "-initrd PATH: Is a directory".
 */
static int read_image(const char *opt, const char *path, uint64_t max,
                      GBytes **out, GError **error)
{
    /* O_NONBLOCK: opening a FIFO must not wait for a writer. */
    int fd = open(path, O_RDONLY | O_CLOEXEC | O_NONBLOCK);
    struct stat st;
    int err = 0;
    const char *why = NULL;

    if (fd < 0 || fstat(fd, &st) < 0) {
        err = errno;
    } else if (S_ISDIR(st.st_mode)) {
        err = EISDIR;
    } else if (!S_ISREG(st.st_mode)) {
        why = "not a regular file";
    } else if ((uint64_t)st.st_size > max) {
        why = "file too large for guest RAM";
    }
    if (err || why) {
        g_set_error(error, G_FILE_ERROR, err ? g_file_error_from_errno(err) : G_FILE_ERROR_INVAL,
                    "%s %s: %s", opt, path, why ? why : g_strerror(err));
        if (fd >= 0) {
            close(fd);
        }
        return -(err ? err : EINVAL);
    }
    size_t size = (size_t)st.st_size, done = 0;
    uint8_t *buf = g_malloc(size ? size : 1);
    while (done < size) {
        ssize_t n = read(fd, buf + done, size - done);
        if (n < 0 && errno == EINTR) {
            continue;
        }
        if (n <= 0) {
            err = n < 0 ? errno : EIO;    /* the file shrank under us */
            break;
        }
        done += (size_t)n;
    }
    close(fd);
    if (err) {
        g_free(buf);
        g_set_error(error, G_FILE_ERROR, g_file_error_from_errno(err),
                    "%s %s: %s", opt, path, g_strerror(err));
        return -err;
    }
    *out = g_bytes_new_take(buf, size);
    return 0;
}

uint64_t spapr_fw_load_limit(const SpaprMachineState *spapr)
{
    uint64_t top = spapr->rma_size > SPAPR_FW_OVERHEAD ? spapr->rma_size - SPAPR_FW_OVERHEAD : 0;
    return MIN(top, spapr->fdt_addr);
}

/*
 * Place the initrd at the first 64 KiB boundary above the kernel. It must
 * not overlap the device tree and RTAS at the top of the RMA: below them
 * it ends at the tree, above them (a kernel loaded past the RMA) at the
 * end of RAM. Linux reserves the range itself (/chosen/linux,initrd-*).
 */
static int load_initrd(SpaprMachineState *spapr, GError **error)
{
    gsize size;
    const uint8_t *data = g_bytes_get_data(spapr->initrd_image, &size);
    uint64_t base = (spapr->kernel_end + INITRD_ALIGN - 1) & ~(INITRD_ALIGN - 1);
    uint64_t limit = base < spapr->rtas_base + spapr->rtas_size ? spapr->fdt_addr
                                                                 : spapr->ram_size;
    if (spapr->firmware_boot) {
        /* QEMU's placement, which SLOF was written against: 64 KiB
         * aligned with at least 64 KiB of gap, below the firmware. */
        base = (spapr->kernel_end + 0x1ffff) & ~(INITRD_ALIGN - 1);
        limit = spapr_fw_load_limit(spapr);
    }

    if (base > limit || size > limit - base) {
        g_set_error(error, G_FILE_ERROR, G_FILE_ERROR_NOSPC,
                    "-initrd %s: %" G_GSIZE_FORMAT " bytes do not fit in guest RAM "
                    "between the kernel (0x%" G_GINT64_MODIFIER "x) and 0x%"
                    G_GINT64_MODIFIER "x%s", spapr->initrd_path, size, base, limit,
                    spapr->firmware_boot ? " (the firmware's part of the RMA)" :
                    limit == spapr->fdt_addr ? " (the device tree)" : " (end of RAM)");
        return -ENOSPC;
    }
    guest_write(&spapr->ram, base, data, size);
    ppc_interp_invalidate(base, size);
    spapr->initrd_base = base;
    spapr->initrd_size = size;
    return 0;
}

int spapr_load_kernel(SpaprMachineState *spapr, GError **error)
{
    int ret;

    if (!spapr->kernel_image) {
        ret = read_image("-kernel", spapr->kernel_path,
                         spapr->ram_size + KERNEL_FILE_SLACK, &spapr->kernel_image, error);
        if (ret < 0) {
            return ret;
        }
    }
    if (spapr->initrd_path && !spapr->initrd_image) {
        ret = read_image("-initrd", spapr->initrd_path, spapr->ram_size,
                         &spapr->initrd_image, error);
        if (ret < 0) {
            return ret;
        }
    }
    ret = load_elf(spapr, spapr->kernel_image, error);
    if (ret < 0 || !spapr->initrd_path) {
        return ret;
    }
    return load_initrd(spapr, error);
}

int spapr_load_bios(SpaprMachineState *spapr, GError **error)
{
    gsize size;

    if (!spapr->bios_image) {
        int ret = read_image("-bios", spapr->bios_path, spapr->fdt_addr,
                             &spapr->bios_image, error);
        if (ret < 0) {
            return ret;
        }
    }
    const uint8_t *data = g_bytes_get_data(spapr->bios_image, &size);
    if (size <= SPAPR_FW_ENTRY) {
        g_set_error(error, G_FILE_ERROR, G_FILE_ERROR_INVAL,
                    "-bios %s: too small for an entry point at 0x%x", spapr->bios_path,
                    SPAPR_FW_ENTRY);
        return -EINVAL;
    }
    if (spapr->firmware_boot && size > spapr->kernel_load) {
        g_set_error(error, G_FILE_ERROR, G_FILE_ERROR_INVAL,
                    "-bios %s: %" G_GSIZE_FORMAT " bytes overlap the kernel at 0x%"
                    G_GINT64_MODIFIER "x", spapr->bios_path, size, spapr->kernel_load);
        return -EINVAL;
    }
    guest_write(&spapr->ram, 0, data, size);
    ppc_interp_invalidate(0, size);
    return 0;
}
