/*
 * xics-ipi: inter-processor interrupts through the XICS, between real
 * vCPU threads, the way Linux's icp-hv driver does them.
 *
 * Every vCPU opens its CPPR (H_CPPR 0xff) and enables MSR[EE]. A token
 * goes around the ring of vCPUs: each one, once it received the IPI for
 * round k, sends the next one with H_IPI(next, 4). The 0x500 handler
 * accepts with H_XIRR (which must say XICS_IPI with CPPR 0xff), clears
 * its MFRR with H_IPI(self, 0xff) and EOIs with H_EOI(xirr), as Linux's
 * icp_hv_get_irq/icp_hv_ipi_action/icp_hv_eoi do. The first half of the
 * rounds wait spinning with EE on (the receiver is running: it must be
 * kicked), the second half wait in H_CEDE (it must be woken). Each IPI is
 * sent only after the previous one arrived, so the counts are exact:
 * every vCPU receives exactly ROUNDS, none spurious.
 */
#include "guest.h"

const char guest_name[] = "xics-ipi";

#define H_EOI           0x64
#define H_CPPR          0x68
#define H_IPI           0x6C
#define H_IPOLL         0x70
#define H_XIRR          0x74
#define H_PARAMETER     (-4)
#define XICS_IPI        2
#define IPI_PRIORITY    4       /* Linux's */
#define SPIN_ROUNDS     20      /* spinning vCPUs oversubscribe small hosts: fewer */
#define CEDE_ROUNDS     100
#define ROUNDS          (SPIN_ROUNDS + CEDE_ROUNDS)
#define WAIT_TB         (5 * TB_FREQ)

static volatile u64 received[MAX_CPUS];
static volatile u64 spurious, done_cpus;
static int ncpus;

/* sc 1 returning r4 and r5 as well. */
static long hcall_out(u64 op, u64 a1, u64 a2, u64 *o1, u64 *o2)
{
    register u64 r3 __asm__("r3") = op;
    register u64 r4 __asm__("r4") = a1;
    register u64 r5 __asm__("r5") = a2;

    __asm__ volatile("sc 1"
                     : "+r"(r3), "+r"(r4), "+r"(r5)
                     :
                     : "r0", "r6", "r7", "r8", "r9", "r10", "r11", "r12",
                       "cr0", "cr1", "cr5", "cr6", "cr7", "ctr", "xer", "memory");
    if (o1) {
        *o1 = r4;
    }
    if (o2) {
        *o2 = r5;
    }
    return (long)r3;
}

/* The decrementer starts at 0x7fffffff (4.2 s): keep it far from negative,
 * only external interrupts are expected. */
static void dec_rearm(void)
{
    mtspr(22, 0x7fffffff);
}

static void ee_set(bool on)
{
    u64 v = on ? MSR_EE | MSR_RI : MSR_RI;
    __asm__ volatile("mtmsrd %0,1" : : "r"(v) : "memory");
}

static int my_index(void)
{
    return (int)(this_cpu() - percpu);
}

static void on_external(struct regs *r)
{
    int me = my_index();
    u64 xirr;
    long rc;

    check_handler_msr("external interrupt handler", true);
    CHECK(r->msr & MSR_EE, "CPU%d: 0x500 taken although SRR1 %016lx has EE off",
          me, r->msr);
    rc = hcall_out(H_XIRR, 0xff, 0, &xirr, NULL);   /* Linux passes its CPPR */
    CHECK(rc == H_SUCCESS, "CPU%d: H_XIRR returned %ld", me, rc);
    if ((xirr & 0xffffff) == 0) {
        spurious++;
        return;
    }
    CHECK(xirr == (0xffUL << 24 | XICS_IPI), "CPU%d: H_XIRR gave 0x%08lx, "
          "expected the IPI (0x%08x) with CPPR 0xff", me, xirr, 0xff000000 | XICS_IPI);
    rc = hcall(H_IPI, this_cpu()->cpu_id, 0xff, 0, 0);
    CHECK(rc == H_SUCCESS, "CPU%d: H_IPI(self, 0xff) returned %ld", me, rc);
    received[me]++;
    rc = hcall(H_EOI, xirr, 0, 0, 0);
    CHECK(rc == H_SUCCESS, "CPU%d: H_EOI(0x%08lx) returned %ld", me, xirr, rc);
}

/* Wait until this vCPU received @count IPIs, spinning or ceded. */
static void wait_received(int me, u64 count, bool cede)
{
    u64 t0 = mftb();

    while (received[me] < count) {
        dec_rearm();
        if (cede) {
            /* EE off for the check, H_CEDE turns it back on atomically:
             * an IPI that arrives in between wakes the cede at once. */
            ee_set(false);
            if (received[me] < count) {
                hcall(H_CEDE, 0, 0, 0, 0);
            }
            ee_set(true);
        } else {
            cpu_relax();
        }
        CHECK(mftb() - t0 < WAIT_TB, "CPU%d: IPI %lu never arrived (%s, received %lu)",
              me, count, cede ? "ceded" : "spinning", received[me]);
    }
}

