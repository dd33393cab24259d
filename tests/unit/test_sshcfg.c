/* The --ssh destination forms, OpenSSH's pattern matching, and the ssh_config reader (Host and
 * Match blocks, first value wins, Include, StrictHostKeyChecking values, path expansion). */
#include "ssh.h"
#include "sshcfg.h"
#include "vv_test.h"

#include <stdlib.h>
#include <sys/stat.h>
#include <unistd.h>

static void spec_ok(const char *text, const char *user, const char *host, int port)
{
    struct sshcfg_spec s;
    struct vv_error e;
    vv_error_clear(&e);
    bool r = sshcfg_parse_spec(text, &s, &e);
    CHECK_MSG(r, "'%s' rejected: %s", text, e.message);
    if (!r)
        return;
    CHECK_MSG(strcmp(s.user, user) == 0, "'%s': user '%s' != '%s'", text, s.user, user);
    CHECK_MSG(strcmp(s.host, host) == 0, "'%s': host '%s' != '%s'", text, s.host, host);
    CHECK_MSG(s.port == port, "'%s': port %d != %d", text, s.port, port);
}

static void spec_bad(const char *text, const char *needle)
{
    struct sshcfg_spec s;
    struct vv_error e;
    vv_error_clear(&e);
    CHECK_MSG(!sshcfg_parse_spec(text, &s, &e), "'%s' accepted as %s@%s:%d", text, s.user, s.host,
              s.port);
    CHECK_MSG(e.code == VV_ERR_USAGE, "'%s': code %d", text, e.code);
    CHECK_MSG(strstr(e.message, needle) != NULL, "'%s': '%s' lacks '%s'", text, e.message, needle);
}

static void test_spec(void)
{
    spec_ok("bastion", "", "bastion", 0);
    spec_ok("Bastion.Example.COM", "", "bastion.example.com", 0);
    spec_ok("alice@bastion:2222", "alice", "bastion", 2222);
    spec_ok("root@127.0.0.1:22", "root", "127.0.0.1", 22);
    spec_ok("first.last@corp@jump-1", "first.last@corp", "jump-1", 0);
    spec_ok("[::1]:2200", "", "::1", 2200);
    spec_ok("bob@[2001:db8::1]", "bob", "2001:db8::1", 0);
    spec_ok("fe80::1", "", "fe80::1", 0);
    spec_ok("[fe80::1%eth0]:22", "", "fe80::1%eth0", 22);
    spec_bad("", "[USER@]HOST[:PORT]");
    spec_bad("@host", "empty user");
    spec_bad("user@", "no host");
    spec_bad("host:0", "1 to 65535");
    spec_bad("host:65536", "1 to 65535");
    spec_bad("host:22x", "1 to 65535");
    spec_bad("-oProxyCommand=evil", "does not start with '-'");
    spec_bad("bad host", "letters, digits");
    spec_bad("ho'st", "letters, digits");
    spec_bad("us;er@host", "user name");
    spec_bad("[::1", "missing ']'");
    spec_bad("[::1]x", "after ']'");
    spec_bad("[not-v6]:22", "IPv6");
    struct vv_error e;
    CHECK(ssh_spec_check("alice@bastion:22", &e));
    CHECK(!ssh_spec_check("alice@", &e) && e.code == VV_ERR_USAGE);
}

static void test_patterns(void)
{
    CHECK(sshcfg_match_pattern("bastion.example.com", "*.example.com"));
    CHECK(sshcfg_match_pattern("BASTION", "bastion"));
    CHECK(sshcfg_match_pattern("web1", "web?"));
    CHECK(!sshcfg_match_pattern("web10", "web?"));
    CHECK(sshcfg_match_pattern("[127.0.0.1]:2222", "[127.0.0.1]:*"));
    CHECK(!sshcfg_match_pattern("example.com", "*.example.com"));
    CHECK(sshcfg_match_pattern("a", "*"));
    CHECK(sshcfg_match_list("db.internal", "web* db.*", ' '));
    CHECK(!sshcfg_match_list("db.internal", "* !db.*", ' '));
    CHECK(sshcfg_match_list("web", "* !db.*", ' '));
    CHECK(sshcfg_match_list("h2", "h1,h2", ','));
    CHECK(!sshcfg_match_list("h3", "h1,h2", ','));
    CHECK(!sshcfg_match_list("h1", "!h1", ','));
}

static char dir[] = "/tmp/vv-sshcfg-XXXXXX";

static void put(const char *name, const char *text)
{
    char path[256];
    snprintf(path, sizeof path, "%s/%s", dir, name);
    FILE *f = fopen(path, "w");
    CHECK(f != NULL);
    if (f) {
        fputs(text, f);
        fclose(f);
    }
}

