/* Command-line options: a single table shared by the parser and --help, GNU conventions
 * (--name=value, --name value, -x value, -- ends options). */
#include "options.h"

#include "addr.h"
#include "guard.h"
#include "vv_config.h"

#include <ctype.h>
#include <errno.h>
#include <limits.h>
#include <stddef.h>
#include <stdlib.h>
#include <string.h>

/* OPT_SIZE: bytes, with an optional K or M suffix (1024, 1048576); OPT_DIMS: WxH into a
 * struct vv_dims, each side from min to max. */
enum opt_kind { OPT_FLAG, OPT_STRING, OPT_INT, OPT_SIZE, OPT_DIMS };

/* Which commands accept an option. */
#define FOR_CONNECT (1u << CMD_CONNECT)
#define FOR_SNAPSHOT (1u << CMD_SNAPSHOT)
#define FOR_DEMO (1u << CMD_DEMO)
#define FOR_SESSIONS (FOR_CONNECT | FOR_SNAPSHOT | FOR_DEMO)

struct opt_def {
    const char *name;
    char short_name;
    const char *arg;
    enum opt_kind kind;
    size_t offset;
    int min, max;
    unsigned commands;
    const char *help;
};

#define OFF(field) offsetof(struct vv_options, field)

static const struct opt_def table[] = {
    {"passwd", 0, "FILE", OPT_STRING, OFF(passwd_file), 0, 0, FOR_CONNECT | FOR_SNAPSHOT,
     "read the VNC password from FILE, made by vncpasswd (TigerVNC format); the environment "
     "variable VNC_PASSWORD also works, for scripts"},
    {"ssh", 0, "[USER@]HOST[:PORT]", OPT_STRING, OFF(ssh), 0, 0, FOR_CONNECT | FOR_SNAPSHOT,
     "tunnel through SSH to HOST, which connects to ADDRESS as it resolves it (localhost:1 is "
     "the SSH server's own display 1); no local port is opened"},
    {"via", 0, "[USER@]HOST[:PORT]", OPT_STRING, OFF(ssh), 0, 0, FOR_CONNECT | FOR_SNAPSHOT,
     "the same as --ssh, as TigerVNC users know it"},
    {"ssh-config", 0, "FILE", OPT_STRING, OFF(ssh_config), 0, 0, FOR_CONNECT | FOR_SNAPSHOT,
     "read this SSH configuration instead of ~/.ssh/config (as ssh -F)"},
    {"ssh-key", 0, "FILE", OPT_STRING, OFF(ssh_key), 0, 0, FOR_CONNECT | FOR_SNAPSHOT,
     "private key for the SSH server (tried after the agent)"},
    {"security", 0, "LIST", OPT_STRING, OFF(security), 0, 0, FOR_CONNECT | FOR_SNAPSHOT,
     "security types in preference order, TigerVNC names: X509Vnc, X509Plain, X509None, "
     "TLSVnc, TLSPlain, TLSNone, TLS (anonymous), VncAuth, Plain, None, comma-separated "
     "(default: verified encryption first, then unverified encryption, then plain; Plain, "
     "which sends the password readably, only when listed)"},
    {"user", 0, "NAME", OPT_STRING, OFF(user), 0, 0, FOR_CONNECT | FOR_SNAPSHOT,
     "user name for Plain authentication (VeNCrypt)"},
    {"ca", 0, "FILE", OPT_STRING, OFF(ca), 0, 0, FOR_CONNECT | FOR_SNAPSHOT,
     "also trust the CA certificates in FILE (PEM) for X509 security types"},
    {"insecure", 0, NULL, OPT_FLAG, OFF(insecure), 0, 0, FOR_CONNECT | FOR_SNAPSHOT,
     "allow an unencrypted connection to another machine without asking"},
    {"encodings", 0, "LIST", OPT_STRING, OFF(encodings), 0, 0, FOR_SESSIONS,
     "encodings to ask for, in order (default: copyrect tight zrle hextile zlib raw; also rre "
     "corre ultra on request)"},
    {"quality", 0, "0-9", OPT_INT, OFF(quality), 0, 9, FOR_CONNECT | FOR_DEMO,
     "JPEG quality for Tight (default 8; lower is smaller and blurrier)"},
    {"compress", 0, "0-9", OPT_INT, OFF(compress), 0, 9, FOR_SESSIONS,
     "compression level (default 2; higher saves bandwidth, costs server CPU)"},
    {"timeout", 0, "SECONDS", OPT_INT, OFF(timeout_s), 1, 3600, FOR_SESSIONS,
     "give up connecting after SECONDS (default 15)"},
    {"scale", 0, "PERCENT", OPT_INT, OFF(scale), 100, 100, FOR_CONNECT | FOR_DEMO,
     "100 shows the desktop 1:1 (default: scale to fit the window, aspect kept)"},
    {"max-desktop", 0, "WxH", OPT_DIMS, OFF(max_desktop), 1, GUARD_MAX_DESKTOP, FOR_SESSIONS,
     "end the session if the server's desktop is, or grows, wider than W or taller than H "
     "pixels (default and most: 16384x16384)"},
    {"max-clipboard", 0, "SIZE", OPT_SIZE, OFF(max_clipboard), 1, 1 << 20, FOR_SESSIONS,
     "cut clipboard texts from the server after SIZE bytes; K and M suffixes (default: 1M less "
     "one byte; at most 1M, libvncclient's ceiling)"},
    {"max-cursor", 0, "PIXELS", OPT_INT, OFF(max_cursor), 1, GUARD_MAX_CURSOR, FOR_SESSIONS,
     "end the session if the server's cursor shape is wider or taller than PIXELS (default "
     "256, at most 1024)"},
    {"fullscreen", 0, NULL, OPT_FLAG, OFF(fullscreen), 0, 0, FOR_CONNECT | FOR_DEMO,
     "start in full screen (F11 toggles)"},
    {"view-only", 0, NULL, OPT_FLAG, OFF(view_only), 0, 0, FOR_CONNECT | FOR_DEMO,
     "send no keyboard, mouse or clipboard input"},
    {"no-remote-resize", 0, NULL, OPT_FLAG, OFF(no_remote_resize), 0, 0, FOR_CONNECT | FOR_DEMO,
     "keep the server's desktop size when you resize the window or go full screen (by "
     "default vncview asks servers that allow it, such as Xvnc, to match the window)"},
    {"output", 'o', "FILE.png", OPT_STRING, OFF(output), 0, 0, FOR_SNAPSHOT,
     "snapshot: write the desktop to FILE.png"},
    {"verbose", 'v', NULL, OPT_FLAG, OFF(verbose), 0, 0, FOR_SESSIONS,
     "say what is happening (address reading, security, encodings)"},
    {"debug", 0, NULL, OPT_FLAG, OFF(debug), 0, 0, FOR_SESSIONS,
     "log protocol details, libvncclient's included"},
    {"help", 'h', NULL, OPT_FLAG, OFF(help), 0, 0, ~0u, "show this help and exit"},
    {"version", 'V', NULL, OPT_FLAG, OFF(version), 0, 0, ~0u, "show the version and exit"},
};

