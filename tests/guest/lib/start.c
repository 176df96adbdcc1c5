/*
 * C side of the boot: read the machine description from the device tree,
 * then run the guest's guest_main(); also the C entry of secondary vCPUs
 * and the per-vCPU state.
 */
#include "guest.h"

struct percpu percpu[MAX_CPUS];
u8 stacks[MAX_CPUS][STACK_SIZE] __attribute__((aligned(16)));
u8 exc_stacks[MAX_CPUS][EXC_STACK_SIZE] __attribute__((aligned(16)));
struct machine machine;

/* The assembly uses these offsets (guest.h) */
_Static_assert(__builtin_offsetof(struct percpu, exc_sp) == PC_EXC_SP, "PC_EXC_SP");
_Static_assert(__builtin_offsetof(struct percpu, stack_top) == PC_STACK_TOP, "PC_STACK_TOP");
_Static_assert(__builtin_offsetof(struct percpu, cpu_id) == PC_CPU_ID, "PC_CPU_ID");
_Static_assert(__builtin_offsetof(struct percpu, exc_depth) == PC_EXC_DEPTH, "PC_EXC_DEPTH");
_Static_assert(__builtin_offsetof(struct percpu, entry_vec) == PC_ENTRY_VEC, "PC_ENTRY_VEC");
_Static_assert(__builtin_offsetof(struct percpu, entry_cr) == PC_ENTRY_CR, "PC_ENTRY_CR");
_Static_assert(__builtin_offsetof(struct regs, nip) == R_NIP, "R_NIP");
_Static_assert(__builtin_offsetof(struct regs, msr) == R_MSR, "R_MSR");
_Static_assert(__builtin_offsetof(struct regs, lr) == R_LR, "R_LR");
_Static_assert(__builtin_offsetof(struct regs, ctr) == R_CTR, "R_CTR");
_Static_assert(__builtin_offsetof(struct regs, xer) == R_XER, "R_XER");
_Static_assert(__builtin_offsetof(struct regs, cr) == R_CR, "R_CR");
_Static_assert(__builtin_offsetof(struct regs, dar) == R_DAR, "R_DAR");
_Static_assert(__builtin_offsetof(struct regs, dsisr) == R_DSISR, "R_DSISR");
_Static_assert(__builtin_offsetof(struct regs, vector) == R_VEC, "R_VEC");
_Static_assert(sizeof(struct regs) == R_SIZE, "R_SIZE");
_Static_assert(sizeof(struct probe_regs) == 38 * 8, "probe_regs");

/* Until RTAS is known, fail() cannot end the VM: say so and stop here */
static void early_fail(const char *why)
{
    printf("%s: FAIL: %s\n", guest_name, why);
    for (;;) {
        cpu_relax();    /* not H_CEDE: it would enable MSR[EE] */
    }
}

static u64 read_cells(const u8 *p, int cells)
{
    return cells == 2 ? be64(p) : be32(p);
}

static void find_memory(const void *fdt)
{
    const char *name;
    int root = fdt_path_offset(fdt, "/");
    u32 ac = 2, sc = 2;

    fdt_getprop_u32(fdt, root, "#address-cells", &ac);
    fdt_getprop_u32(fdt, root, "#size-cells", &sc);
    if ((ac != 1 && ac != 2) || (sc != 1 && sc != 2)) {
        early_fail("unsupported #address-cells/#size-cells at /");
    }
    for (int n = fdt_next_child(fdt, root, -1, &name); n >= 0;
         n = fdt_next_child(fdt, root, n, &name)) {
        const u8 *reg;
        int len;

        if (strncmp(name, "memory", 6) || (name[6] && name[6] != '@')) {
            continue;
        }
        reg = fdt_getprop(fdt, n, "reg", &len);
        for (int i = 0; reg && i + (int)(4 * (ac + sc)) <= len; i += 4 * (ac + sc)) {
            u64 base = read_cells(reg + i, ac);
            u64 size = read_cells(reg + i + 4 * ac, sc);

            if (base == 0 && i == 0) {
                machine.ram_size = size;
            }
            if (base + size > machine.ram_end) {
                machine.ram_end = base + size;
            }
        }
    }
    if (!machine.ram_end) {
        early_fail("no memory node in the device tree");
    }
}

