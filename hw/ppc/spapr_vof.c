/*
 * Virtual Open Firmware: the client-interface services prom_init uses
 * (include/hw/ppc/spapr_vof.h). IEEE 1275 names and argument orders; the
 * set and the boot-time state follow QEMU's x-vof=on. Every address the
 * guest passes is checked against RAM before it is read or written; a
 * service that fails answers -1 (or 0 for handles), as Open Firmware.
 */
#include "hw/ppc/spapr_vof.h"

#include <string.h>
#include <libfdt.h>

#include "hw/ppc/spapr.h"
#include "hw/ppc/spapr_cas.h"
#include "system/clock.h"
#include "system/trace.h"
#include "target/ppc/interp.h"

#define VOF_MAX_CELLS       20          /* nargs + nret */
#define VOF_NAME_MAX        256         /* service, path and property names */
#define VOF_FDT_ROOM        (1 << 20)   /* room for the client's setprop */
#define VOF_ERR             0xffffffffU

typedef struct SpaprVofRange {
    uint64_t start, size;
} SpaprVofRange;

typedef struct SpaprVofInstance {
    uint32_t phandle;
    char *path;
} SpaprVofInstance;

/* ---- claimed memory ---- */

static bool vof_range_free(SpaprVofState *vof, uint64_t start, uint64_t size)
{
    for (guint i = 0; i < vof->claimed->len; i++) {
        SpaprVofRange *r = &g_array_index(vof->claimed, SpaprVofRange, i);
        if (start < r->start + r->size && r->start < start + size) {
            return false;
        }
    }
    return true;
}

static void vof_range_add(SpaprVofState *vof, uint64_t start, uint64_t size)
{
    guint i = 0;
    while (i < vof->claimed->len &&
           g_array_index(vof->claimed, SpaprVofRange, i).start < start) {
        i++;
    }
    SpaprVofRange r = { .start = start, .size = size };
    g_array_insert_val(vof->claimed, i, r);
}

/* claim (IEEE 1275 6.3.2.4): align 0 = exactly at @virt, otherwise the
 * lowest free aligned range. Returns the address or VOF_ERR. */
static uint32_t vof_claim(SpaprMachineState *spapr, uint64_t virt, uint64_t size,
                          uint64_t align)
{
    SpaprVofState *vof = &spapr->vof;
    uint64_t top = spapr->rma_size;     /* 32-bit clients: the RMA */

    if (size == 0 || size > top) {
        return VOF_ERR;
    }
    if (align == 0) {
        if (virt >= top || size > top - virt || !vof_range_free(vof, virt, size)) {
            return VOF_ERR;
        }
        vof_range_add(vof, virt, size);
        return (uint32_t)virt;
    }
    if (align & (align - 1)) {
        return VOF_ERR;
    }
    uint64_t addr = 0;
    while (addr + size <= top) {
        bool moved = false;
        for (guint i = 0; i < vof->claimed->len; i++) {
            SpaprVofRange *r = &g_array_index(vof->claimed, SpaprVofRange, i);
            if (addr < r->start + r->size && r->start < addr + size) {
                addr = (r->start + r->size + align - 1) & ~(align - 1);
                moved = true;
            }
        }
        if (!moved) {
            vof_range_add(vof, addr, size);
            return (uint32_t)addr;
        }
    }
    return VOF_ERR;
}

static uint32_t vof_release(SpaprVofState *vof, uint64_t virt, uint64_t size)
{
    for (guint i = 0; i < vof->claimed->len; i++) {
        SpaprVofRange *r = &g_array_index(vof->claimed, SpaprVofRange, i);
        if (r->start == virt && r->size == size) {
            g_array_remove_index(vof->claimed, i);
            return 0;
        }
    }
    return VOF_ERR;
}

/* ---- guest memory helpers ---- */

/* A NUL-terminated string of at most VOF_NAME_MAX - 1 bytes, or FALSE. */
static bool vof_read_str(SpaprMachineState *spapr, uint64_t addr, char *buf)
{
    for (int i = 0; i < VOF_NAME_MAX; i++) {
        if (guest_read(&spapr->ram, addr + i, &buf[i], 1) < 0) {
            return false;
        }
        if (!buf[i]) {
            return true;
        }
    }
    return false;
}

