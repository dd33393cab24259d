/* VNC address parsing. Conventions follow TigerVNC/RealVNC: a number after one colon is a display
 * (port 5900+N) unless it is 100 or more, then it is a port; two colons always give a port. */
#include "addr.h"

#include <arpa/inet.h>
#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

const char *addr_forms(void)
{
    return "HOST, HOST:DISPLAY, HOST::PORT, [IPv6], [IPv6]:DISPLAY, [IPv6]::PORT, "
           "vnc://HOST[:PORT]";
}

static bool fail(struct vv_error *err, const char *text, const char *problem)
{
    vv_error_set(err, VV_ERR_USAGE, "malformed address '%s': %s. Accepted forms: %s", text, problem,
                 addr_forms());
    return false;
}

/* Parses a decimal number made only of digits; false on anything else or overflow past 6 digits. */
static bool parse_number(const char *s, size_t len, long *out)
{
    if (len == 0 || len > 6)
        return false;
    long v = 0;
    for (size_t i = 0; i < len; i++) {
        if (!isdigit((unsigned char)s[i]))
            return false;
        v = v * 10 + (s[i] - '0');
    }
    *out = v;
    return true;
}

static bool valid_hostname(const char *h, size_t len)
{
    if (len == 0 || len >= 254)
        return false;
    for (size_t i = 0; i < len; i++) {
        unsigned char c = (unsigned char)h[i];
        if (!(isalnum(c) || c == '.' || c == '-' || c == '_'))
            return false;
    }
    return h[0] != '-' && h[0] != '.';
}

static bool valid_ipv6(const char *h, size_t len)
{
    char tmp[64];
    struct in6_addr a;
    if (len == 0 || len >= sizeof tmp)
        return false;
    memcpy(tmp, h, len);
    tmp[len] = '\0';
    char *zone = strchr(tmp, '%'); /* fe80::1%eth0: the zone is for getaddrinfo, not inet_pton */
    if (zone) {
        if (zone[1] == '\0')
            return false;
        for (const char *z = zone + 1; *z; z++)
            if (!isalnum((unsigned char)*z) && *z != '.' && *z != '-' && *z != '_')
                return false;
        *zone = '\0';
    }
    return inet_pton(AF_INET6, tmp, &a) == 1;
}

static bool set_port(const char *text, const char *num, size_t len, struct vv_address *out,
                     struct vv_error *err)
{
    long v;
    if (!parse_number(num, len, &v))
        return fail(err, text, "the port must be a number");
    if (v < 1 || v > 65535)
        return fail(err, text, "ports run from 1 to 65535");
    out->port = (int)v;
    out->display = -1;
    snprintf(out->note, sizeof out->note, "port %ld", v);
    return true;
}

/* After a single colon: a display below 100, a port from 100 on (the common slip host:5901). */
static bool set_display_or_port(const char *text, const char *num, size_t len,
                                struct vv_address *out, struct vv_error *err)
{
    long v;
    if (!parse_number(num, len, &v))
        return fail(err, text,
                    "the display must be a number (HOST:1), or give a port as HOST::PORT");
    if (v >= 100) {
        if (!set_port(text, num, len, out, err))
            return false;
        snprintf(out->note, sizeof out->note,
                 "%ld read as a port, not a display (numbers of 100 or more after one colon are "
                 "ports; write ::%ld to say so)",
                 v, v);
        return true;
    }
    out->display = (int)v;
    out->port = VV_BASE_PORT + (int)v;
    snprintf(out->note, sizeof out->note, "display %ld = port %d", v, out->port);
    return true;
}

static bool set_host(const char *text, const char *h, size_t len, bool bracketed,
                     struct vv_address *out, struct vv_error *err)
{
    if (bracketed) {
        if (!valid_ipv6(h, len))
            return fail(err, text, "what is inside [ ] is not an IPv6 address");
    } else if (!valid_hostname(h, len)) {
        return fail(err, text, "the host name may contain only letters, digits, '.', '-' and '_'");
    }
    memcpy(out->host, h, len);
    out->host[len] = '\0';
    return true;
}

