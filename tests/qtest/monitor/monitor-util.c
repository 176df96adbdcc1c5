/* Helpers for the monitor tests: see monitor-util.h. */
#define _GNU_SOURCE
#include "monitor-util.h"

#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <sys/wait.h>
#include <unistd.h>
#include <glib/gstdio.h>

/* ---- the VMM process ---- */

TestVM *test_vm_new(void)
{
    TestVM *vm = g_new0(TestVM, 1);
    g_autoptr(GError) err = NULL;

    vm->dir = g_dir_make_tmp("monitor-test-XXXXXX", &err);
    g_assert_no_error(err);
    vm->in_fd = vm->out_fd = -1;
    vm->out_buf = g_string_new(NULL);
    return vm;
}

const char *test_vm_path(TestVM *vm, const char *name)
{
    /* Interned so the caller need not free it; a handful per test. */
    g_autofree char *path = g_build_filename(vm->dir, name, NULL);
    return g_intern_string(path);
}

/* A VMM left behind by a failed test dies with it. */
static void child_setup(gpointer data)
{
    prctl(PR_SET_PDEATHSIG, SIGKILL);
}

void test_vm_spawn(TestVM *vm, const char *args)
{
    const char *binary = g_getenv("QTEST_QEMU_BINARY");
    g_autoptr(GError) err = NULL;
    g_auto(GStrv) words = g_strsplit_set(args, " ", -1);
    g_autoptr(GPtrArray) argv = g_ptr_array_new();

    if (!binary) {
        g_error("QTEST_QEMU_BINARY is not set");
    }
    g_ptr_array_add(argv, (char *)binary);
    for (char **w = words; *w; w++) {
        if (**w) {
            g_ptr_array_add(argv, *w);
        }
    }
    g_ptr_array_add(argv, NULL);
    if (g_test_verbose()) {
        g_autofree char *cmd = g_strjoinv(" ", (char **)argv->pdata);
        g_test_message("starting %s", cmd);
    }
    g_spawn_async_with_pipes(NULL, (char **)argv->pdata, NULL, G_SPAWN_DO_NOT_REAP_CHILD,
                             child_setup, NULL, &vm->pid, &vm->in_fd, &vm->out_fd, NULL, &err);
    g_assert_no_error(err);
}

static int vm_wait(TestVM *vm, bool close_stdin)
{
    if (vm->exited || !vm->pid) {
        return vm->exit_status;
    }
    if (close_stdin && vm->in_fd >= 0) {
        close(vm->in_fd);
        vm->in_fd = -1;
    }
    gint64 deadline = g_get_monotonic_time() + TEST_TIMEOUT_MS * 1000LL;
    int status = 0;
    for (;;) {
        pid_t r = waitpid(vm->pid, &status, WNOHANG);
        if (r == vm->pid) {
            break;
        }
        g_assert_cmpint(r, ==, 0);
        if (g_get_monotonic_time() > deadline) {
            kill(vm->pid, SIGKILL);
            waitpid(vm->pid, &status, 0);
            g_test_message("the VMM did not exit: killed");
            status = -1;
            break;
        }
        g_usleep(2000);
    }
    vm->exited = true;
    if (status == -1) {
        vm->exit_status = -1;
    } else if (WIFEXITED(status)) {
        vm->exit_status = WEXITSTATUS(status);
    } else {
        vm->exit_status = 128 + WTERMSIG(status);
    }
    g_spawn_close_pid(vm->pid);
    if (vm->in_fd >= 0) {
        close(vm->in_fd);
        vm->in_fd = -1;
    }
    return vm->exit_status;
}

int test_vm_wait(TestVM *vm)
{
    return vm_wait(vm, true);
}

int test_vm_wait_exit(TestVM *vm)
{
    return vm_wait(vm, false);
}

void test_vm_free(TestVM *vm)
{
    if (!vm) {
        return;
    }
    if (vm->pid && !vm->exited) {
        test_vm_wait(vm);
    }
    if (vm->out_fd >= 0) {
        close(vm->out_fd);
    }
    g_autoptr(GDir) dir = g_dir_open(vm->dir, 0, NULL);
    const char *name;
    while (dir && (name = g_dir_read_name(dir))) {
        g_autofree char *path = g_build_filename(vm->dir, name, NULL);
        g_unlink(path);
    }
    g_rmdir(vm->dir);
    g_free(vm->dir);
    g_string_free(vm->out_buf, TRUE);
    g_free(vm);
}

