/* --ssh destination parsing and a bounded reader for the ssh_config keys libssh keeps to itself. */
#include "sshcfg.h"

#include "log.h"

#include <ctype.h>
#include <errno.h>
#include <glob.h>
#include <pwd.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#define SPEC_FORMS                                                                                 \
    "expected [USER@]HOST[:PORT], e.g. alice@bastion.example.com:2222 or [2001:db8::1]"
#define MAX_LINE 2048
#define MAX_INCLUDE_DEPTH 8

static bool host_char(char c)
{
    return isalnum((unsigned char)c) || c == '.' || c == '-' || c == '_';
}

static bool ipv6_char(char c)
{
    return isxdigit((unsigned char)c) || c == ':' || c == '.';
}

/* An IPv6 literal, optionally with a %zone of host characters. */
static bool valid_ipv6(const char *s, size_t n)
{
    size_t colons = 0, i = 0;
    for (; i < n && s[i] != '%'; i++) {
        if (!ipv6_char(s[i]))
            return false;
        colons += s[i] == ':';
    }
    if (i < n) {
        if (i + 1 == n)
            return false;
        for (size_t j = i + 1; j < n; j++)
            if (!host_char(s[j]))
                return false;
    }
    return colons >= 2;
}

static bool valid_host(const char *s, size_t n)
{
    if (n == 0 || s[0] == '-' || s[0] == '.')
        return false;
    for (size_t i = 0; i < n; i++)
        if (!host_char(s[i]))
            return false;
    return true;
}

static bool parse_port(const char *s, int *port)
{
    long v = 0;
    if (!*s)
        return false;
    for (; *s; s++) {
        if (!isdigit((unsigned char)*s))
            return false;
        v = v * 10 + (*s - '0');
        if (v > 65535)
            return false;
    }
    *port = (int)v;
    return v > 0;
}

bool sshcfg_parse_spec(const char *spec, struct sshcfg_spec *out, struct vv_error *err)
{
    memset(out, 0, sizeof *out);
    if (!spec || !*spec) {
        vv_error_set(err, VV_ERR_USAGE, "--ssh needs the SSH server: %s", SPEC_FORMS);
        return false;
    }
    size_t len = strlen(spec);
    if (len > 400) {
        vv_error_set(err, VV_ERR_USAGE, "--ssh: the SSH server's name is too long");
        return false;
    }
    const char *hp = spec, *at = strrchr(spec, '@');
    if (at) {
        size_t ulen = (size_t)(at - spec);
        if (ulen == 0 || ulen >= sizeof out->user) {
            vv_error_set(err, VV_ERR_USAGE, "--ssh '%s': %s user name; %s", spec,
                         ulen ? "too long a" : "empty", SPEC_FORMS);
            return false;
        }
        for (size_t i = 0; i < ulen; i++) {
            char c = spec[i];
            if (!host_char(c) && c != '@' && c != '+') {
                vv_error_set(err, VV_ERR_USAGE,
                             "--ssh '%s': the user name may hold letters, digits and . _ - @ + "
                             "only; %s",
                             spec, SPEC_FORMS);
                return false;
            }
        }
        memcpy(out->user, spec, ulen);
        hp = at + 1;
    }
    const char *host = hp, *port = NULL;
    size_t hlen;
    bool v6 = false;
    if (hp[0] == '[') {
        const char *close = strchr(hp, ']');
        if (!close) {
            vv_error_set(err, VV_ERR_USAGE, "--ssh '%s': missing ']' after the IPv6 address; %s",
                         spec, SPEC_FORMS);
            return false;
        }
        host = hp + 1;
        hlen = (size_t)(close - host);
        v6 = true;
        if (close[1] == ':')
            port = close + 2;
        else if (close[1]) {
            vv_error_set(err, VV_ERR_USAGE, "--ssh '%s': unexpected text after ']'; %s", spec,
                         SPEC_FORMS);
            return false;
        }
    } else {
        const char *colon = strchr(hp, ':');
        if (colon && strchr(colon + 1, ':')) { /* a bare IPv6 address: no port possible */
            hlen = strlen(hp);
            v6 = true;
        } else {
            hlen = colon ? (size_t)(colon - hp) : strlen(hp);
            port = colon ? colon + 1 : NULL;
        }
    }
    if (hlen == 0) {
        vv_error_set(err, VV_ERR_USAGE, "--ssh '%s': no host name; %s", spec, SPEC_FORMS);
        return false;
    }
    if (hlen >= sizeof out->host || (v6 ? !valid_ipv6(host, hlen) : !valid_host(host, hlen))) {
        vv_error_set(err, VV_ERR_USAGE,
                     v6 ? "--ssh '%s': not a valid IPv6 address; %s"
                        : "--ssh '%s': a host name holds letters, digits, '.', '-' and '_' and "
                          "does not start with '-' or '.'; %s",
                     spec, SPEC_FORMS);
        return false;
    }
    for (size_t i = 0; i < hlen; i++)
        out->host[i] = (char)tolower((unsigned char)host[i]);
    if (port && !parse_port(port, &out->port)) {
        vv_error_set(err, VV_ERR_USAGE, "--ssh '%s': the port must be a number from 1 to 65535",
                     spec);
        return false;
    }
    return true;
}

