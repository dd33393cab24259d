/* Address parsing: every accepted form and the malformed ones. */
#include "addr.h"
#include "vv_test.h"

static void ok(const char *text, const char *host, int port, int display)
{
    struct vv_address a;
    struct vv_error e;
    vv_error_clear(&e);
    bool r = addr_parse(text, &a, &e);
    CHECK_MSG(r, "'%s' rejected: %s", text, e.message);
    if (!r)
        return;
    CHECK_MSG(strcmp(a.host, host) == 0, "'%s': host '%s' != '%s'", text, a.host, host);
    CHECK_MSG(a.port == port, "'%s': port %d != %d", text, a.port, port);
    CHECK_MSG(a.display == display, "'%s': display %d != %d", text, a.display, display);
    CHECK_MSG(a.note[0] != '\0', "'%s' has no note", text);
}

static void bad(const char *text, const char *needle)
{
    struct vv_address a;
    struct vv_error e;
    vv_error_clear(&e);
    bool r = addr_parse(text, &a, &e);
    CHECK_MSG(!r, "'%s' accepted as %s port %d", text, a.host, a.port);
    CHECK_MSG(e.code == VV_ERR_USAGE, "'%s': code %d", text, e.code);
    CHECK_MSG(strstr(e.message, needle) != NULL, "'%s': message '%s' lacks '%s'", text, e.message,
              needle);
    CHECK_MSG(strstr(e.message, "HOST::PORT") != NULL, "'%s': message lacks the forms", text);
}

static void fmt(const char *text, const char *want)
{
    struct vv_address a;
    char buf[300];
    CHECK(addr_parse(text, &a, NULL));
    addr_format(&a, buf, sizeof buf);
    CHECK_MSG(strcmp(buf, want) == 0, "'%s' formats as '%s', want '%s'", text, buf, want);
}

int main(void)
{
    ok("host", "host", 5900, 0);
    ok("host:0", "host", 5900, 0);
    ok("host:1", "host", 5901, 1);
    ok("host:99", "host", 5999, 99);
    ok("host:100", "host", 100, -1);
    ok("host:5901", "host", 5901, -1);
    ok("host::5901", "host", 5901, -1);
    ok("host::1", "host", 1, -1);
    ok("10.0.0.5:2", "10.0.0.5", 5902, 2);
    ok("my-host.example.org::65535", "my-host.example.org", 65535, -1);
    ok(":1", "localhost", 5901, 1);
    ok("::5901", "localhost", 5901, -1);
    ok("[::1]", "::1", 5900, 0);
    ok("[::1]:3", "::1", 5903, 3);
    ok("[::1]::6000", "::1", 6000, -1);
    ok("[fe80::1%eth0]:1", "fe80::1%eth0", 5901, 1);
    ok("::1", "::1", 5900, 0);
    ok("fe80::2", "fe80::2", 5900, 0);
    ok("vnc://host", "host", 5900, 0);
    ok("vnc://host:5901", "host", 5901, -1);
    ok("vnc://host:1", "host", 1, -1); /* a URL carries a port, never a display */
    ok("VNC://host:5902/", "host", 5902, -1);
    ok("vnc://[::1]:5901", "::1", 5901, -1);
    ok("vnc://[2001:db8::7]", "2001:db8::7", 5900, 0);

    {
        struct vv_address a;
        CHECK(addr_parse("host:5901", &a, NULL));
        CHECK(strstr(a.note, "port") != NULL && strstr(a.note, "not a display") != NULL);
        CHECK(addr_parse("host:1", &a, NULL));
        CHECK_EQ_STR(a.note, "display 1 = port 5901");
    }

    bad("", "empty");
    bad("host:", "number");
    bad("host::", "number");
    bad("host:abc", "number");
    bad("host:-1", "number");
    bad("host::0", "1 to 65535");
    bad("host::65536", "1 to 65535");
    bad("host:99999999", "number");
    bad("host:1:2", "colons");
    bad("fe80::1::2", "colons");
    bad("[::1", "']'");
    bad("[nothost]:1", "IPv6");
    bad("[::1]x", "after ']'");
    bad("ho st:1", "spaces");
    bad("host\t:1", "spaces");
    bad("bad!host:1", "host name");
    bad("-host", "host name");
    bad("http://host", "vnc://");
    bad("vnc://user@host", "user");
    bad("vnc://host:0", "1 to 65535");
    bad("vnc://host/path", "path");
    bad("vnc://::1:5900", "brackets");
    bad("vnc://", "host name");

    fmt("host:1", "host:1");
    fmt("host", "host:0");
    fmt("host:5901", "host:1");
    fmt("host:6001", "host::6001");
    fmt("[::1]:2", "[::1]:2");
    fmt("[::1]::7000", "[::1]::7000");
    fmt("vnc://h:5903", "h:3"); /* port 5903 is display 3 written the short way */
    return vv_test_finish();
}