static void test_reader(void)
{
    char path[256], sub[256];
    snprintf(sub, sizeof sub, "%s/.ssh", dir);
    mkdir(sub, 0700);
    put(".ssh/extra.conf", "Host bastion\n  HashKnownHosts yes\n  IdentityFile ~/from-include\n");
    put("config", "# comment\n"
                  "IdentityFile ~/.ssh/global_key\n"
                  "Host other\n"
                  "  StrictHostKeyChecking no\n"
                  "Host bastion jump\n"
                  "  StrictHostKeyChecking=accept-new\n"
                  "  UserKnownHostsFile \"%d/my known_hosts\" /ignored\n"
                  "  Include extra.conf\n"
                  "Host *\n"
                  "  StrictHostKeyChecking yes\n" /* too late: first value wins */
                  "  IdentityFile %d/.ssh/id_%r\n"
                  "  IdentityFile ~/.ssh/global_key\n" /* already listed */
                  "Match host *,!bastion\n"
                  "  HashKnownHosts no\n"
                  "Match exec \"true\"\n"
                  "  IdentityFile /never\n");
    snprintf(path, sizeof path, "%s/config", dir);
    struct sshcfg c;
    struct vv_error e;
    memset(&c, 0, sizeof c);
    CHECK(sshcfg_read(&c, path, "bastion", dir, false, &e));
    CHECK_EQ_INT(c.strict, SSHCFG_STRICT_ACCEPT_NEW);
    CHECK(c.strict_set);
    CHECK(c.hash_set && c.hash_known_hosts);
    CHECK_EQ_STR(c.known_hosts, "%d/my known_hosts");
    CHECK_EQ_INT(c.nidentities, 3);
    if (c.nidentities == 3) {
        CHECK_EQ_STR(c.identities[0], "~/.ssh/global_key");
        CHECK_EQ_STR(c.identities[1], "~/from-include");
        CHECK_EQ_STR(c.identities[2], "%d/.ssh/id_%r");
    }
    memset(&c, 0, sizeof c);
    CHECK(sshcfg_read(&c, path, "Other", dir, false, &e)); /* Host matching ignores case */
    CHECK_EQ_INT(c.strict, SSHCFG_STRICT_NO);
    CHECK(c.hash_set && !c.hash_known_hosts); /* from "Match host *,!bastion" */
    CHECK_EQ_INT(c.nidentities, 2);
    memset(&c, 0, sizeof c);
    CHECK(sshcfg_read(&c, path, "elsewhere", dir, false, &e));
    CHECK_EQ_INT(c.strict, SSHCFG_STRICT_YES);
    memset(&c, 0, sizeof c);
    snprintf(path, sizeof path, "%s/missing", dir);
    CHECK(sshcfg_read(&c, path, "bastion", dir, false, &e)); /* missing: no error, nothing set */
    CHECK(!c.strict_set && c.nidentities == 0);
    /* A line longer than the reader's buffer is skipped, not split into two lines. */
    char big[5000];
    memset(big, 'x', sizeof big);
    memcpy(big, "IdentityFile /", 14);
    memcpy(big + sizeof big - 30, "\nStrictHostKeyChecking ask\n", 28);
    put("long", big);
    snprintf(path, sizeof path, "%s/long", dir);
    memset(&c, 0, sizeof c);
    CHECK(sshcfg_read(&c, path, "h", dir, false, &e));
    CHECK_EQ_INT(c.nidentities, 0);
    CHECK(c.strict_set && c.strict == SSHCFG_STRICT_ASK);
}

static void test_expand(void)
{
    struct sshcfg_vars v = {"/home/u", "local", "remote", "host.example", 2222};
    char out[256];
    CHECK(sshcfg_expand("~/.ssh/id_%r", &v, out, sizeof out));
    CHECK_EQ_STR(out, "/home/u/.ssh/id_remote");
    CHECK(sshcfg_expand("%d/kh_%h_%p_%u%%", &v, out, sizeof out));
    CHECK_EQ_STR(out, "/home/u/kh_host.example_2222_local%");
    CHECK(!sshcfg_expand("~other/x", &v, out, sizeof out));
    CHECK(!sshcfg_expand("%z", &v, out, sizeof out));
    CHECK(!sshcfg_expand("/a/very/long/path", &v, out, 8));
}

int main(void)
{
    if (!mkdtemp(dir)) {
        perror("mkdtemp");
        return 1;
    }
    test_spec();
    test_patterns();
    test_reader();
    test_expand();
    char cmd[300];
    snprintf(cmd, sizeof cmd, "rm -rf '%s'", dir);
    if (system(cmd) != 0)
        fprintf(stderr, "could not remove %s\n", dir);
    return vv_test_finish();
}
