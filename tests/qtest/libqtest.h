/*
 * libqtest: a small client for the VMM's qtest line protocol.
 *
 * Each QTestState is one VMM process (the binary named by the environment
 * variable QTEST_QEMU_BINARY, which meson sets), started with
 *   -M pseries -accel qtest -qtest stdio -display none -nodefaults <extra>
 * and driven through pipes on its stdin and stdout: one command line out,
 * one reply line back. The VMM's stderr is inherited (its warnings land in
 * the test log).
 *
 * Failure convention: the helpers that expect success (everything except
 * qtest_cmd_raw() and qtest_cmd_try()) fail the running test when the
 * reply is a FAIL, malformed, late (QTEST_REPLY_TIMEOUT_MS), or when the
 * VMM has died; the message names the command and the reply (or the exit
 * status). They then return a neutral value (0, "" or NULL, as documented)
 * so that a test running with g_test_set_nonfatal_assertions() goes on and
 * reports its other mismatches; once the VMM is found dead, later commands
 * fail at once without waiting.
 *
 * Multi-byte values are in the guest's big-endian order, as the protocol
 * sends them: qtest_writel(qts, a, 0x11223344) puts 0x11 at a.
 */
#ifndef TESTS_QTEST_LIBQTEST_H
#define TESTS_QTEST_LIBQTEST_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <glib.h>

typedef struct QTestState QTestState;

/* Longest wait for one reply line, and for the VMM to exit at qtest_quit. */
#define QTEST_REPLY_TIMEOUT_MS  20000
#define QTEST_QUIT_TIMEOUT_MS   5000

/*
 * Guest RAM that qtest_rtas_call() uses to stage argument and return
 * cells: args at QTEST_RTAS_SCRATCH, rets right after them. Tests must not
 * keep data of their own in [QTEST_RTAS_SCRATCH, +0x100).
 */
#define QTEST_RTAS_SCRATCH      ((uint64_t)0xF000)
#define QTEST_RTAS_MAX_CELLS    16

/* ---- process ---- */

/**
 * qtest_init: start a VMM with @extra_args (shell-quoted words appended to
 * the defaults above, e.g. "-smp 4 -m 256M" or
 * "-M pseries,cap-fwnmi=off"; may be NULL) and check that it answers.
 * Returns the state (never NULL). A missing QTEST_QEMU_BINARY, or a VMM
 * that cannot be started or does not answer "endianness", fails the test;
 * the returned state is then marked dead.
 */
QTestState *qtest_init(const char *extra_args);

/** qtest_initf: qtest_init() with printf-style @fmt for the extra args. */
QTestState *qtest_initf(const char *fmt, ...) G_GNUC_PRINTF(1, 2);

/**
 * qtest_quit: close the VMM's stdin (the protocol's way of asking it to
 * quit), wait up to QTEST_QUIT_TIMEOUT_MS for it to exit, then kill it
 * with SIGKILL (which fails the test). Frees @qts; NULL is ignored.
 * Returns the waitpid() status of the VMM (-1 if it could not be reaped).
 */
int qtest_quit(QTestState *qts);

/**
 * qtest_run_cmdline: run the VMM once with the shell-quoted words @args
 * (nothing added) and stdin on /dev/null, and wait for it to exit (at most
 * QTEST_QUIT_TIMEOUT_MS, then SIGKILL and the test fails). Stores what it
 * wrote on stderr in *@err_out (newly allocated, may be NULL).
 * Returns the waitpid() status, or -1 if it could not be run.
 */
int qtest_run_cmdline(const char *args, char **err_out);

/** qtest_alive: false once the VMM was found dead (EOF, write error, exit). */
bool qtest_alive(QTestState *qts);

/**
 * qtest_wait_exit: wait up to @timeout_ms for the VMM to exit by itself
 * (e.g. after power-off). Returns the waitpid() status, or -1 if it is
 * still running (the test is not failed; the caller decides).
 */
int qtest_wait_exit(QTestState *qts, int timeout_ms);

/* ---- raw commands ---- */

/**
 * qtest_cmd_raw: send one command line (printf-style, without newline)
 * and return the whole reply line without its newline (newly allocated),
 * "OK ..." or "FAIL ...": a FAIL reply is not an error here. A dead VMM
 * or a timeout fails the test and returns NULL.
 */
char *qtest_cmd_raw(QTestState *qts, const char *fmt, ...) G_GNUC_PRINTF(2, 3);

/**
 * qtest_cmd_try: like qtest_cmd_raw() but the VMM going away is expected
 * (power-off): returns NULL on EOF or write error without failing the
 * test. A timeout still fails it.
 */
char *qtest_cmd_try(QTestState *qts, const char *fmt, ...) G_GNUC_PRINTF(2, 3);

