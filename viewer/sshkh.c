/* known_hosts reading (with line numbers) and writing, plain or hashed, as OpenSSH does. */
#include "sshkh.h"

#include "sshcfg.h"

#include <ctype.h>
#include <errno.h>
#include <fcntl.h>
#include <gnutls/crypto.h>
#include <gnutls/gnutls.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#define MAX_KH_LINE 16384 /* an RSA-16384 key is ~2.8 kB of base64: anything longer is junk */
#define SALT_LEN 20       /* SHA-1's size, as OpenSSH uses */

static const char b64_chars[] = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";

size_t sshkh_b64_encode(const uint8_t *in, size_t n, char *out, size_t size, bool pad)
{
    size_t o = 0;
    for (size_t i = 0; i < n; i += 3) {
        uint32_t v = (uint32_t)in[i] << 16;
        size_t left = n - i;
        if (left > 1)
            v |= (uint32_t)in[i + 1] << 8;
        if (left > 2)
            v |= in[i + 2];
        size_t chars = left >= 3 ? 4 : left + 1;
        for (size_t k = 0; k < 4; k++) {
            if (k >= chars && !pad)
                break;
            if (o + 1 >= size)
                return 0;
            out[o++] = k < chars ? b64_chars[(v >> (18 - 6 * k)) & 63] : '=';
        }
    }
    if (o >= size)
        return 0;
    out[o] = '\0';
    return o;
}

int sshkh_b64_decode(const char *in, size_t len, uint8_t *out, size_t size)
{
    uint32_t acc = 0;
    int bits = 0;
    size_t o = 0;
    for (size_t i = 0; i < len; i++) {
        char c = in[i];
        if (c == '=')
            break;
        const char *p = c ? strchr(b64_chars, c) : NULL;
        if (!p)
            return -1;
        acc = (acc << 6) | (uint32_t)(p - b64_chars);
        bits += 6;
        if (bits >= 8) {
            bits -= 8;
            if (o >= size)
                return -1;
            out[o++] = (uint8_t)(acc >> bits);
        }
    }
    return (int)o;
}

void sshkh_name(const char *host, int port, char *out, size_t size)
{
    if (port == 22 || port <= 0)
        snprintf(out, size, "%s", host);
    else
        snprintf(out, size, "[%s]:%d", host, port);
}

bool sshkh_hashed_matches(const char *field, const char *name)
{
    if (strncmp(field, "|1|", 3) != 0)
        return false;
    const char *salt64 = field + 3, *bar = strchr(salt64, '|');
    if (!bar)
        return false;
    uint8_t salt[64], want[64], got[20];
    int sl = sshkh_b64_decode(salt64, (size_t)(bar - salt64), salt, sizeof salt);
    int wl = sshkh_b64_decode(bar + 1, strlen(bar + 1), want, sizeof want);
    if (sl <= 0 || wl != (int)sizeof got)
        return false;
    if (gnutls_hmac_fast(GNUTLS_MAC_SHA1, salt, (size_t)sl, name, strlen(name), got) != 0)
        return false;
    return memcmp(got, want, sizeof got) == 0;
}

/* Splits off the next whitespace-separated field of *s (modifies the line). */
static char *field(char **s)
{
    char *p = *s;
    while (*p == ' ' || *p == '\t')
        p++;
    if (!*p || *p == '\n' || *p == '\r')
        return NULL;
    char *start = p;
    while (*p && !isspace((unsigned char)*p))
        p++;
    if (*p)
        *p++ = '\0';
    *s = p;
    return start;
}

static bool host_matches(const char *hosts, const char *name)
{
    if (hosts[0] == '|')
        return sshkh_hashed_matches(hosts, name);
    return sshcfg_match_list(name, hosts, ',');
}