/* Copy @len bytes to the guest buffer; FALSE when it is not all RAM. */
static bool vof_write_buf(SpaprMachineState *spapr, uint64_t addr, const void *buf,
                          uint64_t len)
{
    if (!len) {
        return true;
    }
    if (guest_write(&spapr->ram, addr, buf, len) < 0) {
        return false;
    }
    ppc_interp_invalidate(addr, len);
    return true;
}

/* ---- nodes: phandles of the private tree ---- */

static int vof_node(SpaprVofState *vof, uint32_t phandle)
{
    if (phandle == 0 || phandle == VOF_ERR) {
        return -1;
    }
    int off = fdt_node_offset_by_phandle(vof->fdt, phandle);
    return off >= 0 ? off : -1;
}

static uint32_t vof_phandle(SpaprVofState *vof, int off)
{
    return off >= 0 ? fdt_get_phandle(vof->fdt, off) : 0;
}

/* Give every node a phandle (the client's node handles). */
static void vof_assign_phandles(SpaprVofState *vof)
{
    uint32_t next = 0;
    for (int off = fdt_next_node(vof->fdt, -1, NULL); off >= 0;
         off = fdt_next_node(vof->fdt, off, NULL)) {
        next = MAX(next, fdt_get_phandle(vof->fdt, off));
    }
    for (int off = fdt_next_node(vof->fdt, -1, NULL); off >= 0;
         off = fdt_next_node(vof->fdt, off, NULL)) {
        if (!fdt_get_phandle(vof->fdt, off)) {
            /* adding a property moves later nodes, not this offset */
            g_assert(fdt_setprop_u32(vof->fdt, off, "phandle", ++next) == 0);
        }
    }
}

static int vof_path_offset(SpaprVofState *vof, const char *path)
{
    if (!strcmp(path, "/")) {
        return 0;
    }
    return fdt_path_offset(vof->fdt, path);
}

/* The node name without the unit address: OF's "name" property. */
static const char *vof_node_name(SpaprVofState *vof, int off, int *len)
{
    const char *name = fdt_get_name(vof->fdt, off, len);
    if (!name) {
        return NULL;
    }
    const char *at = strchr(name, '@');
    if (at) {
        *len = (int)(at - name);
    }
    return name;
}

static const void *vof_getprop_raw(SpaprVofState *vof, int off, const char *name,
                                   int *len, char *namebuf)
{
    const void *p = fdt_getprop(vof->fdt, off, name, len);
    if (!p && !strcmp(name, "name")) {
        const char *n = vof_node_name(vof, off, len);
        if (!n) {
            return NULL;
        }
        memcpy(namebuf, n, *len);
        namebuf[(*len)++] = 0;
        return namebuf;
    }
    return p;
}

/* ---- instances (ihandles) ---- */

static uint32_t vof_open_path(SpaprVofState *vof, const char *path)
{
    int off = vof_path_offset(vof, path);
    if (off < 0) {
        return 0;
    }
    SpaprVofInstance *inst = g_new0(SpaprVofInstance, 1);
    inst->phandle = vof_phandle(vof, off);
    inst->path = g_strdup(path);
    g_ptr_array_add(vof->instances, inst);
    /* ihandles look unlike phandles, so a mix-up fails loudly */
    return 0x10000000U + vof->instances->len;
}

static SpaprVofInstance *vof_instance(SpaprVofState *vof, uint32_t ih)
{
    uint32_t i = ih - 0x10000000U;
    if (ih <= 0x10000000U || i > vof->instances->len) {
        return NULL;
    }
    return g_ptr_array_index(vof->instances, i - 1);
}

static void vof_instance_free(gpointer p)
{
    SpaprVofInstance *inst = p;
    if (inst) {
        g_free(inst->path);
        g_free(inst);
    }
}

static bool vof_is_console(SpaprVofState *vof, SpaprVofInstance *inst)
{
    int off = vof_node(vof, inst->phandle);
    return off >= 0 && fdt_node_check_compatible(vof->fdt, off, "hvterm1") == 0;
}

/* ---- services ---- */

typedef struct VofCall {
    SpaprMachineState *spapr;
    SpaprVofState *vof;
    uint32_t nargs, nret;
    uint32_t args[VOF_MAX_CELLS];
    uint32_t rets[VOF_MAX_CELLS];
} VofCall;

