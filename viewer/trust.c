/* Certificate pins kept in the per-user store: one row per host:port, hosts compared in a
 * canonical form (lower case, IPv6 shortest and without brackets). */
#include "trust.h"

#include "store.h"

#include <arpa/inet.h>
#include <ctype.h>
#include <sqlite3.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define TRUST_FP_HEX 32

static const char bad_fp_help[] =
    "write it as SHA256: and 32 bytes in hex, e.g. SHA256:AB:CD:...:EF (colons optional)";

static bool bad_fp(const char *in, const char *problem, struct vv_error *err)
{
    vv_error_set(err, VV_ERR_USAGE, "malformed fingerprint '%.120s': %s; %s", in, problem,
                 bad_fp_help);
    return false;
}

static int hexval(char c)
{
    if (c >= '0' && c <= '9')
        return c - '0';
    c = (char)tolower((unsigned char)c);
    return c >= 'a' && c <= 'f' ? c - 'a' + 10 : -1;
}

bool trust_fp_normalize(const char *in, char out[TRUST_FP_LEN], struct vv_error *err)
{
    unsigned char digest[TRUST_FP_HEX];
    size_t n = 0;
    if (!in || strncasecmp(in, "SHA256:", 7) != 0)
        return bad_fp(in ? in : "", "it does not start with SHA256:", err);
    for (const char *p = in + 7; *p;) {
        if (*p == ':') {
            /* Only between two bytes: "AB:CD", never leading, trailing or doubled. */
            if (n == 0 || p[1] == '\0' || p[1] == ':')
                return bad_fp(in, "misplaced ':'", err);
            p++;
            continue;
        }
        int hi = hexval(p[0]), lo = hi < 0 ? -1 : hexval(p[1]);
        if (hi >= 0 && (p[1] == '\0' || p[1] == ':'))
            return bad_fp(in, "a byte has only one hex digit", err);
        if (hi < 0 || lo < 0) {
            char problem[48], c = hi < 0 ? p[0] : p[1];
            if (isprint((unsigned char)c))
                snprintf(problem, sizeof problem, "'%c' is not a hex digit", c);
            else
                snprintf(problem, sizeof problem, "it holds a character that is not a hex digit");
            return bad_fp(in, problem, err);
        }
        if (n == TRUST_FP_HEX)
            return bad_fp(in, "it is longer than 32 bytes", err);
        digest[n++] = (unsigned char)(hi << 4 | lo);
        p += 2;
    }
    if (n != TRUST_FP_HEX) {
        char problem[64];
        snprintf(problem, sizeof problem, "it has %zu bytes, a SHA-256 has 32", n);
        return bad_fp(in, problem, err);
    }
    trust_fp_format(digest, out);
    return true;
}

void trust_fp_format(const unsigned char digest[32], char out[TRUST_FP_LEN])
{
    static const char hex[] = "0123456789ABCDEF";
    char *p = out + 7;
    memcpy(out, "SHA256:", 7);
    for (int i = 0; i < TRUST_FP_HEX; i++) {
        if (i > 0)
            *p++ = ':';
        *p++ = hex[digest[i] >> 4];
        *p++ = hex[digest[i] & 15];
    }
    *p = '\0';
}