static bool parse_url(const char *text, const char *rest, struct vv_address *out,
                      struct vv_error *err)
{
    size_t len = strlen(rest);
    if (len > 0 && rest[len - 1] == '/')
        len--; /* vnc://host:5901/ */
    if (memchr(rest, '@', len))
        return fail(err, text, "user names are not part of a vnc:// address here");
    if (memchr(rest, '/', len) || memchr(rest, '?', len))
        return fail(err, text, "a vnc:// address has no path or query");
    const char *host = rest, *port = NULL;
    size_t hlen;
    bool bracketed = false;
    if (len > 0 && rest[0] == '[') {
        const char *close = memchr(rest, ']', len);
        if (!close)
            return fail(err, text, "missing ']' after the IPv6 address");
        host = rest + 1;
        hlen = (size_t)(close - host);
        bracketed = true;
        size_t after = (size_t)(close + 1 - rest);
        if (after < len) {
            if (rest[after] != ':')
                return fail(err, text, "expected ':PORT' after ']'");
            port = rest + after + 1;
        }
    } else {
        const char *colon = memchr(rest, ':', len);
        hlen = colon ? (size_t)(colon - rest) : len;
        if (colon)
            port = colon + 1;
        if (colon && memchr(port, ':', len - hlen - 1))
            return fail(err, text, "write IPv6 addresses in brackets: vnc://[::1]:5901");
    }
    if (!set_host(text, host, hlen, bracketed, out, err))
        return false;
    if (port) {
        if (!set_port(text, port, (size_t)(rest + len - port), out, err))
            return false;
        snprintf(out->note, sizeof out->note, "URL port %d", out->port);
    } else {
        out->port = VV_BASE_PORT;
        out->display = 0;
        snprintf(out->note, sizeof out->note, "URL without port = port %d", VV_BASE_PORT);
    }
    return true;
}

bool addr_parse(const char *text, struct vv_address *out, struct vv_error *err)
{
    memset(out, 0, sizeof *out);
    out->display = -1;
    if (!text || !*text)
        return fail(err, "", "it is empty");
    size_t len = strlen(text);
    if (len > 300)
        return fail(err, "(too long)", "it is longer than any host name");
    for (size_t i = 0; i < len; i++)
        if (isspace((unsigned char)text[i]) || !isprint((unsigned char)text[i]))
            return fail(err, text, "it contains spaces or control characters");

    if (strncasecmp(text, "vnc://", 6) == 0)
        return parse_url(text, text + 6, out, err);
    if (strstr(text, "://"))
        return fail(err, text, "only vnc:// URLs are understood");

    /* A bare IPv6 literal ("::1", "fe80::2") is taken as a host on display 0, except "::N" with
     * N of 100 or more, which TigerVNC users write for "this machine, port N". */
    long tail;
    bool local_port =
        text[0] == ':' && text[1] == ':' && parse_number(text + 2, len - 2, &tail) && tail >= 100;
    if (text[0] != '[' && !local_port && strchr(text, ':') != strrchr(text, ':') &&
        valid_ipv6(text, len)) {
        if (!set_host(text, text, len, true, out, err))
            return false;
        out->display = 0;
        out->port = VV_BASE_PORT;
        snprintf(out->note, sizeof out->note,
                 "read as the IPv6 address %s on display 0; write [%s]:N for display N", text,
                 text);
        return true;
    }

    const char *host = text, *suffix;
    size_t hlen;
    bool bracketed = false;
    if (text[0] == '[') {
        const char *close = strchr(text, ']');
        if (!close)
            return fail(err, text, "missing ']' after the IPv6 address");
        host = text + 1;
        hlen = (size_t)(close - host);
        bracketed = true;
        suffix = close + 1;
        if (*suffix && *suffix != ':')
            return fail(err, text, "expected ':DISPLAY' or '::PORT' after ']'");
    } else {
        const char *colon = strchr(text, ':');
        hlen = colon ? (size_t)(colon - text) : len;
        suffix = text + hlen;
    }

    if (hlen == 0 && !bracketed) {
        /* ":1" or "::5901" means this machine, as in TigerVNC. */
        memcpy(out->host, "localhost", 10);
    } else if (!set_host(text, host, hlen, bracketed, out, err)) {
        return false;
    }

    if (*suffix == '\0') {
        out->display = 0;
        out->port = VV_BASE_PORT;
        snprintf(out->note, sizeof out->note, "no display given = display 0 = port %d",
                 VV_BASE_PORT);
        return true;
    }
    if (suffix[1] == ':') {
        const char *num = suffix + 2;
        if (strchr(num, ':'))
            return fail(err, text, "too many colons; write IPv6 addresses in brackets: [::1]:1");
        return set_port(text, num, strlen(num), out, err);
    }
    const char *num = suffix + 1;
    if (strchr(num, ':'))
        return fail(err, text, "too many colons; write IPv6 addresses in brackets: [::1]:1");
    return set_display_or_port(text, num, strlen(num), out, err);
}

void addr_format(const struct vv_address *a, char *buf, size_t size)
{
    bool v6 = strchr(a->host, ':') != NULL;
    const char *l = v6 ? "[" : "", *r = v6 ? "]" : "";
    /* Ports 5900-5999 are written as displays: the same port, the short way users know. */
    if (a->port >= VV_BASE_PORT && a->port < VV_BASE_PORT + 100)
        snprintf(buf, size, "%s%s%s:%d", l, a->host, r, a->port - VV_BASE_PORT);
    else
        snprintf(buf, size, "%s%s%s::%d", l, a->host, r, a->port);
}