static uint32_t svc_finddevice(VofCall *c)
{
    char path[VOF_NAME_MAX];
    if (!vof_read_str(c->spapr, c->args[0], path)) {
        return VOF_ERR;
    }
    int off = vof_path_offset(c->vof, path);
    return off >= 0 ? vof_phandle(c->vof, off) : VOF_ERR;
}

static uint32_t svc_getprop(VofCall *c, bool len_only)
{
    char name[VOF_NAME_MAX], namebuf[VOF_NAME_MAX + 1];
    int off = vof_node(c->vof, c->args[0]), len;
    if (off < 0 || !vof_read_str(c->spapr, c->args[1], name)) {
        return VOF_ERR;
    }
    const void *p = vof_getprop_raw(c->vof, off, name, &len, namebuf);
    if (!p) {
        return VOF_ERR;
    }
    if (!len_only) {
        uint32_t n = MIN((uint32_t)len, c->args[3]);
        if (!vof_write_buf(c->spapr, c->args[2], p, n)) {
            return VOF_ERR;
        }
    }
    return (uint32_t)len;
}

static uint32_t svc_setprop(VofCall *c)
{
    char name[VOF_NAME_MAX];
    int off = vof_node(c->vof, c->args[0]);
    uint32_t len = c->args[3];
    if (off < 0 || !vof_read_str(c->spapr, c->args[1], name) ||
        len > VOF_FDT_ROOM / 4) {
        return VOF_ERR;
    }
    g_autofree void *val = g_malloc(len ? len : 1);
    if (len && guest_read(&c->spapr->ram, c->args[2], val, len) < 0) {
        return VOF_ERR;
    }
    if (fdt_setprop(c->vof->fdt, off, name, val, (int)len) < 0) {
        return VOF_ERR;
    }
    trace_event("vof", "setprop %s %s (%u bytes)",
                fdt_get_name(c->vof->fdt, off, NULL), name, len);
    return len;
}

/* nextprop: 1 and the next name in buf, 0 after the last, -1 on error. */
static uint32_t svc_nextprop(VofCall *c)
{
    char prev[VOF_NAME_MAX];
    int off = vof_node(c->vof, c->args[0]);
    if (off < 0 || !vof_read_str(c->spapr, c->args[1], prev)) {
        return VOF_ERR;
    }
    bool take = !prev[0];
    int poff;
    fdt_for_each_property_offset(poff, c->vof->fdt, off) {
        const char *name;
        if (!fdt_getprop_by_offset(c->vof->fdt, poff, &name, NULL)) {
            return VOF_ERR;
        }
        if (take) {
            return vof_write_buf(c->spapr, c->args[2], name, strlen(name) + 1) ? 1
                                                                                : VOF_ERR;
        }
        take = !strcmp(name, prev);
    }
    return 0;
}

static uint32_t svc_peer(VofCall *c)
{
    if (c->args[0] == 0) {
        return vof_phandle(c->vof, 0);     /* the root */
    }
    int off = vof_node(c->vof, c->args[0]);
    return off > 0 ? vof_phandle(c->vof, fdt_next_subnode(c->vof->fdt, off)) : 0;
}

static uint32_t svc_child(VofCall *c)
{
    int off = vof_node(c->vof, c->args[0]);
    return off >= 0 ? vof_phandle(c->vof, fdt_first_subnode(c->vof->fdt, off)) : 0;
}

static uint32_t svc_parent(VofCall *c)
{
    int off = vof_node(c->vof, c->args[0]);
    return off > 0 ? vof_phandle(c->vof, fdt_parent_offset(c->vof->fdt, off)) : 0;
}

/* A path into (buf, buflen): its length without the NUL. */
static uint32_t vof_put_path(VofCall *c, const char *path, uint32_t buf, uint32_t buflen)
{
    uint32_t len = (uint32_t)strlen(path);
    if (!vof_write_buf(c->spapr, buf, path, MIN(len + 1, buflen))) {
        return VOF_ERR;
    }
    return len;
}