static void find_cpus(const void *fdt)
{
    const char *name;
    int cpus = fdt_path_offset(fdt, "/cpus");

    if (cpus < 0) {
        early_fail("no /cpus in the device tree");
    }
    /* cpu_ids[0] is the boot vCPU (reg 0); the others follow in tree order */
    machine.ncpus = 1;
    machine.cpu_ids[0] = 0;
    for (int n = fdt_next_child(fdt, cpus, -1, &name); n >= 0;
         n = fdt_next_child(fdt, cpus, n, &name)) {
        const char *type = fdt_getprop(fdt, n, "device_type", NULL);
        u32 reg;

        /* this VMM names them cpu@N; PAPR firmware "PowerPC,POWER9@N" */
        if (strncmp(name, "cpu@", 4) && !(type && !strcmp(type, "cpu"))) {
            continue;
        }
        if (!fdt_getprop_u32(fdt, n, "reg", &reg)) {
            early_fail("a cpu node has no reg");
        }
        machine.ncpus_dt++;
        if (reg != 0 && machine.ncpus < MAX_CPUS) {
            machine.cpu_ids[machine.ncpus++] = reg;
        }
    }
    if (machine.ncpus_dt == 0) {
        early_fail("no cpu nodes under /cpus");
    }
}

static void find_rtas(const void *fdt)
{
    int rtas = fdt_path_offset(fdt, "/rtas");
    u32 base, entry, size;

    if (rtas < 0) {
        early_fail("no /rtas node in the device tree");
    }
    if (!fdt_getprop_u32(fdt, rtas, "linux,rtas-base", &base) ||
        !fdt_getprop_u32(fdt, rtas, "linux,rtas-entry", &entry) ||
        !fdt_getprop_u32(fdt, rtas, "rtas-size", &size)) {
        early_fail("/rtas lacks linux,rtas-base, linux,rtas-entry or rtas-size");
    }
    machine.rtas_base = base;
    machine.rtas_entry = entry;
    machine.rtas_size = size;
    fdt_getprop_u32(fdt, rtas, "rtas-error-log-max", &machine.rtas_log_max);
    machine.have_rtas = true;
}

/*
 * boot_main: called by _start on vCPU 0 with the device tree, the status
 * of H_SET_MODE(LE) (0 in the big-endian guest, which does not call it)
 * and the load address the VMM passed in r4.
 */
void boot_main(const void *fdt, long set_mode_rc, u64 load);
void boot_main(const void *fdt, long set_mode_rc, u64 load)
{
    int rc;

    percpu[0].cpu_id = 0;
    if (fdt_check(fdt)) {
        early_fail("r3 does not point to a flattened device tree");
    }
    machine.fdt = fdt;
    find_memory(fdt);
    find_cpus(fdt);
    find_rtas(fdt);
    {
        int chosen = fdt_path_offset(fdt, "/chosen");

        if (chosen >= 0) {
            machine.bootargs = fdt_getprop(fdt, chosen, "bootargs", NULL);
        }
    }
    /* From here on fail() works */
    CHECK(set_mode_rc == H_SUCCESS,
          "H_SET_MODE(LE) returned %ld: interrupts would be taken big-endian",
          set_mode_rc);
    CHECK((load & ~0xF000000000000000UL) == 0,
          "loaded at 0x%lx, but this image is linked at 0", load);
    CHECK((mfmsr() & (MSR_IR | MSR_DR | MSR_PR | MSR_HV | MSR_SF)) == MSR_SF,
          "entered with MSR 0x%016lx, expected real mode, 64-bit, supervisor",
          mfmsr());
    rc = guest_main();
    if (rc) {
        fail("guest_main returned %d", rc);
    }
    rtas_power_off();
}

/* secondary_entry (lib/head.S) lands here on a started vCPU */
void secondary_main(struct percpu *pc);
void secondary_main(struct percpu *pc)
{
    smp_mb();
    pc->started = 1;
    pc->entry(pc);
    smp_mb();
    pc->finished = 1;
    rtas_stop_self();
}