bool sshcfg_match_pattern(const char *s, const char *p)
{
    /* Iterative glob with one backtrack point: linear enough for host names. */
    const char *star = NULL, *resume = NULL;
    while (*s) {
        if (*p == '*') {
            star = p++;
            resume = s;
        } else if (*p == '?' || (*p && tolower((unsigned char)*p) == tolower((unsigned char)*s))) {
            p++;
            s++;
        } else if (star) {
            p = star + 1;
            s = ++resume;
        } else {
            return false;
        }
    }
    while (*p == '*')
        p++;
    return *p == '\0';
}

bool sshcfg_match_list(const char *s, const char *list, char sep)
{
    bool matched = false;
    char pat[512];
    const char *q = list;
    while (*q) {
        while (*q == sep || (sep == ' ' && (*q == '\t')))
            q++;
        const char *e = q;
        while (*e && *e != sep && !(sep == ' ' && *e == '\t'))
            e++;
        size_t n = (size_t)(e - q);
        if (n > 0 && n < sizeof pat) {
            bool neg = q[0] == '!';
            memcpy(pat, q + neg, n - neg);
            pat[n - neg] = '\0';
            if (sshcfg_match_pattern(s, pat)) {
                if (neg)
                    return false; /* a negated match wins over everything */
                matched = true;
            }
        }
        q = e;
    }
    return matched;
}

bool sshcfg_home(char *out, size_t size)
{
    const char *home = getenv("HOME");
    char pwbuf[1024];
    struct passwd pw, *res = NULL;
    if ((!home || !*home) && getpwuid_r(getuid(), &pw, pwbuf, sizeof pwbuf, &res) == 0 && res)
        home = res->pw_dir;
    if (!home || !*home)
        return false;
    return (size_t)snprintf(out, size, "%s", home) < size;
}

bool sshcfg_expand(const char *in, const struct sshcfg_vars *v, char *out, size_t size)
{
    size_t o = 0;
    char num[16];
    if (in[0] == '~') {
        if (in[1] != '/' && in[1] != '\0')
            return false; /* ~otheruser: not ours to guess */
        if (!v->home || (size_t)snprintf(out, size, "%s", v->home) >= size)
            return false;
        o = strlen(out);
        in++;
    }
    for (; *in; in++) {
        const char *add = NULL;
        char one[2] = {*in, '\0'};
        if (*in == '%') {
            in++;
            switch (*in) {
            case '%':
                add = "%";
                break;
            case 'd':
                add = v->home;
                break;
            case 'u':
                add = v->local_user;
                break;
            case 'r':
                add = v->remote_user;
                break;
            case 'h':
                add = v->host;
                break;
            case 'p':
                snprintf(num, sizeof num, "%d", v->port);
                add = num;
                break;
            default:
                return false;
            }
            if (!add)
                return false;
        } else {
            add = one;
        }
        size_t n = strlen(add);
        if (o + n >= size)
            return false;
        memcpy(out + o, add, n);
        o += n;
    }
    if (o >= size)
        return false;
    out[o] = '\0';
    return true;
}

