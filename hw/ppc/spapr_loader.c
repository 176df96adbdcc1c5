/*
 * -kernel: load an ELF64 image (either endianness) at its physical
 * addresses. The file is read once and kept, so a machine reset reloads
 * the same image even if the file changed on disk. Every header field is
 * checked before use: a malformed file gets a one-line error.
 */
#include <elf.h>
#include <string.h>

#include "hw/ppc/spapr.h"
#include "target/ppc/interp.h"

/* The original file contents, kept for reloads at reset. */
static GBytes *kernel_image;

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

static int load_segment(SpaprMachineState *spapr, const ElfReader *r,
                        const uint8_t *ph, GError **error)
{
    const Elf64_Phdr *p = (const Elf64_Phdr *)ph;
    uint64_t offset = elf_u64(r, &p->p_offset);
    uint64_t filesz = elf_u64(r, &p->p_filesz);
    uint64_t memsz = elf_u64(r, &p->p_memsz);
    uint64_t paddr = elf_u64(r, &p->p_paddr) & PPC_REAL_ADDR_MASK;

    if (filesz > memsz || offset > r->size || filesz > r->size - offset) {
        return elf_fail(error, spapr->kernel_path, "segment outside the file");
    }
    if (!guest_range_valid(&spapr->ram, paddr, memsz) ||
        (paddr < spapr->rtas_base + spapr->rtas_size && paddr + memsz > spapr->fdt_addr)) {
        return elf_fail(error, spapr->kernel_path,
                        "segment does not fit in guest RAM below the device tree");
    }
    guest_write(&spapr->ram, paddr, r->data + offset, filesz);
    guest_fill(&spapr->ram, paddr + filesz, 0, memsz - filesz);
    ppc_interp_invalidate(paddr, memsz);
    spapr->kernel_load = MIN(spapr->kernel_load, paddr);
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
    const Elf64_Ehdr *eh = (const Elf64_Ehdr *)data;
    if (elf_u16(&r, &eh->e_machine) != EM_PPC64) {
        return elf_fail(error, path, "not a PowerPC64 ELF file");
    }
    uint64_t phoff = elf_u64(&r, &eh->e_phoff);
    uint16_t phnum = elf_u16(&r, &eh->e_phnum), phentsize = elf_u16(&r, &eh->e_phentsize);
    if (phentsize != sizeof(Elf64_Phdr) || phoff > size ||
        (uint64_t)phnum * phentsize > size - phoff) {
        return elf_fail(error, path, "bad program header table");
    }

    spapr->kernel_load = UINT64_MAX;
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
    spapr->kernel_entry = elf_u64(&r, &eh->e_entry) & PPC_REAL_ADDR_MASK;
    spapr->kernel_le = r.le;
    if (!guest_range_valid(&spapr->ram, spapr->kernel_entry, 4)) {
        return elf_fail(error, path, "entry point outside guest RAM");
    }
    return 0;
}

int spapr_load_kernel(SpaprMachineState *spapr, GError **error)
{
    if (!kernel_image) {
        gchar *contents;
        gsize len;
        GError *err = NULL;
        if (!g_file_get_contents(spapr->kernel_path, &contents, &len, &err)) {
            g_set_error(error, G_FILE_ERROR, err->code, "-kernel %s: %s",
                        spapr->kernel_path, g_strerror(err->code == G_FILE_ERROR_NOENT
                                                        ? ENOENT : EIO));
            g_error_free(err);
            return -EIO;
        }
        kernel_image = g_bytes_new_take(contents, len);
    }
    return load_elf(spapr, kernel_image, error);
}
