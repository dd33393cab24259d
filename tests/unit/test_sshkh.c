/* known_hosts: base64, hashed names (vectors made by ssh-keygen -H), lookups with line numbers
 * for plain, pattern, [host]:port, hashed and @revoked entries, and adding entries. */
#include "sshkh.h"
#include "vv_test.h"

#include <stdlib.h>
#include <sys/stat.h>
#include <unistd.h>

#define KEY "AAAAC3NzaC1lZDI1NTE5AAAAIFJ3VFLIDsVOHAYMJlLuvkAtMZOyAGSTlZMzllZqPYOp"
#define OTHER "AAAAC3NzaC1lZDI1NTE5AAAAIG9vb29vb29vb29vb29vb29vb29vb29vb29vb29vb29v"
/* ssh-keygen -H of "[127.0.0.1]:2222" and "bastion.example.com" */
#define H_PORT "|1|HwCTJm/kK+LgaPS/PcCZyRf1E00=|e3Qb8PvehcGjZqzS41BhYOz1KPI="
#define H_NAME "|1|/mf+kxQVhPwNFl3nWKRjagbwV2Q=|Ld7CUbQGXd1MQyI8vEaoMks1IvM="

static char dir[] = "/tmp/vv-sshkh-XXXXXX";

static void test_b64(void)
{
    const uint8_t in[] = "foobar";
    char out[32];
    uint8_t back[32];
    const char *want[] = {"", "Zg==", "Zm8=", "Zm9v", "Zm9vYg==", "Zm9vYmE=", "Zm9vYmFy"};
    for (size_t n = 0; n <= 6; n++) {
        sshkh_b64_encode(in, n, out, sizeof out, true);
        CHECK_EQ_STR(out, want[n]);
        CHECK_EQ_INT(sshkh_b64_decode(out, strlen(out), back, sizeof back), n);
        CHECK(memcmp(back, in, n) == 0);
    }
    sshkh_b64_encode(in, 4, out, sizeof out, false);
    CHECK_EQ_STR(out, "Zm9vYg");
    CHECK_EQ_INT(sshkh_b64_encode(in, 6, out, 8, true), 0); /* does not fit */
    CHECK_EQ_INT(sshkh_b64_decode("Zm9*", 4, back, sizeof back), -1);
    CHECK_EQ_INT(sshkh_b64_decode("Zm9vYmFy", 8, back, 3), -1);
}

static void test_names(void)
{
    char name[300];
    sshkh_name("bastion", 22, name, sizeof name);
    CHECK_EQ_STR(name, "bastion");
    sshkh_name("::1", 2222, name, sizeof name);
    CHECK_EQ_STR(name, "[::1]:2222");
    CHECK(sshkh_hashed_matches(H_PORT, "[127.0.0.1]:2222"));
    CHECK(!sshkh_hashed_matches(H_PORT, "127.0.0.1"));
    CHECK(!sshkh_hashed_matches(H_PORT, "[127.0.0.1]:2223"));
    CHECK(sshkh_hashed_matches(H_NAME, "bastion.example.com"));
    CHECK(!sshkh_hashed_matches("|1|bad", "bastion.example.com"));
    CHECK(!sshkh_hashed_matches("bastion.example.com", "bastion.example.com"));
}