/**
 * qtest_cmd: send one command that must succeed. Returns what follows
 * "OK " in the reply ("" for a bare "OK"), newly allocated. Any other
 * reply fails the test (showing command and reply) and returns "".
 */
char *qtest_cmd(QTestState *qts, const char *fmt, ...) G_GNUC_PRINTF(2, 3);

/**
 * qtest_cmd_u64: qtest_cmd() whose reply is "OK <number>" (decimal, or
 * hex with 0x, optionally negative). Returns the number; a reply that is
 * not one number fails the test and returns 0.
 */
uint64_t qtest_cmd_u64(QTestState *qts, const char *fmt, ...) G_GNUC_PRINTF(2, 3);

/* ---- guest memory (big-endian guest order) ---- */

/** qtest_readb/w/l/q: read 1/2/4/8 bytes at @addr. Returns 0 on failure. */
uint8_t qtest_readb(QTestState *qts, uint64_t addr);
uint16_t qtest_readw(QTestState *qts, uint64_t addr);
uint32_t qtest_readl(QTestState *qts, uint64_t addr);
uint64_t qtest_readq(QTestState *qts, uint64_t addr);

/** qtest_writeb/w/l/q: write @val (1/2/4/8 bytes) at @addr. */
void qtest_writeb(QTestState *qts, uint64_t addr, uint8_t val);
void qtest_writew(QTestState *qts, uint64_t addr, uint16_t val);
void qtest_writel(QTestState *qts, uint64_t addr, uint32_t val);
void qtest_writeq(QTestState *qts, uint64_t addr, uint64_t val);

/**
 * qtest_memread: copy @size bytes of guest RAM at @addr into @buf ("read").
 * On failure @buf is zero-filled.
 */
void qtest_memread(QTestState *qts, uint64_t addr, void *buf, size_t size);
/** qtest_memwrite: copy @size bytes from @buf to guest RAM at @addr ("write"). */
void qtest_memwrite(QTestState *qts, uint64_t addr, const void *buf, size_t size);
/** qtest_bufread / qtest_bufwrite: as memread/memwrite, through b64read/b64write. */
void qtest_bufread(QTestState *qts, uint64_t addr, void *buf, size_t size);
void qtest_bufwrite(QTestState *qts, uint64_t addr, const void *buf, size_t size);
/** qtest_memset: fill @size bytes at @addr with @byte ("memset"). */
void qtest_memset(QTestState *qts, uint64_t addr, uint8_t byte, size_t size);

/* ---- RTAS ---- */

/**
 * qtest_rtas_call: call RTAS function @name as vCPU 0 ("rtas"): write the
 * @nargs cells of @args (host order; written big-endian with writel) at
 * QTEST_RTAS_SCRATCH, fill the @nret return cells right after them with
 * 0xDEADBEEF, run the call and, when the hypercall succeeded, read the
 * return cells back into @rets (host order; @rets may be NULL if @nret is
 * 0). @nargs and @nret must be <= QTEST_RTAS_MAX_CELLS (else the test
 * fails). Returns the hypercall status from the reply (0, or -4 when the
 * VMM refused the argument block); on any other failure (FAIL reply,
 * unknown name, dead VMM) the test fails and -1 is returned.
 * Note that @rets[0] then holds the RTAS status.
 */
int qtest_rtas_call(QTestState *qts, const char *name, uint32_t nargs,
                    const uint32_t *args, uint32_t nret, uint32_t *rets);

/**
 * qtest_start_cpus: start every vCPU but the boot one with RTAS start-cpu
 * (as vCPU 0, at address 0): as on QEMU, they are stopped until then.
 */
void qtest_start_cpus(QTestState *qts);
/** qtest_init_running, qtest_initf_running: qtest_init() + qtest_start_cpus(). */
QTestState *qtest_init_running(const char *extra_args);
QTestState *qtest_initf_running(const char *fmt, ...) G_GNUC_PRINTF(1, 2);

/** qtest_rtas_call_cpu: qtest_rtas_call() made by vCPU @cpu ("rtas-cpu"). */
int qtest_rtas_call_cpu(QTestState *qts, int cpu, const char *name,
                        uint32_t nargs, const uint32_t *args, uint32_t nret,
                        uint32_t *rets);

/**
 * qtest_rtas_call_at: the bare command, with argument and return blocks
 * where the caller put them: as vCPU @cpu ("rtas-cpu"), or with
 * @cpu < 0 as the plain "rtas" command. Returns the hypercall status (0
 * or -4); a FAIL reply fails the test and returns -1.
 */
int qtest_rtas_call_at(QTestState *qts, int cpu, const char *name,
                       uint32_t nargs, uint64_t args_addr, uint32_t nret,
                       uint64_t rets_addr);