bool trust_host_normalize(const char *in, char out[256], struct vv_error *err)
{
    size_t len = in ? strlen(in) : 0;
    if (len >= 2 && in[0] == '[' && in[len - 1] == ']') {
        in++;
        len -= 2;
    }
    if (len == 0 || len > 255) {
        vv_error_set(err, VV_ERR_USAGE, "'%.80s' is not a host name", in ? in : "");
        return false;
    }
    for (size_t i = 0; i < len; i++) {
        unsigned char c = (unsigned char)in[i];
        if (!isgraph(c) || c == '[' || c == ']' || c == '/') {
            vv_error_set(err, VV_ERR_USAGE, "'%.*s' is not a host name", (int)(len > 80 ? 80 : len),
                         in);
            return false;
        }
        out[i] = (char)tolower(c);
    }
    out[len] = '\0';
    /* One IPv6 address has many spellings (::1, 0:0::1); store the shortest. The zone (after
     * '%') names an interface, whose case matters: keep it as given. */
    char *zone = strchr(out, '%');
    if (strchr(out, ':')) {
        char addr[64], text[INET6_ADDRSTRLEN];
        struct in6_addr a;
        size_t alen = zone ? (size_t)(zone - out) : len;
        if (alen < sizeof addr) {
            memcpy(addr, out, alen);
            addr[alen] = '\0';
            if (inet_pton(AF_INET6, addr, &a) == 1 && inet_ntop(AF_INET6, &a, text, sizeof text))
                snprintf(out, 256, "%s%.*s", text, (int)(len - alen), in + alen);
        }
    }
    return true;
}

static bool check_port(int port, struct vv_error *err)
{
    if (port >= 1 && port <= 65535)
        return true;
    vv_error_set(err, VV_ERR_USAGE, "port %d is outside 1..65535", port);
    return false;
}

/* Copies column i as text (empty for NULL), truncated to size. */
static void column_copy(sqlite3_stmt *st, int i, char *buf, size_t size)
{
    const unsigned char *t = sqlite3_column_text(st, i);
    snprintf(buf, size, "%s", t ? (const char *)t : "");
}

static void row_to_pin(sqlite3_stmt *st, struct trust_pin *p)
{
    memset(p, 0, sizeof *p);
    column_copy(st, 0, p->host, sizeof p->host);
    p->port = sqlite3_column_int(st, 1);
    column_copy(st, 2, p->fingerprint, sizeof p->fingerprint);
    column_copy(st, 3, p->subject, sizeof p->subject);
    p->added = (time_t)sqlite3_column_int64(st, 4);
}

/* store_open() reports "nothing stored yet" as NULL with VV_OK; that needs an error struct even
 * when our caller passed none. */
static struct store *open_store(const char *path, bool create, bool *missing, struct vv_error *err)
{
    struct vv_error e;
    struct store *s = store_open(path, create, &e);
    *missing = !s && e.code == VV_OK;
    if (!s && !*missing && err)
        *err = e;
    return s;
}

bool trust_pin_get(const char *store, const char *host, int port, struct trust_pin *out,
                   bool *found, struct vv_error *err)
{
    char h[256];
    bool missing;
    *found = false;
    if (!trust_host_normalize(host, h, err) || !check_port(port, err))
        return false;
    struct store *s = open_store(store, false, &missing, err);
    if (!s)
        return missing;
    sqlite3_stmt *st = NULL;
    int rc = sqlite3_prepare_v2(store_db(s),
                                "SELECT host, port, fingerprint, subject, added FROM pins"
                                " WHERE host = ?1 AND port = ?2",
                                -1, &st, NULL);
    if (rc == SQLITE_OK)
        rc = sqlite3_bind_text(st, 1, h, -1, SQLITE_TRANSIENT);
    if (rc == SQLITE_OK)
        rc = sqlite3_bind_int(st, 2, port);
    if (rc == SQLITE_OK && (rc = sqlite3_step(st)) == SQLITE_ROW) {
        row_to_pin(st, out);
        *found = true;
        rc = SQLITE_DONE;
    }
    sqlite3_finalize(st);
    bool ok = rc == SQLITE_DONE || store_fail(s, rc, err);
    store_close(s);
    return ok;
}