static void write_all(int fd, const char *buf, size_t len)
{
    while (len) {
        ssize_t n = write(fd, buf, len);
        if (n < 0 && errno == EINTR) {
            continue;
        }
        if (n < 0) {
            g_error("write: %s", g_strerror(errno));
        }
        buf += n;
        len -= (size_t)n;
    }
}

void test_vm_write(TestVM *vm, const char *text)
{
    write_all(vm->in_fd, text, strlen(text));
}

/* Read more into @buf from @fd; false at EOF. Fails the test on timeout. */
static bool fill(int fd, GString *buf, int timeout_ms)
{
    struct pollfd pfd = { .fd = fd, .events = POLLIN };
    char chunk[65536];

    for (;;) {
        int r = poll(&pfd, 1, timeout_ms);
        if (r < 0 && errno == EINTR) {
            continue;
        }
        if (r == 0) {
            g_error("timed out waiting for the VMM (have: '%.200s')", buf->str);
        }
        ssize_t n = read(fd, chunk, sizeof(chunk));
        if (n < 0 && errno == EINTR) {
            continue;
        }
        if (n <= 0) {
            return false;
        }
        g_string_append_len(buf, chunk, n);
        return true;
    }
}

static char *take_until(GString *buf, const char *marker)
{
    const char *at = strstr(buf->str, marker);
    if (!at) {
        return NULL;
    }
    size_t n = (size_t)(at - buf->str);
    char *out = g_strndup(buf->str, n);
    g_string_erase(buf, 0, (gssize)(n + strlen(marker)));
    return out;
}

char *test_vm_read_until(TestVM *vm, const char *marker)
{
    for (;;) {
        char *out = take_until(vm->out_buf, marker);
        if (out) {
            return out;
        }
        if (!fill(vm->out_fd, vm->out_buf, TEST_TIMEOUT_MS)) {
            g_error("the VMM closed its stdout before '%s' (have: '%.200s')", marker,
                    vm->out_buf->str);
        }
    }
}

char *test_vm_read_line(TestVM *vm)
{
    return test_vm_read_until(vm, "\n");
}

char *qtest_stdio(TestVM *vm, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    g_autofree char *cmd = g_strdup_vprintf(fmt, ap);
    va_end(ap);
    g_autofree char *line = g_strconcat(cmd, "\n", NULL);
    test_vm_write(vm, line);
    return test_vm_read_line(vm);
}

/* ---- sockets ---- */

TestSock *test_sock_try_connect(const char *path)
{
    struct sockaddr_un addr = { .sun_family = AF_UNIX };
    g_assert_cmpuint(strlen(path), <, sizeof(addr.sun_path));
    strcpy(addr.sun_path, path);
    int fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
    g_assert_cmpint(fd, >=, 0);
    if (connect(fd, (struct sockaddr *)&addr, sizeof(addr)) < 0) {
        close(fd);
        return NULL;
    }
    TestSock *s = g_new0(TestSock, 1);
    s->fd = fd;
    s->buf = g_string_new(NULL);
    g_queue_init(&s->events);
    return s;
}

TestSock *test_sock_connect(const char *path)
{
    gint64 deadline = g_get_monotonic_time() + TEST_TIMEOUT_MS * 1000LL;
    for (;;) {
        TestSock *s = test_sock_try_connect(path);
        if (s) {
            return s;
        }
        if (g_get_monotonic_time() > deadline) {
            g_error("cannot connect to %s", path);
        }
        g_usleep(5000);
    }
}

void test_sock_close(TestSock *s)
{
    if (!s) {
        return;
    }
    close(s->fd);
    g_string_free(s->buf, TRUE);
    g_queue_clear_full(&s->events, (GDestroyNotify)json_node_unref);
    g_free(s);
}

void test_sock_write(TestSock *s, const char *text, size_t len)
{
    while (len) {
        ssize_t n = send(s->fd, text, len, MSG_NOSIGNAL);
        if (n < 0 && errno == EINTR) {
            continue;
        }
        if (n < 0) {
            g_error("send: %s", g_strerror(errno));
        }
        text += n;
        len -= (size_t)n;
    }
}

char *test_sock_read_line(TestSock *s)
{
    for (;;) {
        char *line = take_until(s->buf, "\n");
        if (line) {
            return line;
        }
        if (!fill(s->fd, s->buf, TEST_TIMEOUT_MS)) {
            return NULL;
        }
    }
}

