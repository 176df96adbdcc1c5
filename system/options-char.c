/*
 * -chardev and -mon (include/system/options.h), as libqtest and libvirt
 * use them:
 *
 *   -chardev socket,id=ID,path=P[,server=on|off][,wait=on|off]
 *   -chardev stdio,id=ID[,signal=on|off]     -chardev null,id=ID
 *   -mon chardev=ID[,mode=control|readline][,pretty=on|off]
 *
 * A -mon turns its character device into a QMP (mode=control) or HMP
 * (readline, the default) endpoint, so several monitors can run at once.
 * Also the character-device specs of -serial, -qmp, -monitor and -qtest
 * (stdio, null, file:PATH, unix:PATH[,server=on][,wait=off]).
 * Everything here runs once, in the main thread, before any other thread.
 */
#include <string.h>

#include "system/options.h"
#include "options-internal.h"

/* "on"/"off" (and QEMU's other boolean spellings); "" for a bare flag. */
static int flag_value(const char *v, bool *out)
{
    if (!v || !strcmp(v, "on") || !strcmp(v, "yes") || !strcmp(v, "true")) {
        *out = true;
    } else if (!strcmp(v, "off") || !strcmp(v, "no") || !strcmp(v, "false")) {
        *out = false;
    } else {
        return -1;
    }
    return 0;
}

static NamedChardev *find_chardev(VMOptions *opts, const char *id)
{
    for (guint i = 0; i < opts->chardevs->len; i++) {
        NamedChardev *c = g_ptr_array_index(opts->chardevs, i);
        if (!strcmp(c->id, id)) {
            return c;
        }
    }
    return NULL;
}

int opt_handle_chardev(VMOptions *opts, const char *arg, GError **error)
{
    g_auto(GStrv) parts = g_strsplit(arg, ",", -1);
    CharSpec spec = { .wait = true };
    g_autofree char *id = NULL;
    const char *backend = parts[0];

    if (!backend || !*backend) {
        return opt_error(error, "chardev", arg, "Parameter 'backend' is missing");
    }
    if (!strcmp(backend, "socket")) {
        spec.kind = CHAR_UNIX;
    } else if (!strcmp(backend, "stdio")) {
        spec.kind = CHAR_STDIO;
    } else if (!strcmp(backend, "null")) {
        spec.kind = CHAR_NULL;
    } else {
        return opt_error(error, "chardev", arg, "'%s' is not a valid char driver name",
                          backend);
    }
    for (char **p = parts + 1; *p; p++) {
        if (!**p && !p[1]) {
            break;      /* one trailing comma */
        }
        g_auto(GStrv) kv = g_strsplit(*p, "=", 2);
        if (!kv[0]) {       /* an empty element: g_strsplit("") is empty */
            return opt_error(error, "chardev", arg, "Invalid parameter ''");
        }
        const char *key = kv[0], *value = kv[1];
        bool flag;
        if (!strcmp(key, "id") && value && *value) {
            g_free(id);
            id = g_strdup(value);
        } else if (spec.kind == CHAR_UNIX && !strcmp(key, "path") && value && *value) {
            g_free(spec.path);
            spec.path = g_strdup(value);
        } else if (spec.kind == CHAR_UNIX && !strcmp(key, "server") &&
                   flag_value(value, &flag) == 0) {
            spec.server = flag;
        } else if (spec.kind == CHAR_UNIX && !strcmp(key, "wait") &&
                   flag_value(value, &flag) == 0) {
            spec.wait = flag;
        } else if (spec.kind == CHAR_UNIX && !strcmp(key, "nowait") && !value) {
            spec.wait = false;
        } else if (spec.kind == CHAR_STDIO && !strcmp(key, "signal") &&
                   flag_value(value, &flag) == 0) {
            /* Ctrl-C handling of a terminal: nothing to do on a pipe. */
        } else if (!strcmp(key, "server") || !strcmp(key, "wait") || !strcmp(key, "signal")) {
            g_free(spec.path);
            return opt_error(error, "chardev", arg, "Parameter '%s' expects 'on' or 'off'", key);
        } else {
            g_free(spec.path);
            return opt_error(error, "chardev", arg, "Invalid parameter '%s'", key);
        }
    }
    if (!id) {
        g_free(spec.path);
        return opt_error(error, "chardev", arg, "chardev: no id specified");
    }
    if (spec.kind == CHAR_UNIX && !spec.path) {
        return opt_error(error, "chardev", arg,
                          "socket: 'path' is missing (only unix sockets are supported)");
    }
    if (find_chardev(opts, id)) {
        g_free(spec.path);
        return opt_error(error, "chardev", arg, "Duplicate ID '%s' for chardev", id);
    }
    NamedChardev *c = g_new0(NamedChardev, 1);
    c->id = g_steal_pointer(&id);
    c->text = g_strdup(arg);
    c->spec = spec;
    g_ptr_array_add(opts->chardevs, c);
    return 0;
}

