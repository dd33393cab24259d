/* Unit tests for viewer/options (the stream guard limits: --max-desktop WxH, --max-clipboard SIZE
 * with K/M suffixes, --max-cursor), their way through sessioncfg into the session config and the
 * guard, and --help listing them. */
#include "guard.h"
#include "options.h"
#include "sessioncfg.h"
#include "vv_test.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* Parses a NULL-terminated argument list (argv[0] added). */
static bool parse(struct vv_options *o, struct vv_error *err, const char *first, ...)
{
    char *argv[16] = {"vncview"};
    int argc = 1;
    va_list ap;
    va_start(ap, first);
    for (const char *a = first; a && argc < 15; a = va_arg(ap, const char *))
        argv[argc++] = (char *)a;
    va_end(ap);
    return options_parse(argc, argv, o, err);
}

static void expect_usage(const char *opt, const char *value, const char *text)
{
    struct vv_options o;
    struct vv_error err;
    vv_error_clear(&err);
    bool ok = parse(&o, &err, opt, value, "host:1", NULL);
    CHECK_MSG(!ok, "%s %s accepted", opt, value);
    CHECK_MSG(err.code == VV_ERR_USAGE && strstr(err.message, text), "%s %s: \"%s\", want \"%s\"",
              opt, value, err.message, text);
}

static void test_defaults(void)
{
    struct vv_options o;
    struct vv_error err;
    CHECK(parse(&o, &err, "host:1", NULL));
    CHECK_EQ_INT(o.max_desktop.w, 0);
    CHECK_EQ_INT(o.max_desktop.h, 0);
    CHECK_EQ_INT(o.max_clipboard, 0);
    CHECK_EQ_INT(o.max_cursor, 0);
}

static void test_max_desktop(void)
{
    struct vv_options o;
    struct vv_error err;
    CHECK(parse(&o, &err, "--max-desktop", "1920x1080", "host:1", NULL));
    CHECK_EQ_INT(o.max_desktop.w, 1920);
    CHECK_EQ_INT(o.max_desktop.h, 1080);
    CHECK(parse(&o, &err, "--max-desktop=800X600", "host:1", NULL));
    CHECK_EQ_INT(o.max_desktop.w, 800);
    CHECK_EQ_INT(o.max_desktop.h, 600);
    CHECK(
        parse(&o, &err, "snapshot", "--max-desktop", "16384x16384", "host:1", "-o", "x.png", NULL));
    CHECK_EQ_INT(o.max_desktop.w, 16384);
    const char *bad[] = {"0x100",      "100x0",      "16385x100", "100x16385",
                         "1920",       "1920x",      "x1080",     "19x2x3",
                         "-5x5",       "5x-5",       "axb",       "",
                         "1920 x1080", "1920x1080 ", "+5x5",      "99999999999999999999x1"};
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++)
        expect_usage("--max-desktop", bad[i],
                     "is not a size WIDTHxHEIGHT with each side from 1 to 16384");
}

static void test_max_clipboard(void)
{
    struct vv_options o;
    struct vv_error err;
    const struct {
        const char *text;
        int bytes;
    } good[] = {{"1", 1},        {"1500", 1500},  {"64K", 65536},     {"64k", 65536},
                {"1M", 1 << 20}, {"1m", 1 << 20}, {"1024K", 1 << 20}, {"1048576", 1 << 20}};
    for (size_t i = 0; i < sizeof good / sizeof good[0]; i++) {
        CHECK_MSG(parse(&o, &err, "--max-clipboard", good[i].text, "host:1", NULL), "%s: %s",
                  good[i].text, err.message);
        CHECK_EQ_INT(o.max_clipboard, good[i].bytes);
    }
    const char *bad[] = {"0",    "2M", "1025K", "1048577", "1.5M", "K",    "64KB",
                         "64 K", "-1", "+64K",  "",        "1G",   "0x10", "9999999999999999999M"};
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++)
        expect_usage("--max-clipboard", bad[i], "is not a size from 1 to 1M bytes");
}

static void test_max_cursor(void)
{
    struct vv_options o;
    struct vv_error err;
    CHECK(parse(&o, &err, "--max-cursor", "512", "host:1", NULL));
    CHECK_EQ_INT(o.max_cursor, 512);
    expect_usage("--max-cursor", "1025", "is not a number from 1 to 1024");
    expect_usage("--max-cursor", "0", "is not a number from 1 to 1024");
    /* The value is required. */
    vv_error_clear(&err);
    char *argv[] = {"vncview", "host:1", "--max-desktop"};
    CHECK(!options_parse(3, argv, &o, &err));
    CHECK(strstr(err.message, "--max-desktop needs a value (WxH)") != NULL);
}