static const char *command_names[] = {"connect", "snapshot", "demo"};

static const struct opt_def *find_long(const char *name, size_t len)
{
    for (size_t i = 0; i < sizeof table / sizeof table[0]; i++)
        if (strlen(table[i].name) == len && strncmp(table[i].name, name, len) == 0)
            return &table[i];
    return NULL;
}

static const struct opt_def *find_short(char c)
{
    for (size_t i = 0; i < sizeof table / sizeof table[0]; i++)
        if (table[i].short_name == c)
            return &table[i];
    return NULL;
}

/* "64K", "1M", "1500": bytes into *out; false if malformed or above LLONG_MAX / 1 MiB. */
static bool parse_size(const char *v, long long *out)
{
    if (!isdigit((unsigned char)*v))
        return false;
    errno = 0;
    char *end;
    long long n = strtoll(v, &end, 10);
    if (errno || n > LLONG_MAX / (1 << 20))
        return false;
    if (*end == 'k' || *end == 'K')
        n *= 1024, end++;
    else if (*end == 'm' || *end == 'M')
        n *= 1 << 20, end++;
    *out = n;
    return *end == '\0';
}

/* "1M", "64K" or "1500", for messages. */
static void size_text(long long n, char *buf, size_t size)
{
    if (n > 0 && n % (1 << 20) == 0)
        snprintf(buf, size, "%lldM", n >> 20);
    else if (n > 0 && n % 1024 == 0)
        snprintf(buf, size, "%lldK", n >> 10);
    else
        snprintf(buf, size, "%lld", n);
}