static uint32_t svc_package_to_path(VofCall *c)
{
    char path[VOF_NAME_MAX];
    int off = vof_node(c->vof, c->args[0]);
    if (off < 0 || fdt_get_path(c->vof->fdt, off, path, sizeof(path)) < 0) {
        return VOF_ERR;
    }
    return vof_put_path(c, path, c->args[1], c->args[2]);
}

static uint32_t svc_instance_to_path(VofCall *c)
{
    SpaprVofInstance *inst = vof_instance(c->vof, c->args[0]);
    return inst ? vof_put_path(c, inst->path, c->args[1], c->args[2]) : VOF_ERR;
}

static uint32_t svc_canon(VofCall *c)
{
    char path[VOF_NAME_MAX];
    if (!vof_read_str(c->spapr, c->args[0], path)) {
        return VOF_ERR;
    }
    return vof_put_path(c, path, c->args[1], c->args[2]);
}

static uint32_t svc_open(VofCall *c)
{
    char path[VOF_NAME_MAX];
    if (!vof_read_str(c->spapr, c->args[0], path)) {
        return 0;
    }
    return vof_open_path(c->vof, path);
}

static uint32_t svc_write(VofCall *c)
{
    SpaprVofInstance *inst = vof_instance(c->vof, c->args[0]);
    uint32_t len = MIN(c->args[2], 4096U);
    char buf[4096];
    if (!inst || guest_read(&c->spapr->ram, c->args[1], buf, len) < 0) {
        return VOF_ERR;
    }
    if (vof_is_console(c->vof, inst)) {
        spapr_console_write(c->spapr, buf, len);
    }
    return len;
}

static uint32_t svc_read(VofCall *c)
{
    SpaprVofInstance *inst = vof_instance(c->vof, c->args[0]);
    GString *in = c->spapr->console_input;
    if (!inst) {
        return VOF_ERR;
    }
    if (!vof_is_console(c->vof, inst) || !in) {
        return 0;
    }
    uint32_t n = MIN((uint32_t)in->len, c->args[2]);
    if (!vof_write_buf(c->spapr, c->args[1], in->str, n)) {
        return VOF_ERR;
    }
    g_string_erase(in, 0, n);
    return n;
}

static uint32_t svc_instance_to_package(VofCall *c)
{
    SpaprVofInstance *inst = vof_instance(c->vof, c->args[0]);
    return inst ? inst->phandle : VOF_ERR;
}

/* instantiate-rtas: move the RTAS area (blob, FWNMI buffer, save slots)
 * to where the client put it; linux,rtas-base follows in the client's
 * setprop. The FWNMI code always uses spapr->rtas_base. */
static uint32_t vof_instantiate_rtas(SpaprMachineState *spapr, uint64_t base)
{
    if (!spapr_rtas_base_valid(spapr, base)) {
        return VOF_ERR;
    }
    spapr->rtas_base = base;
    guest_write(&spapr->ram, base, spapr_rtas_blob, RTAS_BLOB_SIZE);
    ppc_interp_invalidate(base, RTAS_BLOB_SIZE);
    trace_event("vof", "instantiate-rtas at 0x%" G_GINT64_MODIFIER "x", base);
    return (uint32_t)base;
}

/* ibm,client-architecture-support: the shared negotiation, its answer
 * written into the client's tree, which Linux flattens after prom_init. */
static uint32_t vof_cas(SpaprMachineState *spapr, uint64_t vec)
{
    uint8_t ov5[SPAPR_OV5_LEN];
    int chosen = fdt_path_offset(spapr->vof.fdt, "/chosen");

    if (spapr_cas_negotiate(spapr, vec, ov5) < 0 || chosen < 0 ||
        fdt_setprop(spapr->vof.fdt, chosen, "ibm,architecture-vec-5", ov5, sizeof(ov5)) < 0) {
        return VOF_ERR;
    }
    return 0;
}

/* call-method: args = method, ihandle, method args; rets = catch result,
 * method results. */