bool trust_pin_put(const char *store, const struct trust_pin *pin, struct vv_error *err)
{
    char h[256], fp[TRUST_FP_LEN];
    bool missing;
    if (!trust_host_normalize(pin->host, h, err) || !check_port(pin->port, err) ||
        !trust_fp_normalize(pin->fingerprint, fp, err))
        return false;
    struct store *s = open_store(store, true, &missing, err);
    if (!s)
        return false;
    sqlite3_stmt *st = NULL;
    bool ok = false;
    if (!store_begin(s, err))
        goto out;
    int rc = sqlite3_prepare_v2(store_db(s),
                                "INSERT OR REPLACE INTO pins(host, port, fingerprint, subject,"
                                " added) VALUES(?1, ?2, ?3, ?4, ?5)",
                                -1, &st, NULL);
    if (rc == SQLITE_OK)
        rc = sqlite3_bind_text(st, 1, h, -1, SQLITE_TRANSIENT);
    if (rc == SQLITE_OK)
        rc = sqlite3_bind_int(st, 2, pin->port);
    if (rc == SQLITE_OK)
        rc = sqlite3_bind_text(st, 3, fp, -1, SQLITE_TRANSIENT);
    if (rc == SQLITE_OK)
        rc = sqlite3_bind_text(st, 4, pin->subject, (int)strnlen(pin->subject, sizeof pin->subject),
                               SQLITE_TRANSIENT);
    if (rc == SQLITE_OK)
        rc = sqlite3_bind_int64(st, 5, pin->added > 0 ? (sqlite3_int64)pin->added : time(NULL));
    if (rc == SQLITE_OK)
        rc = sqlite3_step(st);
    if (rc != SQLITE_DONE)
        store_fail(s, rc, err);
    else
        ok = store_commit(s, err);
out:
    sqlite3_finalize(st);
    if (!ok)
        store_rollback(s);
    store_close(s);
    return ok;
}

bool trust_pin_remove(const char *store, const char *host, int port, bool *removed,
                      struct vv_error *err)
{
    char h[256];
    bool missing;
    *removed = false;
    if (!trust_host_normalize(host, h, err) || !check_port(port, err))
        return false;
    struct store *s = open_store(store, false, &missing, err);
    if (!s)
        return missing;
    sqlite3_stmt *st = NULL;
    bool ok = false;
    if (!store_begin(s, err))
        goto out;
    int rc = sqlite3_prepare_v2(store_db(s), "DELETE FROM pins WHERE host = ?1 AND port = ?2", -1,
                                &st, NULL);
    if (rc == SQLITE_OK)
        rc = sqlite3_bind_text(st, 1, h, -1, SQLITE_TRANSIENT);
    if (rc == SQLITE_OK)
        rc = sqlite3_bind_int(st, 2, port);
    if (rc == SQLITE_OK)
        rc = sqlite3_step(st);
    if (rc != SQLITE_DONE) {
        store_fail(s, rc, err);
    } else {
        *removed = sqlite3_changes(store_db(s)) > 0;
        ok = store_commit(s, err);
        if (!ok)
            *removed = false;
    }
out:
    sqlite3_finalize(st);
    if (!ok)
        store_rollback(s);
    store_close(s);
    return ok;
}

bool trust_pin_list(const char *store, struct trust_pin **pins, size_t *count, struct vv_error *err)
{
    bool missing;
    *pins = NULL;
    *count = 0;
    struct store *s = open_store(store, false, &missing, err);
    if (!s)
        return missing;
    struct trust_pin *v = NULL;
    size_t n = 0, cap = 0;
    sqlite3_stmt *st = NULL;
    int rc = sqlite3_prepare_v2(store_db(s),
                                "SELECT host, port, fingerprint, subject, added FROM pins"
                                " ORDER BY host, port",
                                -1, &st, NULL);
    while (rc == SQLITE_OK && (rc = sqlite3_step(st)) == SQLITE_ROW) {
        if (n == cap) {
            size_t ncap = cap ? cap * 2 : 16;
            struct trust_pin *nv = realloc(v, ncap * sizeof *v);
            if (!nv) {
                rc = SQLITE_NOMEM;
                break;
            }
            v = nv;
            cap = ncap;
        }
        row_to_pin(st, &v[n++]);
        rc = SQLITE_OK;
    }
    sqlite3_finalize(st);
    bool ok = rc == SQLITE_DONE || store_fail(s, rc, err);
    store_close(s);
    if (!ok) {
        free(v);
        return false;
    }
    *pins = v;
    *count = n;
    return true;
}
