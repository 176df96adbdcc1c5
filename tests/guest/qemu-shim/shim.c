/*
 * Dev-only QEMU shim, C part (see shim.S). Uses the guests' FDT walker.
 */
#include "guest.h"

#define RTAS_AREA       0x2F00000UL     /* 20-byte blob, then QEMU's log area */
#define NEW_FDT         0x2E00000UL
#define GUEST_ENTRY     0x8000UL        /* _start, fixed by ../guest.ld */
#define KVMPPC_H_UPDATE_DT 0xF003

long shim_hcall(u64 op, u64 a1, u64 a2, u64 a3, u64 a4);
void shim_enter(u64 entry, u64 msr, u64 fdt) __attribute__((noreturn));
void shim_main(const u8 *fdt);

static void shim_die(const char *msg)
{
    const char *s = msg;

    /* H_PUT_TERM_CHAR, 8 bytes at a time */
    while (*s) {
        u64 w = 0;
        int n = 0;

        for (; n < 8 && s[n]; n++) {
            w |= (u64)(u8)s[n] << (56 - 8 * n);
        }
        shim_hcall(H_PUT_TERM_CHAR, 0, n, w, 0);
        s += n;
    }
    for (;;) {
    }
}

static void put_prop(u8 *p, u32 nameoff, u32 val)
{
    put_be32(p, 3);             /* FDT_PROP */
    put_be32(p + 4, 4);
    put_be32(p + 8, nameoff);
    put_be32(p + 12, val);
}

/* Copy the tree to NEW_FDT with linux,rtas-base/-entry added to /rtas */
static void add_rtas_props(const u8 *fdt, int rtas)
{
    static const char names[] = "linux,rtas-base\0linux,rtas-entry";
    u8 *n = (u8 *)NEW_FDT;
    u32 off_st = be32(fdt + 8), off_str = be32(fdt + 12), off_rsv = be32(fdt + 16);
    u32 sz_str = be32(fdt + 32), sz_st = be32(fdt + 36);
    u32 name_end = (u32)rtas + 4 + (u32)strlen((const char *)fdt + rtas + 4) + 1;
    u32 ins = (name_end + 3) & ~3U, o = 40, st, str;

    if (off_rsv > off_st || be32(fdt + 20) < 17) {
        shim_die("shim: unexpected device tree layout\n");
    }
    memcpy(n, fdt, 40);
    memcpy(n + o, fdt + off_rsv, off_st - off_rsv);
    o += off_st - off_rsv;
    st = o;
    memcpy(n + o, fdt + off_st, ins - off_st);
    o += ins - off_st;
    put_prop(n + o, sz_str, RTAS_AREA);
    put_prop(n + o + 16, sz_str + 16, RTAS_AREA);
    o += 32;
    memcpy(n + o, fdt + ins, off_st + sz_st - ins);
    o += off_st + sz_st - ins;
    str = o;
    memcpy(n + o, fdt + off_str, sz_str);
    memcpy(n + o + sz_str, names, sizeof(names));
    o += sz_str + sizeof(names);
    put_be32(n + 4, o);
    put_be32(n + 8, st);
    put_be32(n + 12, str);
    put_be32(n + 16, 40);
    put_be32(n + 32, sz_str + sizeof(names));
    put_be32(n + 36, sz_st + 32);
}

void shim_main(const u8 *fdt)
{
    /* mr r4,r3; lis r3,0; ori r3,r3,0xf000; sc 1; blr (QEMU's H_RTAS) */
    static const u32 blob[] = {
        0x7c641b78, 0x3c600000, 0x6063f000, 0x44000022, 0x4e800020,
    };
    u64 msr = MSR_SF | MSR_ME;
    const u8 *bk;
    int chosen, rtas, len;

    if (fdt_check(fdt)) {
        shim_die("shim: r3 is not a device tree\n");
    }
    chosen = fdt_path_offset(fdt, "/chosen");
    rtas = fdt_path_offset(fdt, "/rtas");
    bk = chosen < 0 ? NULL : fdt_getprop(fdt, chosen, "qemu,boot-kernel", &len);
    if (!bk || len < 16 || rtas < 0) {
        shim_die("shim: no -kernel image or no /rtas\n");
    }
    if (fdt_getprop(fdt, chosen, "qemu,boot-kernel-le", NULL)) {
        msr |= MSR_LE;
    }
    memmove((void *)0, (const void *)(uintptr_t)be64(bk), be64(bk + 8));
    memcpy((void *)RTAS_AREA, blob, sizeof(blob));
    add_rtas_props(fdt, rtas);
    if (fdt_check((const void *)NEW_FDT) ||
        shim_hcall(KVMPPC_H_UPDATE_DT, NEW_FDT, 0, 0, 0) != H_SUCCESS) {
        shim_die("shim: could not update the device tree\n");
    }
    shim_enter(GUEST_ENTRY, msr, NEW_FDT);
}