/* ---- the reader ---- */

struct reader {
    struct sshcfg *cfg;
    const char *host, *home;
    char ssh_dir[SSHCFG_PATH_MAX];
    bool system;
    struct vv_error *err;
};

/* Next whitespace-separated token of *s, "double quotes" grouping; 0 none, -1 malformed. */
static int next_token(char **s, char *out, size_t size)
{
    char *p = *s;
    while (*p == ' ' || *p == '\t' || *p == '\r' || *p == '\n')
        p++;
    if (!*p)
        return 0;
    size_t n = 0;
    bool quoted = *p == '"';
    if (quoted)
        p++;
    while (*p && (quoted ? *p != '"' : !isspace((unsigned char)*p))) {
        if (n + 1 >= size)
            return -1;
        out[n++] = *p++;
    }
    if (quoted) {
        if (*p != '"')
            return -1;
        p++;
    }
    out[n] = '\0';
    *s = p;
    return 1;
}

static bool read_file(struct reader *r, const char *path, int depth);

/* "Match" criteria we can judge; anything else (user, exec, canonical...) does not match, and
 * libssh still applies its own reading of the block to the keys it handles. */
static bool match_line(struct reader *r, char *args, const char *where)
{
    char crit[64], val[512];
    bool all = true;
    int t;
    while ((t = next_token(&args, crit, sizeof crit)) > 0) {
        if (strcasecmp(crit, "all") == 0)
            continue;
        if ((strcasecmp(crit, "host") == 0 || strcasecmp(crit, "originalhost") == 0) &&
            next_token(&args, val, sizeof val) > 0) {
            all = all && sshcfg_match_list(r->host, val, ',');
            continue;
        }
        log_debug("%s: Match %s is not evaluated by vncview: the block is skipped for "
                  "StrictHostKeyChecking, HashKnownHosts, IdentityFile and UserKnownHostsFile",
                  where, crit);
        return false;
    }
    return all && t == 0;
}

static void include_files(struct reader *r, char *args, const char *where, int depth)
{
    char tok[SSHCFG_PATH_MAX], path[SSHCFG_PATH_MAX];
    struct sshcfg_vars v = {.home = r->home};
    while (next_token(&args, tok, sizeof tok) > 0) {
        if (tok[0] == '~') {
            if (!sshcfg_expand(tok, &v, path, sizeof path))
                continue;
        } else if (tok[0] != '/') { /* relative to ~/.ssh, or /etc/ssh for the system file */
            if ((size_t)snprintf(path, sizeof path, "%s/%s", r->system ? "/etc/ssh" : r->ssh_dir,
                                 tok) >= sizeof path)
                continue;
        } else {
            snprintf(path, sizeof path, "%s", tok);
        }
        glob_t g;
        if (glob(path, 0, NULL, &g) == 0) /* no match is fine, as in ssh */
            for (size_t i = 0; i < g.gl_pathc; i++)
                if (!read_file(r, g.gl_pathv[i], depth + 1))
                    log_warn("%s: Include %s: %s", where, g.gl_pathv[i], r->err->message);
        globfree(&g);
    }
}