static uint32_t svc_call_method(VofCall *c)
{
    char method[VOF_NAME_MAX];
    if (c->nargs < 2 || c->nret < 1 || !vof_read_str(c->spapr, c->args[0], method)) {
        return VOF_ERR;
    }
    SpaprVofInstance *inst = vof_instance(c->vof, c->args[1]);
    if (!inst) {
        return VOF_ERR;
    }
    if (!strcmp(method, "ibm,client-architecture-support") && c->nargs >= 3 &&
        c->nret >= 2) {
        c->rets[1] = vof_cas(c->spapr, c->args[2]);
        return 0;
    }
    if (!strcmp(method, "instantiate-rtas") && c->nargs >= 3 && c->nret >= 2) {
        c->rets[1] = vof_instantiate_rtas(c->spapr, c->args[2]);
        return c->rets[1] == VOF_ERR ? VOF_ERR : 0;
    }
    trace_unimp("unimplemented", "VOF call-method %s", method);
    return VOF_ERR;
}

/* Returns rets[0]; a service with more results fills c->rets[1...]. */
static uint32_t vof_service(VofCall *c, const char *svc)
{
    static const struct {
        const char *name;
        uint32_t nargs, nret;
    } sig[] = {
        { "finddevice", 1, 1 }, { "getprop", 4, 1 }, { "getproplen", 2, 1 },
        { "setprop", 4, 1 }, { "nextprop", 3, 1 }, { "peer", 1, 1 },
        { "child", 1, 1 }, { "parent", 1, 1 }, { "instance-to-package", 1, 1 },
        { "package-to-path", 3, 1 }, { "instance-to-path", 3, 1 },
        { "canon", 3, 1 }, { "open", 1, 1 }, { "close", 1, 0 },
        { "write", 3, 1 }, { "read", 3, 1 }, { "seek", 3, 1 },
        { "claim", 3, 1 }, { "release", 2, 0 }, { "milliseconds", 0, 1 },
        { .name = NULL },
    };
    for (int i = 0; sig[i].name; i++) {
        if (!strcmp(sig[i].name, svc) && (c->nargs < sig[i].nargs || c->nret < sig[i].nret)) {
            trace_unimp("guest_errors", "VOF %s: %u args, %u rets", svc, c->nargs, c->nret);
            return VOF_ERR;
        }
    }
    if (!strcmp(svc, "finddevice")) return svc_finddevice(c);
    if (!strcmp(svc, "getprop")) return svc_getprop(c, false);
    if (!strcmp(svc, "getproplen")) return svc_getprop(c, true);
    if (!strcmp(svc, "setprop")) return svc_setprop(c);
    if (!strcmp(svc, "nextprop")) return svc_nextprop(c);
    if (!strcmp(svc, "peer")) return svc_peer(c);
    if (!strcmp(svc, "child")) return svc_child(c);
    if (!strcmp(svc, "parent")) return svc_parent(c);
    if (!strcmp(svc, "instance-to-package")) return svc_instance_to_package(c);
    if (!strcmp(svc, "package-to-path")) return svc_package_to_path(c);
    if (!strcmp(svc, "instance-to-path")) return svc_instance_to_path(c);
    if (!strcmp(svc, "canon")) return svc_canon(c);
    if (!strcmp(svc, "open")) return svc_open(c);
    if (!strcmp(svc, "close")) return 0;    /* instances live until reset */
    if (!strcmp(svc, "write")) return svc_write(c);
    if (!strcmp(svc, "read")) return svc_read(c);
    if (!strcmp(svc, "seek")) return VOF_ERR;
    if (!strcmp(svc, "claim")) return vof_claim(c->spapr, c->args[0], c->args[1], c->args[2]);
    if (!strcmp(svc, "release")) return vof_release(c->vof, c->args[0], c->args[1]);
    if (!strcmp(svc, "call-method")) return svc_call_method(c);
    if (!strcmp(svc, "milliseconds")) return (uint32_t)(vm_clock_ns() / 1000000);
    if (!strcmp(svc, "quiesce") || !strcmp(svc, "enter")) {
        return 0;
    }
    if (!strcmp(svc, "exit")) {
        /* The client gave up (prom_panic): as QEMU, the machine stops. */
        error_report("VOF: the client called exit");
        spapr_request_shutdown(c->spapr, 1);
        return 0;
    }
    trace_unimp("unimplemented", "VOF service %s", svc);
    return VOF_ERR;
}