/* Through sessioncfg into the session's guard limits; unset options stay 0 (= the guard's
 * defaults). */
static void test_sessioncfg(void)
{
    unsetenv("VNC_PASSWORD");
    struct vv_options o;
    struct vv_error err;
    struct session_config cfg;
    char *pw = NULL;
    CHECK(parse(&o, &err, "--max-desktop", "640x480", "--max-clipboard", "4K", "--max-cursor", "64",
                "127.0.0.1::5999", NULL));
    CHECK_MSG(sessioncfg_from_options(&o, &cfg, &pw, &err), "%s", err.message);
    CHECK_EQ_INT(cfg.limits.max_width, 640);
    CHECK_EQ_INT(cfg.limits.max_height, 480);
    CHECK_EQ_INT(cfg.limits.max_cut_text, 4096);
    CHECK_EQ_INT(cfg.limits.max_cursor, 64);
    CHECK_EQ_INT(cfg.limits.max_rects, 0);
    free(pw);
    CHECK(parse(&o, &err, "127.0.0.1::5999", NULL));
    CHECK(sessioncfg_from_options(&o, &cfg, &pw, &err));
    CHECK_EQ_INT(cfg.limits.max_width, 0);
    CHECK_EQ_INT(cfg.limits.max_cut_text, 0);
    free(pw);
}

/* What the guard makes of such limits: zero fields are the defaults; a lowered desktop limit's
 * refusal names the option, which the parser must know. */
static void test_guard_names_the_option(void)
{
    static const uint8_t init[24] = {0x03, 0x20, 0x02, 0x58, /* 800x600 */
                                     32,   24,   0,    1,    0, 255, 0, 255, 0, 255,
                                     16,   8,    0,    0,    0, 0,   0, 0,   0, 0};
    struct guard_limits l;
    memset(&l, 0, sizeof l);
    l.max_width = 640;
    l.max_height = 480;
    uint8_t out[64];
    size_t ol = 0;
    struct vv_error err;
    struct guard *g = guard_new(NULL, 0, &l);
    CHECK(guard_push(g, init, sizeof init, out, sizeof out, &ol, &err) < 0);
    CHECK_MSG(strstr(err.message, "vncview accepts 1x1 to 640x480 (raise the limit with "
                                  "--max-desktop, up to 16384x16384)") != NULL,
              "%s", err.message);
    guard_free(g);
    struct vv_options o;
    CHECK(parse(&o, &err, "--max-desktop", "800x600", "host:1", NULL));

    /* All zero: the defaults, so 800x600 passes; at the ceiling no option is offered. */
    memset(&l, 0, sizeof l);
    g = guard_new(NULL, 0, &l);
    ol = 0;
    CHECK_EQ_INT(guard_push(g, init, sizeof init, out, sizeof out, &ol, &err), 24);
    int w = 0, h = 0;
    CHECK(guard_desktop(g, &w, &h) && w == 800 && h == 600);
    guard_free(g);
    uint8_t huge[24];
    memcpy(huge, init, sizeof huge);
    huge[0] = huge[1] = huge[2] = huge[3] = 0xFF; /* 65535x65535 */
    g = guard_new(NULL, 0, &l);
    ol = 0;
    CHECK(guard_push(g, huge, sizeof huge, out, sizeof out, &ol, &err) < 0);
    CHECK_MSG(strstr(err.message, "accepts 1x1 to 16384x16384") && !strstr(err.message, "--max"),
              "%s", err.message);
    guard_free(g);
}

static void test_help(void)
{
    char *text = NULL;
    size_t len = 0;
    FILE *f = open_memstream(&text, &len);
    options_print_help(f);
    fclose(f);
    CHECK(strstr(text, "--max-desktop WxH") != NULL);
    CHECK(strstr(text, "--max-clipboard SIZE") != NULL);
    CHECK(strstr(text, "--max-cursor PIXELS") != NULL);
    /* GNU-style: the option table wrapped within 79 columns. */
    int longest = 0, col = 0;
    const char *table = strstr(text, "Options:");
    CHECK(table != NULL);
    for (const char *p = table ? table : ""; *p; p++) {
        col = *p == '\n' ? 0 : col + 1;
        longest = col > longest ? col : longest;
    }
    CHECK_MSG(longest <= 79, "a help line of %d columns", longest);
    free(text);
}

int main(void)
{
    test_defaults();
    test_max_desktop();
    test_max_clipboard();
    test_max_cursor();
    test_sessioncfg();
    test_guard_names_the_option();
    test_help();
    return vv_test_finish();
}