int opt_handle_mon(VMOptions *opts, const char *arg, GError **error)
{
    g_auto(GStrv) parts = g_strsplit(arg, ",", -1);
    g_autofree char *chardev = NULL;
    bool qmp = false;

    for (char **p = parts; *p; p++) {
        if (!**p && !p[1] && p != parts) {
            break;
        }
        g_auto(GStrv) kv = g_strsplit(*p, "=", 2);
        bool flag;
        if (!kv[0]) {       /* an empty element: g_strsplit("") is empty */
            return opt_error(error, "mon", arg, "Invalid parameter ''");
        }
        if (!kv[1] && p == parts && *kv[0]) {
            chardev = g_strdup(kv[0]);      /* the implied "chardev=" */
        } else if (!strcmp(kv[0], "chardev") && kv[1]) {
            g_free(chardev);
            chardev = g_strdup(kv[1]);
        } else if (!strcmp(kv[0], "mode") && kv[1]) {
            if (!strcmp(kv[1], "control")) {
                qmp = true;
            } else if (!strcmp(kv[1], "readline")) {
                qmp = false;
            } else {
                return opt_error(error, "mon", arg,
                                  "Parameter 'mode' does not accept value '%s'", kv[1]);
            }
        } else if (!strcmp(kv[0], "pretty") && flag_value(kv[1], &flag) == 0) {
            /* Pretty-printed QMP: replies stay one line each here. */
        } else {
            return opt_error(error, "mon", arg, "Invalid parameter '%s'", kv[0]);
        }
    }
    if (!chardev) {
        return opt_error(error, "mon", arg, "Parameter 'chardev' is missing");
    }
    MonRequest *m = g_new0(MonRequest, 1);
    m->text = g_strdup(arg);
    m->chardev = g_steal_pointer(&chardev);
    m->qmp = qmp;
    g_ptr_array_add(opts->mons, m);
    return 0;
}

int opt_resolve_mons(VMOptions *opts, GError **error)
{
    for (guint i = 0; i < opts->mons->len; i++) {
        MonRequest *m = g_ptr_array_index(opts->mons, i);
        NamedChardev *c = find_chardev(opts, m->chardev);
        if (!c) {
            return opt_error(error, "mon", m->text, "chardev \"%s\" not found", m->chardev);
        }
        if (c->used) {
            return opt_error(error, "mon", m->text, "Device '%s' is in use", m->chardev);
        }
        if (c->spec.kind == CHAR_NULL) {
            c->used = true;     /* a monitor nobody can talk to */
            continue;
        }
        c->used = true;
        CharSpec *spec = g_new0(CharSpec, 1);
        *spec = c->spec;
        spec->path = g_strdup(c->spec.path);
        g_ptr_array_add(m->qmp ? opts->qmp : opts->hmp, spec);
    }
    return 0;
}

void opt_free_chardevs(VMOptions *opts)
{
    for (guint i = 0; opts->chardevs && i < opts->chardevs->len; i++) {
        NamedChardev *c = g_ptr_array_index(opts->chardevs, i);
        g_free(c->id);
        g_free(c->text);
        char_spec_clear(&c->spec);
        g_free(c);
    }
    for (guint i = 0; opts->mons && i < opts->mons->len; i++) {
        MonRequest *m = g_ptr_array_index(opts->mons, i);
        g_free(m->text);
        g_free(m->chardev);
        g_free(m);
    }
    if (opts->chardevs) {
        g_ptr_array_free(opts->chardevs, TRUE);
        g_ptr_array_free(opts->mons, TRUE);
    }
    opts->chardevs = opts->mons = NULL;
}

/* ---- the character-device specs of -serial, -qmp, -monitor, -qtest ---- */

void char_spec_clear(CharSpec *spec)
{
    g_free(spec->path);
    memset(spec, 0, sizeof(*spec));
}

int parse_char_spec(const char *text, CharSpec *spec, GError **error)
{
    g_auto(GStrv) parts = g_strsplit(text, ",", -1);
    CharSpec s = { .wait = true };

    if (!parts[0]) {
        /* "": g_strsplit() gives no element at all. */
        g_set_error(error, G_OPTION_ERROR, G_OPTION_ERROR_BAD_VALUE,
                    "'' is not a supported character device "
                    "(stdio, null, file:PATH, unix:PATH[,server=on][,wait=off])");
        return -EINVAL;
    }
    if (!strcmp(parts[0], "stdio")) {
        s.kind = CHAR_STDIO;
    } else if (!strcmp(parts[0], "null") || !strcmp(parts[0], "none")) {
        s.kind = CHAR_NULL;
    } else if (g_str_has_prefix(parts[0], "file:") && parts[0][5]) {
        s.kind = CHAR_FILE;
        s.path = g_strdup(parts[0] + 5);
    } else if (g_str_has_prefix(parts[0], "unix:") && parts[0][5]) {
        s.kind = CHAR_UNIX;
        s.path = g_strdup(parts[0] + 5);
    } else {
        g_set_error(error, G_OPTION_ERROR, G_OPTION_ERROR_BAD_VALUE,
                    "'%s' is not a supported character device "
                    "(stdio, null, file:PATH, unix:PATH[,server=on][,wait=off])", text);
        return -EINVAL;
    }
    for (char **p = parts + 1; *p; p++) {
        bool *flag = NULL;
        if (!**p && !p[1] && s.kind == CHAR_UNIX) {
            break;      /* QEMU ignores one trailing comma after socket options */
        }
        const char *value = NULL;
        if (g_str_has_prefix(*p, "server")) {
            flag = &s.server;
            value = (*p)[6] == '=' ? *p + 7 : ((*p)[6] ? NULL : "on");
        } else if (g_str_has_prefix(*p, "wait")) {
            flag = &s.wait;
            value = (*p)[4] == '=' ? *p + 5 : ((*p)[4] ? NULL : "on");
        } else if (!strcmp(*p, "nowait")) {
            flag = &s.wait;
            value = "off";
        }
        if (!flag || s.kind != CHAR_UNIX || !value ||
            (strcmp(value, "on") && strcmp(value, "off"))) {
            g_free(s.path);
            g_set_error(error, G_OPTION_ERROR, G_OPTION_ERROR_BAD_VALUE,
                        "'%s': unsupported character device option '%s'", text, *p);
            return -EINVAL;
        }
        *flag = !strcmp(value, "on");
    }
    *spec = s;
    return 0;
}
