/*
 * Helpers for the monitor tests: start qemu-system-ppc64 (the binary named
 * by $QTEST_QEMU_BINARY), talk qtest over its stdio or a socket, QMP over
 * a unix socket (JSON with json-glib) and HMP over its stdio.
 */
#ifndef TESTS_QTEST_MONITOR_UTIL_H
#define TESTS_QTEST_MONITOR_UTIL_H

#include <stdbool.h>
#include <stdint.h>
#include <glib.h>
#include <json-glib/json-glib.h>

/* Every wait for the VMM gives up (test failure) after this long. */
#define TEST_TIMEOUT_MS 20000

typedef struct TestVM {
    GPid pid;
    int in_fd;              /* the VMM's stdin (we write) */
    int out_fd;             /* the VMM's stdout (we read) */
    GString *out_buf;       /* read from out_fd, not consumed yet */
    char *dir;              /* private temporary directory for sockets */
    int exit_status;        /* after test_vm_wait() */
    bool exited;
} TestVM;

/** test_vm_new: a VM description with its own temporary directory. */
TestVM *test_vm_new(void);
/** test_vm_path: "DIR/NAME" (freed with the VM). */
const char *test_vm_path(TestVM *vm, const char *name);
/** test_vm_spawn: start the VMM with the blank-separated @args. */
void test_vm_spawn(TestVM *vm, const char *args);
/** test_vm_wait: close its stdin and wait for exit (kill after the timeout). Returns the exit code. */
int test_vm_wait(TestVM *vm);
/** test_vm_wait_exit: wait for the VMM to exit by itself (stdin left open). */
int test_vm_wait_exit(TestVM *vm);
/** test_vm_free: wait (if needed) and remove the temporary directory. */
void test_vm_free(TestVM *vm);

/** test_vm_write: write @text to the VMM's stdin. */
void test_vm_write(TestVM *vm, const char *text);
/** test_vm_read_line: next line of the VMM's stdout (without newline). */
char *test_vm_read_line(TestVM *vm);
/** test_vm_read_until: stdout up to and excluding @marker (consumed too). */
char *test_vm_read_until(TestVM *vm, const char *marker);

/** qtest over the VMM's stdio: send a command, return the reply line. */
char *qtest_stdio(TestVM *vm, const char *fmt, ...) G_GNUC_PRINTF(2, 3);

/* A line-oriented unix socket client (QMP or qtest). */
typedef struct TestSock {
    int fd;
    GString *buf;
    GQueue events;          /* JsonNode*: QMP events received while waiting for replies */
} TestSock;

/** test_sock_connect: connect to @path, retrying while the VMM starts. */
TestSock *test_sock_connect(const char *path);
/** test_sock_try_connect: one attempt; NULL when nobody listens. */
TestSock *test_sock_try_connect(const char *path);
void test_sock_close(TestSock *s);
void test_sock_write(TestSock *s, const char *text, size_t len);
/** test_sock_read_line: next line; NULL at end of file. */
char *test_sock_read_line(TestSock *s);
/** test_sock_poll: true when data (or EOF) arrives within @ms. */
bool test_sock_poll(TestSock *s, int ms);

/** qtest over a socket. */
char *qtest_sock(TestSock *s, const char *fmt, ...) G_GNUC_PRINTF(2, 3);

/* ---- QMP ---- */

/** qmp_recv: the next message, parsed (NULL at EOF). */
JsonNode *qmp_recv(TestSock *s);
/** qmp_open: connect, check the greeting, and negotiate unless @negotiate is false. */
TestSock *qmp_open(const char *path, bool negotiate);
/** qmp_send: send one line (a newline is added). */
void qmp_send(TestSock *s, const char *fmt, ...) G_GNUC_PRINTF(2, 3);
/** qmp: send a command line and return its reply; events are kept for qmp_event(). */
JsonNode *qmp(TestSock *s, const char *fmt, ...) G_GNUC_PRINTF(2, 3);
/** qmp_reply: wait for the next reply (not an event). */
JsonNode *qmp_reply(TestSock *s);
/** qmp_event: the first event named @name (received already or awaited); removed from the queue. */
JsonNode *qmp_event(TestSock *s, const char *name);
/** qmp_has_event: an event named @name has been received (not consumed). */
bool qmp_has_event(TestSock *s, const char *name);
/** qmp_drain_events: forget received events. */
void qmp_drain_events(TestSock *s);

/** Accessors (the test fails when the shape is wrong). */
JsonObject *qmp_return_object(JsonNode *reply);
JsonArray *qmp_return_array(JsonNode *reply);
const char *qmp_return_string(JsonNode *reply);
/** qmp_assert_error: @reply is an error of @cls; returns its desc. */
const char *qmp_assert_error(JsonNode *reply, const char *cls);
JsonObject *qmp_event_data(JsonNode *event);

/** qtest helpers shared by the tests (qtest over stdio or a socket). */
typedef char *(*QtestFn)(void *opaque, const char *line);
uint64_t qtest_reg(QtestFn fn, void *opaque, int cpu, const char *reg);
/** qtest_nmi_register: ibm,nmi-register(@sreset, @mce) from vCPU 0; returns the RTAS status. */
int qtest_nmi_register(QtestFn fn, void *opaque, uint64_t sreset, uint64_t mce);
/** qtest_nmi_interlock: ibm,nmi-interlock from @cpu; returns the RTAS status. */
int qtest_nmi_interlock(QtestFn fn, void *opaque, int cpu);
char *qtest_fn_stdio(void *opaque, const char *line);
char *qtest_fn_sock(void *opaque, const char *line);

#endif