static void test_lookup(void)
{
    char path[256];
    snprintf(path, sizeof path, "%s/known_hosts", dir);
    FILE *f = fopen(path, "w");
    CHECK(f != NULL);
    if (!f)
        return;
    fprintf(f, "# comment\n"
               "\n"
               "other.example.org ssh-ed25519 " KEY "\n"
               "*.example.com,!evil.example.com ecdsa-sha2-nistp256 AAAAE2VjZHNh\n"
               "@cert-authority *.example.com ssh-ed25519 " OTHER "\n" H_PORT " ssh-ed25519 " OTHER
               "\n"
               "bastion.example.com,10.0.0.5 ssh-ed25519 " KEY " a comment\n"
               "@revoked * ssh-ed25519 " OTHER "\n");
    fclose(f);
    struct sshkh_result r;
    /* Known, same key: line 7 holds it; the pattern line 4 is of another type. */
    CHECK(sshkh_lookup(path, "bastion.example.com", "ssh-ed25519", KEY, &r));
    CHECK_EQ_INT(r.line, 7);
    CHECK_EQ_INT(r.same_line, 7);
    CHECK_EQ_INT(r.revoked_line, 0);
    CHECK_EQ_STR(r.type, "ssh-ed25519");
    /* Changed: the hashed [host]:port entry on line 6 holds another key, which is revoked. */
    CHECK(sshkh_lookup(path, "[127.0.0.1]:2222", "ssh-ed25519", KEY, &r));
    CHECK_EQ_INT(r.line, 6);
    CHECK_EQ_INT(r.same_line, 0);
    CHECK(sshkh_lookup(path, "[127.0.0.1]:2222", "ssh-ed25519", OTHER, &r));
    CHECK_EQ_INT(r.same_line, 6);
    CHECK_EQ_INT(r.revoked_line, 8);
    /* Only a key of another type known (via the pattern): reported with its type. */
    CHECK(sshkh_lookup(path, "www.example.com", "ssh-ed25519", KEY, &r));
    CHECK_EQ_INT(r.line, 4);
    CHECK_EQ_STR(r.type, "ecdsa-sha2-nistp256");
    CHECK(sshkh_lookup(path, "evil.example.com", "ssh-ed25519", KEY, &r)); /* negated */
    CHECK_EQ_INT(r.line, 0);
    CHECK(sshkh_lookup(path, "127.0.0.1", "ssh-ed25519", KEY, &r)); /* port 22: other name */
    CHECK_EQ_INT(r.line, 0);
    snprintf(path, sizeof path, "%s/none", dir);
    CHECK(sshkh_lookup(path, "bastion", "ssh-ed25519", KEY, &r)); /* missing file: empty */
    CHECK_EQ_INT(r.line, 0);
}

static void test_add(void)
{
    char path[256];
    struct vv_error e;
    struct sshkh_result r;
    snprintf(path, sizeof path, "%s/sub/kh", dir); /* the directory is created */
    CHECK(sshkh_add(path, "[::1]:2222", "ssh-ed25519", KEY, false, &e));
    CHECK(sshkh_add(path, "[127.0.0.1]:2222", "ssh-ed25519", OTHER, true, &e));
    CHECK(sshkh_lookup(path, "[::1]:2222", "ssh-ed25519", KEY, &r));
    CHECK_EQ_INT(r.same_line, 1);
    CHECK(sshkh_lookup(path, "[127.0.0.1]:2222", "ssh-ed25519", OTHER, &r));
    CHECK_EQ_INT(r.same_line, 2);
    char line[512] = "";
    FILE *f = fopen(path, "r");
    if (f) {
        CHECK(fgets(line, sizeof line, f) != NULL);
        CHECK(fgets(line, sizeof line, f) != NULL);
        fclose(f);
    }
    CHECK(strncmp(line, "|1|", 3) == 0);
    CHECK(strstr(line, "127.0.0.1") == NULL);
    struct stat st;
    snprintf(path, sizeof path, "%s/sub", dir);
    CHECK(stat(path, &st) == 0 && (st.st_mode & 0777) == 0700);
    /* A last line without its newline gets one before the new entry. */
    snprintf(path, sizeof path, "%s/nonl", dir);
    f = fopen(path, "w");
    if (f) {
        fputs("host1 ssh-ed25519 " OTHER, f);
        fclose(f);
    }
    CHECK(sshkh_add(path, "host2", "ssh-ed25519", KEY, false, &e));
    CHECK(sshkh_lookup(path, "host2", "ssh-ed25519", KEY, &r));
    CHECK_EQ_INT(r.same_line, 2);
    CHECK(sshkh_lookup(path, "host1", "ssh-ed25519", OTHER, &r));
    CHECK_EQ_INT(r.same_line, 1);
    CHECK(!sshkh_add("/proc/vv-no/such", "h", "ssh-ed25519", KEY, false, &e));
    CHECK_EQ_INT(e.code, VV_ERR_IO);
}

int main(void)
{
    if (!mkdtemp(dir)) {
        perror("mkdtemp");
        return 1;
    }
    test_b64();
    test_names();
    test_lookup();
    test_add();
    char cmd[300];
    snprintf(cmd, sizeof cmd, "rm -rf '%s'", dir);
    if (system(cmd) != 0)
        fprintf(stderr, "could not remove %s\n", dir);
    return vv_test_finish();
}