static void send_ipi(int me, int to)
{
    long rc = hcall(H_IPI, machine.cpu_ids[to], IPI_PRIORITY, 0, 0);
    CHECK(rc == H_SUCCESS, "CPU%d: H_IPI to CPU%d returned %ld", me, to, rc);
}

static void open_cppr(int me)
{
    long rc = hcall(H_CPPR, 0xff, 0, 0, 0);
    CHECK(rc == H_SUCCESS, "CPU%d: H_CPPR(0xff) returned %ld", me, rc);
    ee_set(true);
}

static void ring(int me)
{
    int next = (me + 1) % ncpus;

    for (u64 k = 0; k < ROUNDS; k++) {
        bool cede = k >= SPIN_ROUNDS;
        if (me == 0) {
            send_ipi(me, next);
            wait_received(me, k + 1, cede);
        } else {
            wait_received(me, k + 1, cede);
            send_ipi(me, next);
        }
    }
}

static void secondary(struct percpu *pc)
{
    int me = my_index();

    open_cppr(me);
    pc->started = 1;
    ring(me);
    ee_set(false);
    atomic_inc(&done_cpus);
}

static void check_device_tree(void)
{
    int node = fdt_path_offset(machine.fdt, "/interrupt-controller"), len;
    const char *compat;
    const u8 *ranges;

    CHECK(node >= 0, "no /interrupt-controller node");
    compat = fdt_getprop(machine.fdt, node, "compatible", &len);
    CHECK(compat && !strcmp(compat, "IBM,ppc-xicp"), "compatible is not IBM,ppc-xicp");
    ranges = fdt_getprop(machine.fdt, node, "ibm,interrupt-server-ranges", &len);
    CHECK(ranges && len == 8, "no ibm,interrupt-server-ranges");
    printf("xics-ipi: /interrupt-controller %s, servers %u..%u\n", compat,
           be32(ranges), be32(ranges) + be32(ranges + 4) - 1);
}

static void check_errors(void)
{
    long ipi = hcall(H_IPI, (u64)machine.ncpus_dt, IPI_PRIORITY, 0, 0);
    long poll = hcall_out(H_IPOLL, (u64)-1, 0, NULL, NULL);

    printf("xics-ipi: H_IPI and H_IPOLL of a server that does not exist: %ld, %ld\n",
           ipi, poll);
    CHECK(ipi == H_PARAMETER && poll == H_PARAMETER, "expected H_PARAMETER (-4)");
}

int guest_main(void)
{
    u64 xirr, mfrr;

    ncpus = machine.ncpus;
    printf("xics-ipi: %d vCPUs (%s), %d IPI rounds spinning and %d ceded\n", ncpus,
           GUEST_ENDIAN, SPIN_ROUNDS, CEDE_ROUNDS);
    CHECK(ncpus >= 2, "needs at least 2 vCPUs (-smp), the device tree has %d",
          machine.ncpus_dt);
    check_device_tree();
    check_errors();
    hook_external = on_external;

    for (int i = 1; i < ncpus; i++) {
        int rc = smp_start_cpu(i, secondary, 0);
        CHECK(rc == 0, "start-cpu of CPU%u returned %d", machine.cpu_ids[i], rc);
        CHECK(wait_until(&percpu[i].started, 1, 2000), "CPU%d did not start", i);
    }
    open_cppr(0);
    ring(0);
    ee_set(false);

    CHECK(wait_until(&done_cpus, (u64)ncpus - 1, 5000), "only %lu secondaries finished",
          done_cpus);
    for (int i = 0; i < ncpus; i++) {
        printf("xics-ipi: CPU%d: %lu IPIs received\n", i, received[i]);
        CHECK(received[i] == ROUNDS, "CPU%d received %lu IPIs, expected %d", i,
              received[i], ROUNDS);
        long rc = hcall_out(H_IPOLL, machine.cpu_ids[i], 0, &xirr, &mfrr);
        CHECK(rc == H_SUCCESS && xirr == 0xff000000 && mfrr == 0xff,
              "CPU%d: H_IPOLL %ld: XIRR 0x%08lx MFRR 0x%lx, expected 0xff000000 0xff",
              i, rc, xirr, mfrr);
    }
    CHECK(spurious == 0, "%lu spurious external interrupts", spurious);
    printf("xics-ipi: %d IPIs around the ring, none lost or spurious; powering off\n",
           ROUNDS * ncpus);
    return 0;
}
