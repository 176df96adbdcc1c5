/*
 * Minimal read-only flattened device tree walker (DTSpec 5.4). Node
 * handles are byte offsets from the start of the blob to the node's
 * FDT_BEGIN_NODE token; every read is bounds-checked against the
 * structure block.
 */
#include "guest.h"

#define FDT_MAGIC       0xd00dfeedU
#define FDT_BEGIN_NODE  1
#define FDT_END_NODE    2
#define FDT_PROP        3
#define FDT_NOP         4
#define FDT_END         9

/* header fields (big-endian u32 each) */
#define HDR_MAGIC       0
#define HDR_TOTALSIZE   4
#define HDR_OFF_STRUCT  8
#define HDR_OFF_STRINGS 12
#define HDR_VERSION     20
#define HDR_SIZE_STRINGS 32
#define HDR_SIZE_STRUCT 36

static u32 hdr(const void *fdt, int field)
{
    return be32((const u8 *)fdt + field);
}

static u32 struct_end(const void *fdt)
{
    u32 start = hdr(fdt, HDR_OFF_STRUCT);

    if (hdr(fdt, HDR_VERSION) >= 17) {
        return start + hdr(fdt, HDR_SIZE_STRUCT);
    }
    return hdr(fdt, HDR_TOTALSIZE);
}

int fdt_check(const void *fdt)
{
    u32 total;

    if (!fdt || ((uintptr_t)fdt & 3) || hdr(fdt, HDR_MAGIC) != FDT_MAGIC) {
        return -1;
    }
    total = hdr(fdt, HDR_TOTALSIZE);
    if (hdr(fdt, HDR_VERSION) < 16 || total < 40 ||
        hdr(fdt, HDR_OFF_STRUCT) >= total || struct_end(fdt) > total ||
        hdr(fdt, HDR_OFF_STRINGS) >= total) {
        return -1;
    }
    return 0;
}

/*
 * Tag at @off; *@next = offset of the following tag. Returns -1 if the tag
 * or its payload is outside the structure block.
 */
static int next_tag(const void *fdt, int off, int *next)
{
    const u8 *b = fdt;
    u32 end = struct_end(fdt);
    u32 tag;

    if (off < (int)hdr(fdt, HDR_OFF_STRUCT) || (u32)off + 4 > end) {
        return -1;
    }
    tag = be32(b + off);
    off += 4;
    switch (tag) {
    case FDT_BEGIN_NODE:
        while ((u32)off < end && b[off]) {
            off++;
        }
        if ((u32)off >= end) {
            return -1;
        }
        off = (off + 1 + 3) & ~3;
        break;
    case FDT_PROP: {
        u32 len;

        if ((u32)off + 8 > end) {
            return -1;
        }
        len = be32(b + off);
        off += 8;
        if (len > end - off) {
            return -1;
        }
        off = (off + len + 3) & ~3;
        break;
    }
    case FDT_END_NODE:
    case FDT_NOP:
    case FDT_END:
        break;
    default:
        return -1;
    }
    *next = off;
    return (int)tag;
}

static const char *node_name(const void *fdt, int node)
{
    return (const char *)fdt + node + 4;
}

/* Offset just past the FDT_END_NODE closing @node, or -1 */
static int skip_node(const void *fdt, int node)
{
    int depth = 0, off = node, next;

    for (;;) {
        int tag = next_tag(fdt, off, &next);

        if (tag < 0 || tag == FDT_END) {
            return -1;
        }
        if (tag == FDT_BEGIN_NODE) {
            depth++;
        } else if (tag == FDT_END_NODE && --depth == 0) {
            return next;
        }
        off = next;
    }
}

int fdt_next_child(const void *fdt, int parent, int prev, const char **name)
{
    int off, next, tag;

    if (prev < 0) {
        if (next_tag(fdt, parent, &off) != FDT_BEGIN_NODE) {
            return -1;
        }
    } else {
        off = skip_node(fdt, prev);
    }
    /* skip the properties (they precede the subnodes) and NOPs */
    for (;;) {
        if (off < 0) {
            return -1;
        }
        tag = next_tag(fdt, off, &next);
        if (tag == FDT_BEGIN_NODE) {
            if (name) {
                *name = node_name(fdt, off);
            }
            return off;
        }
        if (tag != FDT_PROP && tag != FDT_NOP) {
            return -1;
        }
        off = next;
    }
}

/* "cpus" matches "cpus"; "memory" matches "memory@0"; "memory@0" exactly */
static bool name_matches(const char *name, const char *comp, size_t len)
{
    bool comp_has_unit = false;

    for (size_t i = 0; i < len; i++) {
        comp_has_unit |= comp[i] == '@';
    }
    if (strncmp(name, comp, len)) {
        return false;
    }
    return name[len] == '\0' || (name[len] == '@' && !comp_has_unit);
}

int fdt_path_offset(const void *fdt, const char *path)
{
    int node = (int)hdr(fdt, HDR_OFF_STRUCT);

    if (path[0] != '/') {
        return -1;
    }
    while (*path) {
        const char *comp, *name;
        size_t len;
        int child;

        while (*path == '/') {
            path++;
        }
        if (!*path) {
            break;
        }
        comp = path;
        while (*path && *path != '/') {
            path++;
        }
        len = (size_t)(path - comp);
        for (child = fdt_next_child(fdt, node, -1, &name); child >= 0;
             child = fdt_next_child(fdt, node, child, &name)) {
            if (name_matches(name, comp, len)) {
                break;
            }
        }
        if (child < 0) {
            return -1;
        }
        node = child;
    }
    return node;
}

const void *fdt_getprop(const void *fdt, int node, const char *name, int *len)
{
    const u8 *b = fdt;
    u32 strings = hdr(fdt, HDR_OFF_STRINGS);
    u32 total = hdr(fdt, HDR_TOTALSIZE);
    int off, next, tag;

    if (next_tag(fdt, node, &off) != FDT_BEGIN_NODE) {
        return NULL;
    }
    for (;;) {
        tag = next_tag(fdt, off, &next);
        if (tag == FDT_PROP) {
            u32 plen = be32(b + off + 4);
            u32 nameoff = be32(b + off + 8);
            size_t nlen = strlen(name);

            if (strings + nameoff + nlen + 1 <= total &&
                !memcmp(b + strings + nameoff, name, nlen + 1)) {
                if (len) {
                    *len = (int)plen;
                }
                return b + off + 12;
            }
        } else if (tag != FDT_NOP) {
            return NULL;
        }
        off = next;
    }
}

bool fdt_getprop_u32(const void *fdt, int node, const char *name, u32 *val)
{
    int len;
    const void *p = fdt_getprop(fdt, node, name, &len);

    if (!p || len < 4) {
        return false;
    }
    *val = be32(p);
    return true;
}