bool test_sock_poll(TestSock *s, int ms)
{
    if (strchr(s->buf->str, '\n')) {
        return true;
    }
    struct pollfd pfd = { .fd = s->fd, .events = POLLIN };
    return poll(&pfd, 1, ms) > 0;
}

char *qtest_sock(TestSock *s, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    g_autofree char *cmd = g_strdup_vprintf(fmt, ap);
    va_end(ap);
    g_autofree char *line = g_strconcat(cmd, "\n", NULL);
    test_sock_write(s, line, strlen(line));
    char *reply = test_sock_read_line(s);
    g_assert_nonnull(reply);
    return reply;
}

/* ---- QMP ---- */

JsonNode *qmp_recv(TestSock *s)
{
    g_autofree char *line = test_sock_read_line(s);
    if (!line) {
        return NULL;
    }
    g_autoptr(JsonParser) parser = json_parser_new();
    g_autoptr(GError) err = NULL;
    if (!json_parser_load_from_data(parser, line, -1, &err)) {
        g_error("bad JSON from the VMM: %s: '%.300s'", err->message, line);
    }
    JsonNode *root = json_parser_get_root(parser);
    g_assert_nonnull(root);
    g_assert_true(JSON_NODE_HOLDS_OBJECT(root));
    if (g_test_verbose()) {
        g_test_message("<- %.300s", line);
    }
    return json_node_copy(root);
}

TestSock *qmp_open(const char *path, bool negotiate)
{
    TestSock *s = test_sock_connect(path);
    g_autoptr(JsonNode) greeting = qmp_recv(s);
    g_assert_nonnull(greeting);
    JsonObject *obj = json_node_get_object(greeting);
    g_assert_true(json_object_has_member(obj, "QMP"));
    if (negotiate) {
        g_autoptr(JsonNode) r = qmp(s, "{\"execute\": \"qmp_capabilities\"}");
        qmp_return_object(r);
    }
    return s;
}

void qmp_send(TestSock *s, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    g_autofree char *cmd = g_strdup_vprintf(fmt, ap);
    va_end(ap);
    if (g_test_verbose()) {
        g_test_message("-> %.300s", cmd);
    }
    g_autofree char *line = g_strconcat(cmd, "\n", NULL);
    test_sock_write(s, line, strlen(line));
}

JsonNode *qmp_reply(TestSock *s)
{
    for (;;) {
        JsonNode *msg = qmp_recv(s);
        if (!msg) {
            g_error("QMP connection closed while waiting for a reply");
        }
        JsonObject *obj = json_node_get_object(msg);
        if (json_object_has_member(obj, "event")) {
            g_queue_push_tail(&s->events, msg);
            continue;
        }
        return msg;
    }
}

JsonNode *qmp(TestSock *s, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    g_autofree char *cmd = g_strdup_vprintf(fmt, ap);
    va_end(ap);
    qmp_send(s, "%s", cmd);
    return qmp_reply(s);
}

static const char *event_name(JsonNode *ev)
{
    return json_object_get_string_member(json_node_get_object(ev), "event");
}

bool qmp_has_event(TestSock *s, const char *name)
{
    for (GList *l = s->events.head; l; l = l->next) {
        if (!strcmp(event_name(l->data), name)) {
            return true;
        }
    }
    return false;
}

JsonNode *qmp_event(TestSock *s, const char *name)
{
    for (;;) {
        for (GList *l = s->events.head; l; l = l->next) {
            if (!strcmp(event_name(l->data), name)) {
                JsonNode *ev = l->data;
                g_queue_delete_link(&s->events, l);
                return ev;
            }
        }
        JsonNode *msg = qmp_recv(s);
        if (!msg) {
            g_error("QMP connection closed while waiting for event %s", name);
        }
        if (!json_object_has_member(json_node_get_object(msg), "event")) {
            g_error("unexpected reply while waiting for event %s", name);
        }
        g_queue_push_tail(&s->events, msg);
    }
}

void qmp_drain_events(TestSock *s)
{
    g_queue_clear_full(&s->events, (GDestroyNotify)json_node_unref);
    g_queue_init(&s->events);
}

