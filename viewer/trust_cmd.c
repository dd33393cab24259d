/* `vncview trust`: add, list and remove certificate pins in the per-user store. */
#include "trust_cmd.h"

#include "addr.h"
#include "error.h"
#include "store.h"
#include "trust.h"

#include <limits.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

void trust_cmd_print_usage(FILE *f)
{
    fprintf(f,
            "Usage: vncview trust add ADDRESS SHA256:FINGERPRINT\n"
            "       vncview trust list\n"
            "       vncview trust remove ADDRESS\n"
            "\n"
            "Certificate pins: the TLS certificate a server must present (like SSH's "
            "known_hosts).\n"
            "  add      pin the certificate whose SHA-256 fingerprint is given (64 hex digits,\n"
            "           colons optional) for ADDRESS, replacing any earlier pin\n"
            "  list     show every pin: address, fingerprint, certificate subject, date added\n"
            "  remove   forget the pin for ADDRESS\n"
            "\n"
            "ADDRESS: %s.\n"
            "A pin holds for one host and TCP port.\n"
            "The store is $VNCVIEW_STORE, else $XDG_DATA_HOME/vncview/store.db, else\n"
            "~/.local/share/vncview/store.db.\n"
            "\n"
            "Exit status: 0 done, 1 no pin to remove, 2 malformed arguments, 20 store unusable.\n",
            addr_forms());
}

static int usage_error(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
static int usage_error(const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    fprintf(stderr, "vncview trust: ");
    vfprintf(stderr, fmt, ap);
    fprintf(stderr, "\nTry 'vncview trust --help' for more information.\n");
    va_end(ap);
    return VV_ERR_USAGE;
}

static int fail(const struct vv_error *err)
{
    fprintf(stderr, "vncview trust: %s\n", err->message);
    return err->code ? err->code : VV_ERR_GENERIC;
}

/* Parses ADDRESS into the host and port pins are kept under. */
static bool parse_target(const char *text, struct vv_address *a, struct vv_error *err)
{
    if (!addr_parse(text, a, err))
        return false;
    char h[256];
    if (!trust_host_normalize(a->host, h, err))
        return false;
    snprintf(a->host, sizeof a->host, "%s", h);
    return true;
}

/* host:port the way users write addresses (host:1, host::443, [::1]:1). */
static void format_target(const char *host, int port, char *buf, size_t size)
{
    struct vv_address a = {.port = port, .display = -1};
    snprintf(a.host, sizeof a.host, "%s", host);
    addr_format(&a, buf, size);
}

static int cmd_add(const char *address, const char *fingerprint)
{
    struct vv_error err;
    struct vv_address a;
    struct trust_pin pin = {0}, old;
    char where[300];
    bool had;
    vv_error_clear(&err);
    if (!parse_target(address, &a, &err) || !trust_fp_normalize(fingerprint, pin.fingerprint, &err))
        return fail(&err);
    snprintf(pin.host, sizeof pin.host, "%s", a.host);
    pin.port = a.port;
    pin.added = time(NULL);
    format_target(a.host, a.port, where, sizeof where);
    if (!trust_pin_get(NULL, pin.host, pin.port, &old, &had, &err) ||
        !trust_pin_put(NULL, &pin, &err))
        return fail(&err);
    if (had && strcmp(old.fingerprint, pin.fingerprint) != 0)
        printf("pinned %s for %s (replacing %s)\n", pin.fingerprint, where, old.fingerprint);
    else
        printf("pinned %s for %s\n", pin.fingerprint, where);
    return 0;
}

static int cmd_remove(const char *address)
{
    struct vv_error err;
    struct vv_address a;
    char where[300];
    bool removed;
    vv_error_clear(&err);
    if (!parse_target(address, &a, &err))
        return fail(&err);
    format_target(a.host, a.port, where, sizeof where);
    if (!trust_pin_remove(NULL, a.host, a.port, &removed, &err))
        return fail(&err);
    if (!removed) {
        fprintf(stderr, "vncview trust: no certificate is pinned for %s\n", where);
        return 1;
    }
    printf("removed the pin for %s\n", where);
    return 0;
}

/* Certificate subjects come from servers: never let one send escape sequences to the terminal. */
static void printable(const char *in, char *out, size_t size)
{
    size_t i = 0;
    for (; *in && i + 1 < size; in++)
        out[i++] = (unsigned char)*in < 0x20 || *in == 0x7f ? '?' : *in;
    out[i] = '\0';
}

static int cmd_list(void)
{
    struct vv_error err;
    struct trust_pin *pins;
    size_t n;
    vv_error_clear(&err);
    if (!trust_pin_list(NULL, &pins, &n, &err))
        return fail(&err);
    if (n == 0) {
        char path[PATH_MAX];
        const char *p = store_default_path(path, sizeof path);
        fprintf(stderr, "vncview trust: no certificates are pinned (store: %s)\n",
                p ? p : "unknown");
        free(pins);
        return 0;
    }
    int wa = (int)strlen("ADDRESS"), wf = (int)strlen("FINGERPRINT"), ws = (int)strlen("SUBJECT");
    for (size_t i = 0; i < n; i++) {
        char where[300];
        format_target(pins[i].host, pins[i].port, where, sizeof where);
        if ((int)strlen(where) > wa)
            wa = (int)strlen(where);
        if ((int)strlen(pins[i].fingerprint) > wf)
            wf = (int)strlen(pins[i].fingerprint);
        if ((int)strlen(pins[i].subject) > ws)
            ws = (int)strlen(pins[i].subject);
    }
    printf("%-*s  %-*s  %-*s  %s\n", wa, "ADDRESS", wf, "FINGERPRINT", ws, "SUBJECT", "ADDED");
    for (size_t i = 0; i < n; i++) {
        char where[300], subject[256], date[32] = "?";
        struct tm tm;
        format_target(pins[i].host, pins[i].port, where, sizeof where);
        printable(pins[i].subject[0] ? pins[i].subject : "-", subject, sizeof subject);
        if (localtime_r(&pins[i].added, &tm))
            strftime(date, sizeof date, "%Y-%m-%d %H:%M", &tm);
        printf("%-*s  %-*s  %-*s  %s\n", wa, where, wf, pins[i].fingerprint, ws, subject, date);
    }
    free(pins);
    return 0;
}

int trust_cmd_run(int argc, char **argv)
{
    if (argc < 1)
        return usage_error("missing subcommand: add, list or remove");
    const char *sub = argv[0];
    if (strcmp(sub, "--help") == 0 || strcmp(sub, "-h") == 0 || strcmp(sub, "help") == 0) {
        trust_cmd_print_usage(stdout);
        return 0;
    }
    for (int i = 1; i < argc; i++)
        if (strcmp(argv[i], "--help") == 0 || strcmp(argv[i], "-h") == 0) {
            trust_cmd_print_usage(stdout);
            return 0;
        }
    int want = strcmp(sub, "add") == 0      ? 3
               : strcmp(sub, "remove") == 0 ? 2
               : strcmp(sub, "list") == 0   ? 1
                                            : 0;
    if (want == 0)
        return usage_error("unknown subcommand '%s': use add, list or remove", sub);
    if (argc != want)
        return usage_error(argc < want ? "'%s': missing arguments" : "'%s': too many arguments",
                           sub);
    if (want == 3)
        return cmd_add(argv[1], argv[2]);
    if (want == 2)
        return cmd_remove(argv[1]);
    return cmd_list();
}