/* "1920x1080" (x or X), each side from d->min to d->max. */
static bool set_dims(const struct opt_def *d, const char *value, struct vv_dims *out,
                     struct vv_error *err)
{
    char *end;
    long w = 0, h = 0;
    bool ok = isdigit((unsigned char)value[0]);
    if (ok) {
        w = strtol(value, &end, 10);
        ok = (*end == 'x' || *end == 'X') && isdigit((unsigned char)end[1]);
    }
    if (ok) {
        h = strtol(end + 1, &end, 10);
        ok = *end == '\0' && w >= d->min && w <= d->max && h >= d->min && h <= d->max;
    }
    if (!ok) {
        vv_error_set(err, VV_ERR_USAGE,
                     "--%s: '%s' is not a size WIDTHxHEIGHT with each side from %d to %d "
                     "(e.g. 3840x2160)",
                     d->name, value, d->min, d->max);
        return false;
    }
    out->w = (int)w;
    out->h = (int)h;
    return true;
}

static bool set_value(const struct opt_def *d, const char *value, struct vv_options *o,
                      struct vv_error *err)
{
    char *base = (char *)o + d->offset;
    if (d->kind == OPT_STRING) {
        *(const char **)base = value;
        return true;
    }
    if (d->kind == OPT_DIMS)
        return set_dims(d, value, (struct vv_dims *)base, err);
    if (d->kind == OPT_SIZE) {
        long long n;
        if (!parse_size(value, &n) || n < d->min || n > d->max) {
            char lo[32], hi[32];
            size_text(d->min, lo, sizeof lo);
            size_text(d->max, hi, sizeof hi);
            vv_error_set(err, VV_ERR_USAGE,
                         "--%s: '%s' is not a size from %s to %s bytes (a K or M suffix "
                         "counts 1024 or 1048576: 64K, 1M)",
                         d->name, value, lo, hi);
            return false;
        }
        *(int *)base = (int)n;
        return true;
    }
    char *end;
    long v = strtol(value, &end, 10);
    if (*value == '\0' || *end != '\0' || v < d->min || v > d->max) {
        if (d->min == d->max)
            vv_error_set(err, VV_ERR_USAGE, "--%s: '%s' is not supported; the only value is %d",
                         d->name, value, d->min);
        else
            vv_error_set(err, VV_ERR_USAGE, "--%s: '%s' is not a number from %d to %d", d->name,
                         value, d->min, d->max);
        return false;
    }
    *(int *)base = (int)v;
    return true;
}

bool options_parse(int argc, char **argv, struct vv_options *o, struct vv_error *err)
{
    memset(o, 0, sizeof *o);
    o->quality = -1;
    o->compress = -1;
    o->timeout_s = 15;
    int i = 1;
    if (i < argc) {
        for (int c = 0; c < 3; c++)
            if (c != CMD_CONNECT && strcmp(argv[i], command_names[c]) == 0) {
                o->command = (enum vv_command)c;
                i++;
                break;
            }
    }
    bool only_positional = false;
    for (; i < argc; i++) {
        const char *a = argv[i];
        const struct opt_def *d = NULL;
        const char *value = NULL;
        char shown[64];
        if (!only_positional && strcmp(a, "--") == 0) {
            only_positional = true;
            continue;
        }
        if (!only_positional && a[0] == '-' && a[1] == '-') {
            const char *eq = strchr(a + 2, '=');
            size_t len = eq ? (size_t)(eq - a - 2) : strlen(a + 2);
            d = find_long(a + 2, len);
            snprintf(shown, sizeof shown, "--%.*s", (int)(len > 40 ? 40 : len), a + 2);
            if (eq)
                value = eq + 1;
        } else if (!only_positional && a[0] == '-' && a[1] != '\0') {
            if (a[2] != '\0') {
                vv_error_set(err, VV_ERR_USAGE,
                             "unknown option '%s' (short options take one letter)", a);
                return false;
            }
            d = find_short(a[1]);
            snprintf(shown, sizeof shown, "-%c", a[1]);
        } else {
            if (o->address) {
                vv_error_set(err, VV_ERR_USAGE, "unexpected argument '%s' (the address is '%s')", a,
                             o->address);
                return false;
            }
            o->address = a;
            continue;
        }
        if (!d) {
            vv_error_set(err, VV_ERR_USAGE, "unknown option '%s'", shown);
            return false;
        }
        if (!(d->commands & (1u << o->command))) {
            vv_error_set(err, VV_ERR_USAGE, "option --%s does not apply to '%s'", d->name,
                         command_names[o->command]);
            return false;
        }
        if (d->kind == OPT_FLAG) {
            if (value) {
                vv_error_set(err, VV_ERR_USAGE, "option --%s takes no value", d->name);
                return false;
            }
            *(bool *)((char *)o + d->offset) = true;
            continue;
        }
        if (!value) {
            if (i + 1 >= argc) {
                vv_error_set(err, VV_ERR_USAGE, "option %s needs a value (%s)", shown, d->arg);
                return false;
            }
            value = argv[++i];
        }
        if (!set_value(d, value, o, err))
            return false;
    }
    if (o->help || o->version)
        return true;
    if (o->command == CMD_DEMO) {
        if (o->address) {
            vv_error_set(err, VV_ERR_USAGE, "'demo' takes no address");
            return false;
        }
        return true;
    }
    if (!o->address) {
        vv_error_set(err, VV_ERR_USAGE, "no address given: vncview HOST:DISPLAY (forms: %s)",
                     addr_forms());
        return false;
    }
    if (o->command == CMD_SNAPSHOT && !o->output) {
        vv_error_set(err, VV_ERR_USAGE, "snapshot needs an output file: -o FILE.png");
        return false;
    }
    return true;
}

