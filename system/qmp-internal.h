/*
 * Inside the QMP module (system/qmp.c protocol, system/qmp-cmds.c
 * commands): JSON helpers and the command table. Only the module
 * includes this; the VMM sees QMP through QmpModuleOps.
 */
#ifndef SYSTEM_QMP_INTERNAL_H
#define SYSTEM_QMP_INTERNAL_H

#include <json-glib/json-glib.h>

#include "monitor-internal.h"

/* ---- JSON helpers for the commands (system/qmp.c) ---- */

/**
 * qmp_json_text: @node as JSON text with QEMU's separators (", " and
 * ": "), so that replies read byte for byte as QEMU's; a newline at the
 * end when @newline.
 */
char *qmp_json_text(JsonNode *node, bool newline);
/** qmp_add_int, qmp_add_bool, qmp_add_str: member @name of the open object. */
void qmp_add_int(JsonBuilder *b, const char *name, int64_t value);
void qmp_add_bool(JsonBuilder *b, const char *name, bool value);
void qmp_add_str(JsonBuilder *b, const char *name, const char *value);
/** qmp_empty_object: a new {} node ("return": {}). */
JsonNode *qmp_empty_object(void);
/** qmp_add_version: the {"qemu": {...}, "package": ...} object (greeting, query-version). */
void qmp_add_version(JsonBuilder *b);

/* ---- QMP commands (system/qmp-cmds.c) ---- */

/* What a command sees of its session. */
typedef struct QmpContext {
    SpaprMachineState *spapr;
    MonitorAction action;
    bool *oob;                  /* the session's "oob" capability (qmp_capabilities) */
} QmpContext;

/* QmpCommand.flags, as QEMU's QAPI schema marks its commands. */
#define QMP_ALLOW_OOB       1u  /* may run with "exec-oob" */
#define QMP_ALLOW_PRECONFIG 2u  /* may run in the preconfig state */

typedef enum QmpArgType {
    QMP_ARG_INT,
    QMP_ARG_BOOL,
    QMP_ARG_STR,
    QMP_ARG_STR_LIST,
    QMP_ARG_ANY,                /* any JSON value (qom-set's "value") */
} QmpArgType;

/* One member of "arguments": system/qmp.c checks them before the call. */
typedef struct QmpArgSpec {
    const char *name;
    QmpArgType type;
    bool optional;
} QmpArgSpec;

/* Returns the "return" value, or NULL with @error set. BQL held. */
typedef JsonNode *(*QmpHandler)(QmpContext *ctx, JsonObject *args, GError **error);

typedef struct QmpCommand {
    const char *name;
    QmpHandler fn;
    const QmpArgSpec *args;     /* NULL-name terminated, or NULL for none */
    unsigned flags;             /* QMP_ALLOW_* */
} QmpCommand;

/** qmp_find_command: the command named @name, or NULL. */
const QmpCommand *qmp_find_command(const char *name);


/* ---- QOM introspection and machine types (system/qom.c) ---- */

JsonNode *qmp_qom_list(QmpContext *ctx, JsonObject *args, GError **error);
JsonNode *qmp_qom_get(QmpContext *ctx, JsonObject *args, GError **error);
JsonNode *qmp_qom_set(QmpContext *ctx, JsonObject *args, GError **error);
JsonNode *qmp_qom_list_types(QmpContext *ctx, JsonObject *args, GError **error);
JsonNode *qmp_query_machines(QmpContext *ctx, JsonObject *args, GError **error);

/** qmp_module_ops: the module's entry point (QMP_MODULE_ENTRY). */
const QmpModuleOps *qmp_module_ops(void);

#endif
