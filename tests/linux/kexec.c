/*
 * The "kexec" scenario of the test init (included by init.c): load a new
 * kernel with kexec_load(2) and reboot into it. Debian's 6.1 ppc64el
 * kernel has CONFIG_KEXEC but not CONFIG_KEXEC_FILE, so the init builds
 * the segments itself, as a user-space loader (kexec-tools) would:
 *
 *   kernel     /vmlinux (an ELF64 little-endian vmlinux in the initramfs;
 *              test-mce.py packs a stripped copy of the booted kernel) at
 *              KX_KERNEL + p_paddr for each PT_LOAD; the new kernel's
 *              head_64.S copies itself down to 0 (it expects its first
 *              0x100 bytes to be there already)
 *   initrd     /initrd.cpio (the normal test initramfs, without /vmlinux)
 *   dtb        this boot's flattened device tree (/sys/firmware/fdt),
 *              with /chosen linux,initrd-start/-end pointing at the new
 *              initrd
 *   purgatory  purgatory_start..purgatory_end (start.S): copies the
 *              kernel's first 0x100 bytes to 0 and enters it with
 *              r3 = dtb, r4 = kernel, r5 = 0 in real mode
 *
 * Destinations must lie above the running kernel's _end (Linux's
 * default_machine_kexec_prepare refuses anything lower with ETXTBSY), so
 * everything goes above 128 MiB. Then reboot(LINUX_REBOOT_CMD_KEXEC).
 *
 * Without /vmlinux (the new kernel booted with /initrd.cpio) the scenario
 * is "serve": the second kernel obeys console commands.
 */

#define SYS_lseek           19
#define SYS_kexec_load      268

#define KX_KERNEL    0x08000000UL      /* 128 MiB */
#define KX_INITRD    0x0c000000UL
#define KX_DTB       0x0d000000UL
#define KX_PURGATORY 0x0d100000UL
#define KX_ARCH_PPC64 (21UL << 16)     /* KEXEC_ARCH_PPC64 (EM_PPC64) */

extern const char purgatory_start[], purgatory_end[];

struct kexec_segment {
    const void *buf;
    size_t bufsz;
    unsigned long mem;
    size_t memsz;
};

static uint32_t be32(const uint8_t *p)
{
    return (uint32_t)p[0] << 24 | (uint32_t)p[1] << 16 | (uint32_t)p[2] << 8 | p[3];
}

static void put_be64(uint8_t *p, uint64_t v)
{
    for (int i = 7; i >= 0; i--) {
        p[i] = (uint8_t)v;
        v >>= 8;
    }
}

static unsigned long page_up(unsigned long v)
{
    return (v + page_size - 1) & ~(page_size - 1);
}

/* The whole of @path in a fresh anonymous mapping; its size in @len. */
static uint8_t *slurp(const char *path, size_t *len)
{
    long fd = syscall3(SYS_open, path, 0, 0);
    if (fd < 0) {
        return 0;
    }
    long size = syscall3(SYS_lseek, fd, 0, 2 /* SEEK_END */);
    syscall3(SYS_lseek, fd, 0, 0);
    if (size <= 0) {
        /* sysfs files have no size: read up to 1 MiB */
        size = 1 << 20;
    }
    long va = syscall6(SYS_mmap, 0, (long)page_up((unsigned long)size), 3, 0x22, -1, 0);
    if (va < 0 && va > -4096) {
        syscall3(SYS_close, fd, 0, 0);
        return 0;
    }
    size_t got = 0;
    while (got < (size_t)size) {
        long n = syscall3(SYS_read, fd, (char *)va + got, (size_t)size - got);
        if (n <= 0) {
            break;
        }
        got += (size_t)n;
    }
    syscall3(SYS_close, fd, 0, 0);
    *len = got;
    return (uint8_t *)va;
}

/* Set /chosen's 8-byte property @name to @value in the blob @fdt. */
static int fdt_set_chosen_u64(uint8_t *fdt, size_t len, const char *name, uint64_t value)
{
    if (len < 40 || be32(fdt) != 0xd00dfeed) {
        return -1;
    }
    uint32_t off = be32(fdt + 8), strings = be32(fdt + 12), size = be32(fdt + 36);
    uint32_t end = off + size;
    int depth = 0, in_chosen = 0;
    if (end > len || strings > len) {
        return -1;
    }
    while (off + 4 <= end) {
        uint32_t tok = be32(fdt + off);
        off += 4;
        if (tok == 1) {                     /* FDT_BEGIN_NODE */
            const char *n = (const char *)fdt + off;
            depth++;
            if (depth == 2) {
                in_chosen = str_eq(n, "chosen");
            }
            off += ((uint32_t)str_len(n) + 4) & ~3U;
        } else if (tok == 2) {              /* FDT_END_NODE */
            if (depth-- == 2) {
                in_chosen = 0;
            }
        } else if (tok == 3) {              /* FDT_PROP */
            uint32_t plen = be32(fdt + off), nameoff = be32(fdt + off + 4);
            off += 8;
            if (in_chosen && depth == 2 && plen == 8 && strings + nameoff < len &&
                str_eq((const char *)fdt + strings + nameoff, name)) {
                put_be64(fdt + off, value);
                return 0;
            }
            off += (plen + 3) & ~3U;
        } else if (tok == 9) {              /* FDT_END */
            break;
        } else if (tok != 4) {              /* not FDT_NOP */
            return -1;
        }
    }
    return -1;
}