int64_t spapr_vof_hcall(SpaprMachineState *spapr, PowerPCCPU *cpu)
{
    uint64_t block = cpu->env.gpr[4] & 0xffffffffULL;
    VofCall c = { .spapr = spapr, .vof = &spapr->vof };
    uint32_t svc_addr;
    char svc[VOF_NAME_MAX];

    if (!spapr->vof.enabled || !spapr->vof.fdt) {
        return H_FUNCTION;
    }
    if (guest_ld_be32(&spapr->ram, block, &svc_addr) ||
        guest_ld_be32(&spapr->ram, block + 4, &c.nargs) ||
        guest_ld_be32(&spapr->ram, block + 8, &c.nret) ||
        c.nargs + (uint64_t)c.nret > VOF_MAX_CELLS || !vof_read_str(spapr, svc_addr, svc)) {
        return -1;
    }
    for (uint32_t i = 0; i < c.nargs; i++) {
        if (guest_ld_be32(&spapr->ram, block + 12 + 4 * i, &c.args[i])) {
            return -1;
        }
    }
    c.rets[0] = vof_service(&c, svc);
    trace_event("vof", "%s -> 0x%x", svc, c.rets[0]);
    for (uint32_t i = 0; i < c.nret; i++) {
        if (guest_st_be32(&spapr->ram, block + 12 + 4 * (c.nargs + i), c.rets[i])) {
            return -1;
        }
    }
    return 0;
}

/* ---- reset ---- */

void spapr_vof_free(SpaprVofState *vof)
{
    g_clear_pointer(&vof->fdt, g_free);
    if (vof->claimed) {
        g_array_free(vof->claimed, TRUE);
        vof->claimed = NULL;
    }
    if (vof->instances) {
        g_ptr_array_free(vof->instances, TRUE);
        vof->instances = NULL;
    }
}

void spapr_vof_reset(SpaprMachineState *spapr)
{
    SpaprVofState *vof = &spapr->vof;
    CPUPPCState *env = &spapr->cpus[0]->env;

    spapr_vof_free(vof);
    vof->claimed = g_array_new(FALSE, FALSE, sizeof(SpaprVofRange));
    vof->instances = g_ptr_array_new_with_free_func(vof_instance_free);
    uint32_t size = fdt_totalsize(spapr->fdt) + VOF_FDT_ROOM;
    vof->fdt = g_malloc0(size);
    g_assert(fdt_open_into(spapr->fdt, vof->fdt, (int)size) == 0);
    vof_assign_phandles(vof);

    /* The kernel, the initrd, and our area (entry blob, stack, the
     * machine's tree and RTAS) are in use from the start. */
    uint64_t area = spapr->fdt_addr - SPAPR_VOF_AREA_SIZE;
    vof_range_add(vof, 0, spapr->kernel_end);
    if (spapr->initrd_path && spapr->initrd_size) {
        vof_range_add(vof, spapr->initrd_base, spapr->initrd_size);
    }
    vof_range_add(vof, area, spapr->rtas_base + spapr->rtas_size - area);
    vof->entry = area;
    vof->stack_top = spapr->fdt_addr - 0x100;
    guest_write(&spapr->ram, area, spapr_vof_blob, SPAPR_VOF_BLOB_SIZE);
    ppc_interp_invalidate(area, SPAPR_VOF_BLOB_SIZE);

    /* prom_init needs an open stdout instance in /chosen/stdout. */
    g_autofree char *stdout_path = g_strdup_printf("/vdevice/vty@%x", SPAPR_VTY_REG);
    uint32_t ih = vof_open_path(vof, stdout_path);
    int chosen = fdt_path_offset(vof->fdt, "/chosen");
    g_assert(ih && chosen >= 0);
    g_assert(fdt_setprop_u32(vof->fdt, chosen, "stdout", ih) == 0);
    /* /chosen/ibm,arch-vec-5-platform-support, which prom_init reads
     * before CAS, is in the machine's tree (spapr_dt_cas_chosen). */

    /* As QEMU enters a client: r3/r4 = initrd, r5 = client interface,
     * 32-bit big-endian real mode (prom_init switches itself to 64-bit). */
    env->gpr[1] = vof->stack_top;
    env->gpr[3] = spapr->initrd_path ? spapr->initrd_base : 0;
    env->gpr[4] = spapr->initrd_path ? spapr->initrd_size : 0;
    env->gpr[5] = vof->entry;
    env->msr = MSR_ME;
}