/* "  --name ARG   text" with the text wrapped into a column, as GNU tools print help. */
static void print_wrapped(FILE *f, const char *left, const char *text)
{
    enum { COL = 30, WIDTH = 79 };
    int used = fprintf(f, "%s", left);
    if (used >= COL - 1) {
        fputc('\n', f);
        used = 0;
    }
    fprintf(f, "%*s", COL - used, "");
    int x = COL;
    const char *p = text;
    while (*p) {
        const char *w = p;
        while (*w && *w != ' ')
            w++;
        int len = (int)(w - p);
        if (x > COL && x + 1 + len > WIDTH) {
            fprintf(f, "\n%*s", COL, "");
            x = COL;
        } else if (x > COL) {
            fputc(' ', f);
            x++;
        }
        fprintf(f, "%.*s", len, p);
        x += len;
        p = *w ? w + 1 : w;
    }
    fputc('\n', f);
}

void options_print_help(FILE *f)
{
    fprintf(f,
            "Usage: vncview [OPTION]... ADDRESS\n"
            "       vncview snapshot ADDRESS -o FILE.png [OPTION]...\n"
            "       vncview demo [OPTION]...\n"
            "       vncview trust add ADDRESS SHA256:FINGERPRINT | list | remove ADDRESS\n"
            "\n"
            "A VNC viewer. Connects to display N of HOST (TCP port 5900+N) and shows its desktop.\n"
            "\n"
            "Commands:\n"
            "  (none)      open a window on ADDRESS\n"
            "  snapshot    connect without a window, write the first complete frame as PNG\n"
            "  demo        start a built-in demo server on this machine and view it\n"
            "  trust       manage certificate pins (vncview trust --help)\n"
            "\n"
            "ADDRESS forms:\n"
            "  HOST            display 0 (port 5900)\n"
            "  HOST:N          display N (port 5900+N); N of 100 or more is a port (host:5901)\n"
            "  HOST::PORT      a TCP port\n"
            "  [IPv6]:N, [IPv6]::PORT, vnc://HOST[:PORT] (a URL carries a port)\n"
            "\n"
            "Options:\n");
    for (size_t i = 0; i < sizeof table / sizeof table[0]; i++) {
        const struct opt_def *d = &table[i];
        char left[64];
        int n = d->short_name ? snprintf(left, sizeof left, "  -%c, --%s", d->short_name, d->name)
                              : snprintf(left, sizeof left, "      --%s", d->name);
        if (d->arg)
            snprintf(left + n, sizeof left - (size_t)n, "%s%s", d->kind == OPT_FLAG ? "" : " ",
                     d->arg);
        print_wrapped(f, left, d->help);
    }
    fprintf(f, "\n"
               "In the window: F11 toggles full screen, F8 opens the menu.\n"
               "\n"
               "Exit status:\n");
    for (int c = 0; c <= VV_ERR_STORE; c++)
        fprintf(f, "  %2d  %s\n", c, vv_status_name(c));
    fprintf(f, "\nReport bugs to the vncview issue tracker.\n");
}

void options_print_version(FILE *f)
{
    fprintf(f, "vncview %s\n", VV_VERSION);
}