static void apply_key(struct reader *r, const char *key, char *args, const char *where)
{
    struct sshcfg *c = r->cfg;
    char val[SSHCFG_PATH_MAX];
    if (next_token(&args, val, sizeof val) <= 0)
        return;
    if (strcasecmp(key, "stricthostkeychecking") == 0 && !c->strict_set) {
        if (!strcasecmp(val, "yes") || !strcasecmp(val, "true"))
            c->strict = SSHCFG_STRICT_YES;
        else if (!strcasecmp(val, "no") || !strcasecmp(val, "false") || !strcasecmp(val, "off"))
            c->strict = SSHCFG_STRICT_NO;
        else if (!strcasecmp(val, "accept-new"))
            c->strict = SSHCFG_STRICT_ACCEPT_NEW;
        else if (!strcasecmp(val, "ask"))
            c->strict = SSHCFG_STRICT_ASK;
        else {
            log_warn("%s: StrictHostKeyChecking %s is not yes, no, accept-new or ask: ignored",
                     where, val);
            return;
        }
        c->strict_set = true;
    } else if (strcasecmp(key, "hashknownhosts") == 0 && !c->hash_set) {
        c->hash_known_hosts = !strcasecmp(val, "yes") || !strcasecmp(val, "true");
        c->hash_set = true;
    } else if (strcasecmp(key, "identityfile") == 0) {
        for (int i = 0; i < c->nidentities; i++)
            if (strcmp(c->identities[i], val) == 0)
                return;
        if (c->nidentities < SSHCFG_MAX_IDENTITIES)
            memcpy(c->identities[c->nidentities++], val, sizeof val);
        else
            log_warn("%s: more than %d IdentityFile entries: %s ignored", where,
                     SSHCFG_MAX_IDENTITIES, val);
    } else if (strcasecmp(key, "userknownhostsfile") == 0 && !c->known_hosts[0]) {
        memcpy(c->known_hosts, val, sizeof val);
    }
}

static bool read_file(struct reader *r, const char *path, int depth)
{
    if (depth > MAX_INCLUDE_DEPTH) {
        vv_error_set(r->err, VV_ERR_USAGE, "Includes nested more than %d deep", MAX_INCLUDE_DEPTH);
        return false;
    }
    FILE *f = fopen(path, "r");
    if (!f) {
        if (errno == ENOENT)
            return true;
        vv_error_set(r->err, VV_ERR_IO, "cannot read the SSH configuration %s: %s", path,
                     strerror(errno));
        return false;
    }
    char line[MAX_LINE], key[64], where[SSHCFG_PATH_MAX + 32];
    bool active = true; /* lines before the first Host apply to every host */
    for (int no = 1; fgets(line, sizeof line, f); no++) {
        snprintf(where, sizeof where, "%s line %d", path, no);
        size_t n = strlen(line);
        if (n == sizeof line - 1 && line[n - 1] != '\n') {
            int ch;
            while ((ch = fgetc(f)) != EOF && ch != '\n')
                ;
            log_warn("%s: line longer than %d characters ignored", where, MAX_LINE - 2);
            continue;
        }
        char *s = line;
        while (isspace((unsigned char)*s))
            s++;
        if (!*s || *s == '#')
            continue;
        size_t k = 0;
        while (s[k] && !isspace((unsigned char)s[k]) && s[k] != '=')
            k++;
        if (k == 0 || k >= sizeof key)
            continue;
        memcpy(key, s, k);
        key[k] = '\0';
        char *args = s + k;
        while (isspace((unsigned char)*args))
            args++;
        if (*args == '=')
            args++;
        if (strcasecmp(key, "host") == 0) {
            char *nl = strpbrk(args, "\r\n#");
            if (nl)
                *nl = '\0';
            active = sshcfg_match_list(r->host, args, ' ');
        } else if (strcasecmp(key, "match") == 0) {
            active = match_line(r, args, where);
        } else if (!active) {
            continue;
        } else if (strcasecmp(key, "include") == 0) {
            include_files(r, args, where, depth);
        } else {
            apply_key(r, key, args, where);
        }
    }
    fclose(f);
    return true;
}

bool sshcfg_read(struct sshcfg *cfg, const char *path, const char *host, const char *home,
                 bool system, struct vv_error *err)
{
    struct vv_error local;
    struct reader r = {cfg, host, home, "", system, err ? err : &local};
    snprintf(r.ssh_dir, sizeof r.ssh_dir, "%s/.ssh", home ? home : ".");
    return read_file(&r, path, 0);
}