static void kexec_fail(const char *what, long err)
{
    put("INIT: kexec: ");
    put(what);
    put(" ");
    put_signed(err);
    put("\n");
}

static void scenario_kexec(void)
{
    size_t klen = 0, ilen = 0, dlen = 0;
    uint8_t *k = slurp("/vmlinux", &klen);
    if (!k) {
        put("INIT: kexec: no /vmlinux: this is the new kernel\n");
        scenario_serve();
        return;
    }
    uint8_t *initrd = slurp("/initrd.cpio", &ilen);
    uint8_t *dtb = slurp("/sys/firmware/fdt", &dlen);
    if (!initrd || !dtb) {
        kexec_fail("cannot read /initrd.cpio or /sys/firmware/fdt", 0);
        return;
    }
    if (fdt_set_chosen_u64(dtb, dlen, "linux,initrd-start", KX_INITRD) < 0 ||
        fdt_set_chosen_u64(dtb, dlen, "linux,initrd-end", KX_INITRD + ilen) < 0) {
        kexec_fail("no /chosen linux,initrd-start/-end in the device tree", 0);
        return;
    }

    struct kexec_segment seg[8];
    unsigned nseg = 0;
    /* ELF64 little-endian, ppc64 */
    if (klen < 64 || k[0] != 0x7f || k[1] != 'E' || k[4] != 2 || k[5] != 1) {
        kexec_fail("/vmlinux is not an ELF64 little-endian file", 0);
        return;
    }
    uint64_t entry = *(uint64_t *)(k + 24), phoff = *(uint64_t *)(k + 32);
    uint16_t phentsize = *(uint16_t *)(k + 54), phnum = *(uint16_t *)(k + 56);
    uint64_t kentry = 0;
    for (unsigned i = 0; i < phnum && nseg < 4; i++) {
        const uint8_t *ph = k + phoff + (uint64_t)i * phentsize;
        if (phoff + (uint64_t)(i + 1) * phentsize > klen || *(uint32_t *)ph != 1 /* PT_LOAD */) {
            continue;
        }
        uint64_t off = *(uint64_t *)(ph + 8), vaddr = *(uint64_t *)(ph + 16);
        uint64_t paddr = *(uint64_t *)(ph + 24), filesz = *(uint64_t *)(ph + 32);
        uint64_t memsz = *(uint64_t *)(ph + 40);
        if (off + filesz > klen) {
            kexec_fail("PT_LOAD beyond the end of /vmlinux", (long)i);
            return;
        }
        seg[nseg++] = (struct kexec_segment){ k + off, filesz, KX_KERNEL + paddr,
                                              page_up(memsz) };
        if (entry >= vaddr && entry < vaddr + memsz) {
            kentry = KX_KERNEL + paddr + (entry - vaddr);
        }
    }
    if (!nseg || !kentry) {
        kexec_fail("no PT_LOAD holds the entry point", 0);
        return;
    }

    size_t plen = (size_t)(purgatory_end - purgatory_start);
    long pva = syscall6(SYS_mmap, 0, (long)page_size, 3, 0x22, -1, 0);
    if (pva < 0 && pva > -4096) {
        kexec_fail("mmap", pva);
        return;
    }
    uint8_t *purg = (uint8_t *)pva;
    memcpy(purg, purgatory_start, plen);
    *(uint64_t *)(purg + plen - 16) = KX_DTB;     /* little-endian, as the CPU runs */
    *(uint64_t *)(purg + plen - 8) = kentry;

    seg[nseg++] = (struct kexec_segment){ initrd, ilen, KX_INITRD, page_up(ilen) };
    seg[nseg++] = (struct kexec_segment){ dtb, dlen, KX_DTB, page_up(dlen) };
    seg[nseg++] = (struct kexec_segment){ purg, plen, KX_PURGATORY, page_up(plen) };

    put("INIT: kexec: kernel ");
    put_dec(klen);
    put(" bytes entry ");
    put_hex(kentry);
    put(", initrd ");
    put_dec(ilen);
    put(" bytes, dtb ");
    put_dec(dlen);
    put(" bytes, purgatory ");
    put_hex(KX_PURGATORY);
    put("\n");
    long r = syscall6(SYS_kexec_load, (long)KX_PURGATORY, nseg, (long)seg, (long)KX_ARCH_PPC64,
                      0, 0);
    if (r < 0) {
        kexec_fail("kexec_load failed:", r);
        return;
    }
    put("INIT: kexec: loaded; rebooting into it\n");
    r = syscall6(SYS_reboot, 0xfee1dead, 672274793, 0x45584543 /* KEXEC */, 0, 0, 0);
    kexec_fail("reboot(LINUX_REBOOT_CMD_KEXEC) failed:", r);
}