/* ---- vCPUs and machine (extensions) ---- */

/** qtest_cpu_get: register @reg ("nip", "msr", "r3", ...) of vCPU @cpu; 0 on failure. */
uint64_t qtest_cpu_get(QTestState *qts, int cpu, const char *reg);
/** qtest_cpu_set: set register @reg of vCPU @cpu to @value. */
void qtest_cpu_set(QTestState *qts, int cpu, const char *reg, uint64_t value);

/**
 * qtest_machine_state: "running", "paused", "guest-panicked", "shutdown"
 * or "prelaunch" (newly allocated; "" on failure).
 */
char *qtest_machine_state(QTestState *qts);

/** qtest_system_reset: machine reset ("system_reset"). */
void qtest_system_reset(QTestState *qts);

/** qtest_clock_step: advance the virtual clock by @ns; returns the new time in ns. */
int64_t qtest_clock_step(QTestState *qts, int64_t ns);

/* ---- device tree ---- */

/**
 * qtest_fdt_get: the machine's device tree blob ("fdt"), newly allocated
 * (g_free it); stores its length in *@len if @len is not NULL. The blob
 * is checked with fdt_check_header() and its totalsize against the reply
 * length; failure fails the test and returns NULL.
 */
void *qtest_fdt_get(QTestState *qts, size_t *len);

/**
 * qtest_fdt_rtas_u32: look up one-cell property @prop of /rtas in @fdt.
 * Returns true and stores the value (host order) in *@value; false when
 * /rtas or the property is missing or is not exactly 4 bytes (the test is
 * not failed: absence may be what the caller checks).
 */
bool qtest_fdt_rtas_u32(const void *fdt, const char *prop, uint32_t *value);

/**
 * qtest_rtas_prop: fetch the tree and return /rtas @prop (one cell).
 * A missing property fails the test and returns 0.
 */
uint32_t qtest_rtas_prop(QTestState *qts, const char *prop);

/* ---- FWNMI (extensions) ---- */

/**
 * qtest_mce: inject a machine check on vCPU @cpu ("mce CPU SRR1 DSISR DAR
 * RECOVERED"). Returns the result word as a static string: "delivered",
 * "queued", "ignored" or "panicked". Any other reply fails the test and
 * returns "".
 */
const char *qtest_mce(QTestState *qts, int cpu, uint64_t srr1, uint32_t dsisr,
                      uint64_t dar, bool recovered);

/** qtest_nmi: system reset interrupt on vCPU @cpu, or on every vCPU if @cpu < 0. */
void qtest_nmi(QTestState *qts, int cpu);

/** Decoded "fwnmi" reply. Addresses are UINT64_MAX when not registered. */
typedef struct QTestFwnmi {
    uint64_t sreset;
    uint64_t mce;
    int holder;                 /* -1: nobody holds the interlock */
    int npending;               /* length of the queue */
    int pending[256];           /* its first vCPU indexes, in queue order */
    uint64_t delivered, legacy, queued, nested, interlocks, sresets;
} QTestFwnmi;

/**
 * qtest_fwnmi: query and decode the FWNMI state ("fwnmi"). A reply that
 * does not parse fails the test; *@out is then zeroed with holder -1.
 */
void qtest_fwnmi(QTestState *qts, QTestFwnmi *out);

/** qtest_fwnmi_pending_str: @f->pending as the protocol writes it ("3,1,2" or "-"). */
char *qtest_fwnmi_pending_str(const QTestFwnmi *f);

/*
 * ---- library-internal ----
 *
 * Shared between libqtest.c (process and line protocol) and
 * libqtest-helpers.c (the typed helpers above). Tests must not use them:
 * they are not part of the client API and may change.
 */

/** libqtest_fail: log "libqtest: <message>" and mark the running test failed. */
void libqtest_fail(const char *fmt, ...) G_GNUC_PRINTF(1, 2);

/**
 * libqtest_cmd_ok: send @cmd (one line, no newline) and return the text
 * after "OK " of its reply ("" for a bare "OK"), newly allocated; any other
 * reply, a dead VMM or a timeout fails the test and returns NULL.
 */
char *libqtest_cmd_ok(QTestState *qts, const char *cmd);

/**
 * libqtest_parse_number: parse all of @s as one number (decimal, hex with
 * 0x, or negative decimal) into *@out. Returns false if @s is not that.
 */
bool libqtest_parse_number(const char *s, uint64_t *out);

/**
 * libqtest_cmd_number: libqtest_cmd_ok() whose reply is one number; fails
 * the test and returns 0 otherwise.
 */
uint64_t libqtest_cmd_number(QTestState *qts, const char *cmd);

#endif