bool sshkh_lookup(const char *path, const char *name, const char *type, const char *b64,
                  struct sshkh_result *res)
{
    memset(res, 0, sizeof *res);
    FILE *f = fopen(path, "r");
    if (!f)
        return errno == ENOENT || errno == ENOTDIR;
    char *line = NULL;
    size_t cap = 0;
    int any_type_line = 0;
    char any_type[64] = "";
    for (int no = 1; getline(&line, &cap, f) >= 0; no++) {
        if (strlen(line) > MAX_KH_LINE)
            continue;
        char *s = line, *first = field(&s);
        if (!first || first[0] == '#')
            continue;
        char *marker = NULL, *hosts = first;
        if (first[0] == '@') {
            marker = first;
            hosts = field(&s);
        }
        char *ktype = hosts ? field(&s) : NULL, *key = ktype ? field(&s) : NULL;
        if (!key)
            continue;
        bool same_key = strcmp(ktype, type) == 0 && strcmp(key, b64) == 0;
        if (marker && strcmp(marker, "@revoked") == 0) {
            if (same_key && !res->revoked_line)
                res->revoked_line = no; /* revoked for every host, whatever the host field */
            continue;
        }
        if (marker || !host_matches(hosts, name))
            continue; /* @cert-authority lines vouch for certificates, not plain keys */
        if (same_key && !res->same_line)
            res->same_line = no;
        if (strcmp(ktype, type) == 0 && !res->line) {
            res->line = no;
            snprintf(res->type, sizeof res->type, "%s", ktype);
        } else if (!any_type_line) {
            any_type_line = no;
            snprintf(any_type, sizeof any_type, "%s", ktype);
        }
    }
    free(line);
    fclose(f);
    if (!res->line && any_type_line) {
        res->line = any_type_line;
        memcpy(res->type, any_type, sizeof res->type);
    }
    return true;
}

static bool make_parent_dir(const char *path, struct vv_error *err)
{
    char dir[SSHCFG_PATH_MAX];
    const char *slash = strrchr(path, '/');
    if (!slash || slash == path)
        return true;
    size_t n = (size_t)(slash - path);
    if (n >= sizeof dir)
        return true; /* let open() report it */
    memcpy(dir, path, n);
    dir[n] = '\0';
    if (mkdir(dir, 0700) == 0 || errno == EEXIST)
        return true;
    vv_error_set(err, VV_ERR_IO, "cannot create the directory %s for %s: %s", dir, path,
                 strerror(errno));
    return false;
}

bool sshkh_add(const char *path, const char *name, const char *type, const char *b64, bool hash,
               struct vv_error *err)
{
    char host[300];
    if (hash) {
        uint8_t salt[SALT_LEN], mac[20];
        char s64[64], m64[64];
        if (gnutls_rnd(GNUTLS_RND_NONCE, salt, sizeof salt) != 0 ||
            gnutls_hmac_fast(GNUTLS_MAC_SHA1, salt, sizeof salt, name, strlen(name), mac) != 0) {
            vv_error_set(err, VV_ERR_GENERIC, "cannot hash the host name for known_hosts");
            return false;
        }
        sshkh_b64_encode(salt, sizeof salt, s64, sizeof s64, true);
        sshkh_b64_encode(mac, sizeof mac, m64, sizeof m64, true);
        snprintf(host, sizeof host, "|1|%s|%s", s64, m64);
    } else {
        snprintf(host, sizeof host, "%s", name);
    }
    if (!make_parent_dir(path, err))
        return false;
    int fd = open(path, O_RDWR | O_APPEND | O_CREAT | O_CLOEXEC, 0644);
    if (fd < 0) {
        vv_error_set(err, VV_ERR_IO, "cannot add the host key to %s: %s", path, strerror(errno));
        return false;
    }
    /* A last line without its newline would swallow ours. */
    struct stat st;
    char last = '\n';
    if (fstat(fd, &st) == 0 && st.st_size > 0 && pread(fd, &last, 1, st.st_size - 1) != 1)
        last = '\n';
    size_t len = strlen(host) + strlen(type) + strlen(b64) + 8;
    char *text = malloc(len);
    bool ok = false;
    int e = ENOMEM;
    if (text) {
        int n = snprintf(text, len, "%s%s %s %s\n", last == '\n' ? "" : "\n", host, type, b64);
        ok = n > 0 && write(fd, text, (size_t)n) == n;
        e = ok ? 0 : errno;
        free(text);
    }
    if (close(fd) != 0 && ok) {
        ok = false;
        e = errno;
    }
    if (!ok)
        vv_error_set(err, VV_ERR_IO, "cannot add the host key to %s: %s", path, strerror(e));
    return ok;
}
