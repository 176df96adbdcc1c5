/*
 * RTAS calls. The argument block (token, nargs, nret, args[], rets[], all
 * big-endian u32) lives on the calling vCPU's stack, which is guest RAM at
 * a real address below 4 GiB. The call goes through the entry blob the
 * device tree advertises (linux,rtas-entry); rtas_enter() switches a
 * little-endian guest to big-endian around it.
 *
 * No RTAS lock: calls from several vCPUs may run concurrently (the VMM
 * must cope), and stop-self never returns, so a lock would be held for
 * ever.
 */
#include "guest.h"

#define RTAS_MAX_ARGS   8

u32 rtas_token(const char *name)
{
    int node;
    u32 tok;

    if (!machine.fdt) {
        return 0;
    }
    node = fdt_path_offset(machine.fdt, "/rtas");
    if (node < 0 || !fdt_getprop_u32(machine.fdt, node, name, &tok)) {
        return 0;
    }
    return tok;
}

static int rtas_vcall(u32 token, int nargs, int nret, u32 *rets, va_list ap)
{
    u32 block[3 + 2 * RTAS_MAX_ARGS] __attribute__((aligned(8)));

    if (!token || !machine.have_rtas) {
        return RTAS_NO_TOKEN;
    }
    if (nargs > RTAS_MAX_ARGS || nret > RTAS_MAX_ARGS || nret < 1) {
        fail("rtas_call(0x%x): bad nargs/nret %d/%d", token, nargs, nret);
    }
    put_be32(&block[0], token);
    put_be32(&block[1], (u32)nargs);
    put_be32(&block[2], (u32)nret);
    for (int i = 0; i < nargs; i++) {
        put_be32(&block[3 + i], va_arg(ap, u32));
    }
    for (int i = 0; i < nret; i++) {
        /* a status the VMM never wrote must not look like success */
        put_be32(&block[3 + nargs + i], i == 0 ? 0xDEADBEEF : 0);
    }
    smp_mb();
    rtas_enter(block, machine.rtas_entry);
    smp_mb();
    for (int i = 0; i < nret && rets; i++) {
        rets[i] = be32(&block[3 + nargs + i]);
    }
    return (s32)be32(&block[3 + nargs]);
}

int rtas_call(const char *name, int nargs, int nret, u32 *rets, ...)
{
    va_list ap;
    va_start(ap, rets);
    int rc = rtas_vcall(rtas_token(name), nargs, nret, rets, ap);
    va_end(ap);
    return rc;
}

int rtas_call_token(u32 token, int nargs, int nret, u32 *rets, ...)
{
    va_list ap;
    va_start(ap, rets);
    int rc = rtas_vcall(token, nargs, nret, rets, ap);
    va_end(ap);
    return rc;
}

void rtas_os_term(const char *msg)
{
    rtas_call("ibm,os-term", 1, 1, NULL, (u32)(uintptr_t)msg);
    /* os-term must not return; power-off would report success: hang */
    printf("%s: ibm,os-term returned, hanging\n", guest_name);
    for (;;) {
        cpu_relax();    /* not H_CEDE: it would enable MSR[EE] */
    }
}

void rtas_power_off(void)
{
    int rc = rtas_call("power-off", 2, 1, NULL, 0xffffffffU, 0xffffffffU);

    fail("power-off returned %d", rc);
}

void rtas_stop_self(void)
{
    int rc = rtas_call("stop-self", 0, 1, NULL);

    fail("stop-self returned %d on CPU%lu", rc, this_cpu()->cpu_id);
}
