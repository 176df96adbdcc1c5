/*
 * vCPU migration section "cpu" (include/migration/vmstate.h): every
 * architected register this vCPU has, the decrementer as its base and
 * the timebase it was set at (the machine section carries the clock, so
 * guest time stays continuous), the reservation and the run state.
 */
#include "migration/vmstate.h"
#include "target/ppc/cpu.h"

#define ENV_U64(X) X(nip) X(msr) X(lr) X(ctr) X(xer) X(srr0) X(srr1) X(dar) \
    X(lpcr) X(cfar) X(pidr) X(fpscr) X(dec_base_tb) X(reserve_addr) X(reserve_val)

void ppc_cpu_vmstate_save(PowerPCCPU *cpu, MigBuf *b)
{
    CPUPPCState *env = &cpu->env;

    for (int i = 0; i < 32; i++) {
        mig_put_u64(b, env->gpr[i]);
    }
#define PUT(f) mig_put_u64(b, env->f);
    ENV_U64(PUT)
#undef PUT
    mig_put_u32(b, env->cr);
    mig_put_u32(b, env->dsisr);
    mig_put_u32(b, env->pvr);
    mig_put_u32(b, env->dec_base);
    mig_put_u32(b, env->vscr);
    mig_put_u32(b, (uint32_t)env->reserve_size);
    mig_put_u8(b, env->dec_pending);
    for (int i = 0; i < 4; i++) {
        mig_put_u64(b, env->sprg[i]);
    }
    for (int i = 0; i < 32; i++) {
        mig_put_u64(b, env->fpr[i]);
    }
    mig_put_bytes(b, env->vr, sizeof(env->vr));
    mig_put_u8(b, (uint8_t)cpu->state);
}

int ppc_cpu_vmstate_load(PowerPCCPU *cpu, MigCursor *c, GError **error)
{
    CPUPPCState env;

    memset(&env, 0, sizeof(env));
    for (int i = 0; i < 32; i++) {
        env.gpr[i] = mig_get_u64(c);
    }
#define GET(f) env.f = mig_get_u64(c);
    ENV_U64(GET)
#undef GET
    env.cr = mig_get_u32(c);
    env.dsisr = mig_get_u32(c);
    env.pvr = mig_get_u32(c);
    env.dec_base = mig_get_u32(c);
    env.vscr = mig_get_u32(c);
    env.reserve_size = (int)mig_get_u32(c);
    env.dec_pending = mig_get_u8(c) != 0;
    for (int i = 0; i < 4; i++) {
        env.sprg[i] = mig_get_u64(c);
    }
    for (int i = 0; i < 32; i++) {
        env.fpr[i] = mig_get_u64(c);
    }
    mig_get_bytes(c, env.vr, sizeof(env.vr));
    uint8_t state = mig_get_u8(c);
    if (!mig_cursor_done(c)) {
        g_set_error(error, MIG_ERROR, 0, "cpu %d: section has the wrong length", cpu->index);
        return -1;
    }
    if (state > CPU_STATE_HALTED || (env.msr & MSR_HV) || env.reserve_size < 0 ||
        env.reserve_size > 16) {
        g_set_error(error, MIG_ERROR, 0, "cpu %d: invalid run state or registers", cpu->index);
        return -1;
    }
    cpu->env = env;
    cpu->state = (PPCCPURunState)state;
    return 0;
}