static JsonNode *return_member(JsonNode *reply)
{
    JsonObject *obj = json_node_get_object(reply);
    if (!json_object_has_member(obj, "return")) {
        g_autoptr(JsonGenerator) gen = json_generator_new();
        json_generator_set_root(gen, reply);
        g_autofree char *text = json_generator_to_data(gen, NULL);
        g_error("expected a return, got %s", text);
    }
    return json_object_get_member(obj, "return");
}

JsonObject *qmp_return_object(JsonNode *reply)
{
    JsonNode *ret = return_member(reply);
    g_assert_true(JSON_NODE_HOLDS_OBJECT(ret));
    return json_node_get_object(ret);
}

JsonArray *qmp_return_array(JsonNode *reply)
{
    JsonNode *ret = return_member(reply);
    g_assert_true(JSON_NODE_HOLDS_ARRAY(ret));
    return json_node_get_array(ret);
}

const char *qmp_return_string(JsonNode *reply)
{
    JsonNode *ret = return_member(reply);
    g_assert_cmpint(json_node_get_value_type(ret), ==, G_TYPE_STRING);
    return json_node_get_string(ret);
}

const char *qmp_assert_error(JsonNode *reply, const char *cls)
{
    JsonObject *obj = json_node_get_object(reply);
    g_assert_true(json_object_has_member(obj, "error"));
    g_assert_false(json_object_has_member(obj, "return"));
    JsonObject *err = json_object_get_object_member(obj, "error");
    g_assert_cmpstr(json_object_get_string_member(err, "class"), ==, cls);
    return json_object_get_string_member(err, "desc");
}

JsonObject *qmp_event_data(JsonNode *event)
{
    return json_object_get_object_member(json_node_get_object(event), "data");
}

/* ---- qtest helpers ---- */

char *qtest_fn_stdio(void *opaque, const char *line)
{
    return qtest_stdio(opaque, "%s", line);
}

char *qtest_fn_sock(void *opaque, const char *line)
{
    return qtest_sock(opaque, "%s", line);
}

static char *qtest_ok(QtestFn fn, void *opaque, const char *fmt, ...) G_GNUC_PRINTF(3, 4);
static char *qtest_ok(QtestFn fn, void *opaque, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    g_autofree char *cmd = g_strdup_vprintf(fmt, ap);
    va_end(ap);
    char *reply = fn(opaque, cmd);
    if (!g_str_has_prefix(reply, "OK")) {
        g_error("qtest '%s' answered '%s'", cmd, reply);
    }
    return reply;
}

uint64_t qtest_reg(QtestFn fn, void *opaque, int cpu, const char *reg)
{
    g_autofree char *reply = qtest_ok(fn, opaque, "cpu-get %d %s", cpu, reg);
    return g_ascii_strtoull(reply + 3, NULL, 0);
}

/* RTAS argument block for the tests, far from anything the machine uses. */
#define RTAS_ARGS   0x100000ULL
#define RTAS_RETS   0x100100ULL

static int rtas_status(QtestFn fn, void *opaque)
{
    g_autofree char *reply = qtest_ok(fn, opaque, "readl 0x%llx", RTAS_RETS);
    return (int32_t)g_ascii_strtoull(reply + 3, NULL, 0);
}

int qtest_nmi_register(QtestFn fn, void *opaque, uint64_t sreset, uint64_t mce)
{
    g_free(qtest_ok(fn, opaque, "writel 0x%llx 0x%" G_GINT64_MODIFIER "x", RTAS_ARGS, sreset));
    g_free(qtest_ok(fn, opaque, "writel 0x%llx 0x%" G_GINT64_MODIFIER "x", RTAS_ARGS + 4, mce));
    g_free(qtest_ok(fn, opaque, "writel 0x%llx 0xdeadbeef", RTAS_RETS));
    g_free(qtest_ok(fn, opaque, "rtas ibm,nmi-register 2 0x%llx 1 0x%llx", RTAS_ARGS,
                    RTAS_RETS));
    return rtas_status(fn, opaque);
}

int qtest_nmi_interlock(QtestFn fn, void *opaque, int cpu)
{
    g_free(qtest_ok(fn, opaque, "writel 0x%llx 0xdeadbeef", RTAS_RETS));
    g_free(qtest_ok(fn, opaque, "rtas-cpu %d ibm,nmi-interlock 0 0x%llx 1 0x%llx", cpu,
                    RTAS_ARGS, RTAS_RETS));
    return rtas_status(fn, opaque);
}
