/* trust_* and store_*: pins round-trip through a real SQLite store in a temporary directory;
 * fingerprints and hosts are normalised; files are private whatever the umask; damaged, foreign,
 * future and unreadable stores are refused and left byte-for-byte as they were; several
 * processes and threads can write at once. */
#include <errno.h>
#include <fcntl.h>
#include <ftw.h>
#include <pthread.h>
#include <stdint.h>
#include <sqlite3.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include "store.h"
#include "trust.h"
#include "vv_test.h"

static char dir[256];

#define HEX_A                                                                                      \
    "AB:AB:AB:AB:AB:AB:AB:AB:AB:AB:AB:AB:AB:AB:AB:AB:AB:AB:AB:AB:AB:AB:AB:AB:AB:AB:AB:AB:AB:AB:"   \
    "AB:AB"
#define HEX_B                                                                                      \
    "01:23:45:67:89:AB:CD:EF:01:23:45:67:89:AB:CD:EF:01:23:45:67:89:AB:CD:EF:01:23:45:67:89:AB:"   \
    "CD:EF"
#define FP_A "SHA256:" HEX_A
#define FP_B "SHA256:" HEX_B

static void in_dir(char *buf, size_t n, const char *name)
{
    snprintf(buf, n, "%s/%s", dir, name);
}

static int mode_of(const char *path)
{
    struct stat st;
    return stat(path, &st) == 0 ? (int)(st.st_mode & 07777) : -1;
}

/* Whole file into a malloc'd buffer (caller frees); NULL if unreadable. */
static char *slurp(const char *path, size_t *n)
{
    FILE *f = fopen(path, "rb");
    char *buf = NULL;
    *n = 0;
    if (!f)
        return NULL;
    size_t cap = 0, got;
    do {
        cap += 65536;
        buf = realloc(buf, cap);
        got = fread(buf + *n, 1, cap - *n, f);
        *n += got;
    } while (buf && *n == cap);
    fclose(f);
    return buf;
}

static void write_bytes(const char *path, const void *data, size_t n)
{
    FILE *f = fopen(path, "wb");
    CHECK(f != NULL);
    if (f) {
        CHECK_EQ_INT(fwrite(data, 1, n, f), n);
        fclose(f);
    }
}

static bool put(const char *store, const char *host, int port, const char *fp, const char *subj)
{
    struct trust_pin p = {.port = port};
    struct vv_error err = {0};
    snprintf(p.host, sizeof p.host, "%s", host);
    snprintf(p.fingerprint, sizeof p.fingerprint, "%s", fp);
    snprintf(p.subject, sizeof p.subject, "%s", subj);
    bool ok = trust_pin_put(store, &p, &err);
    CHECK_MSG(ok, "put %s:%d: %s", host, port, err.message);
    return ok;
}

/* The fingerprint pinned for host:port, or "" when none. */
static const char *get_fp(const char *store, const char *host, int port)
{
    static struct trust_pin p;
    struct vv_error err = {0};
    bool found = true;
    CHECK_MSG(trust_pin_get(store, host, port, &p, &found, &err), "get %s:%d: %s", host, port,
              err.message);
    return found ? p.fingerprint : "";
}

static void test_fingerprints(void)
{
    char out[TRUST_FP_LEN];
    struct vv_error err = {0};
    char lower[80] = "sha256:", bare[80] = "SHA256:";
    for (int i = 0; i < 32; i++) {
        strcat(lower, "ab");
        strcat(bare, i % 2 ? "Ab" : "aB");
    }
    CHECK(trust_fp_normalize(lower, out, &err) && strcmp(out, FP_A) == 0);
    CHECK(trust_fp_normalize(bare, out, &err) && strcmp(out, FP_A) == 0);
    CHECK(trust_fp_normalize(FP_B, out, &err) && strcmp(out, FP_B) == 0);
    CHECK(trust_fp_normalize("Sha256:0123456789abcdef:0123456789ABCDEF0123456789abcdef:01:23:45:"
                             "67:89:ab:cd:ef",
                             out, &err) &&
          strcmp(out, FP_B) == 0);
    unsigned char digest[32];
    for (int i = 0; i < 32; i++)
        digest[i] = (unsigned char)(i % 8 * 0x22 + 1);
    trust_fp_format(digest, out);
    CHECK_EQ_STR(out, "SHA256:01:23:45:67:89:AB:CD:EF:01:23:45:67:89:AB:CD:EF:01:23:45:67:89:AB:"
                      "CD:EF:01:23:45:67:89:AB:CD:EF");
    CHECK_EQ_INT(strlen(out), 7 + 32 * 3 - 1);

    static const char *const refused[] = {
        "",
        "SHA256:",
        "AB:AB",
        HEX_A /* no prefix */,
        "SHA1:" HEX_A,
        FP_A ":AB" /* 33 bytes */,
        "SHA256:AB" /* 1 byte */,
        "SHA256::" HEX_A,
        FP_A ":",
        "SHA256:AB::" HEX_A,
        "SHA256:AB:A" /* odd */,
        "SHA256:GB:" HEX_A,
        "SHA256: " HEX_A,
        "SHA256:" HEX_A "\n",
        "SHA256:47DEQpj8HBSa+/TImW+5JCeuQeRkm5NMpJWZG3hSuFU" /* OpenSSH's base64 */};
    for (size_t i = 0; i < sizeof refused / sizeof refused[0]; i++) {
        vv_error_clear(&err);
        CHECK_MSG(!trust_fp_normalize(refused[i], out, &err), "'%s' accepted", refused[i]);
        CHECK_MSG(err.code == VV_ERR_USAGE && strstr(err.message, "SHA256:AB:CD"), "'%s': %d %s",
                  refused[i], err.code, err.message);
    }
}

static void test_hosts(void)
{
    char out[256];
    struct {
        const char *in, *want;
    } ok[] = {{"Host.EXAMPLE.org", "host.example.org"},
              {"[::1]", "::1"},
              {"0:0:0:0:0:0:0:1", "::1"},
              {"FE80:0::AB%Eth0", "fe80::ab%Eth0"},
              {"[2001:DB8::1]", "2001:db8::1"},
              {"10.0.0.5", "10.0.0.5"}};
    for (size_t i = 0; i < sizeof ok / sizeof ok[0]; i++) {
        CHECK(trust_host_normalize(ok[i].in, out, NULL));
        CHECK_EQ_STR(out, ok[i].want);
    }
    CHECK(!trust_host_normalize("", out, NULL));
    CHECK(!trust_host_normalize("a b", out, NULL));
    CHECK(!trust_host_normalize("[]", out, NULL));
}

static void test_default_path(void)
{
    char buf[512];
    setenv("VNCVIEW_STORE", "/x/y.db", 1);
    setenv("XDG_DATA_HOME", "/xdg", 1);
    setenv("HOME", "/home/u", 1);
    CHECK(store_default_path(buf, sizeof buf) && strcmp(buf, "/x/y.db") == 0);
    setenv("VNCVIEW_STORE", "", 1);
    CHECK(store_default_path(buf, sizeof buf) && strcmp(buf, "/xdg/vncview/store.db") == 0);
    setenv("XDG_DATA_HOME", "relative", 1); /* invalid per the XDG spec: ignored */
    CHECK(store_default_path(buf, sizeof buf) &&
          strcmp(buf, "/home/u/.local/share/vncview/store.db") == 0);
    unsetenv("XDG_DATA_HOME");
    CHECK(store_default_path(buf, sizeof buf) &&
          strcmp(buf, "/home/u/.local/share/vncview/store.db") == 0);
    CHECK(store_default_path(buf, 10) == NULL); /* does not fit */
}

/* Pins round-trip through the default store ($VNCVIEW_STORE), made private under umask 000. */
static void test_pins(void)
{
    char sub[300], store[300];
    in_dir(sub, sizeof sub, "deep");
    in_dir(store, sizeof store, "deep/er/store.db");
    setenv("VNCVIEW_STORE", store, 1);
    mode_t old = umask(0);

    struct trust_pin *pins = NULL;
    size_t n = 99;
    struct vv_error err = {0};
    CHECK_EQ_STR(get_fp(NULL, "nowhere", 5900), ""); /* missing store: no pins, not created */
    CHECK(trust_pin_list(NULL, &pins, &n, &err) && n == 0 && pins == NULL);
    bool removed = true;
    CHECK(trust_pin_remove(NULL, "nowhere", 5900, &removed, &err) && !removed);
    CHECK_EQ_INT(mode_of(sub), -1);

    CHECK(put(NULL, "Host.Example", 5901, "sha256:" HEX_B, "CN=host.example"));
    CHECK_EQ_INT(mode_of(store), 0600);
    CHECK_EQ_INT(mode_of(sub), 0700);
    in_dir(sub, sizeof sub, "deep/er");
    CHECK_EQ_INT(mode_of(sub), 0700);
    umask(old);

    struct trust_pin p;
    bool found = false;
    time_t before = time(NULL);
    CHECK(trust_pin_get(NULL, "HOST.example", 5901, &p, &found, &err) && found);
    CHECK_EQ_STR(p.host, "host.example");
    CHECK_EQ_INT(p.port, 5901);
    CHECK_EQ_STR(p.fingerprint, FP_B);
    CHECK_EQ_STR(p.subject, "CN=host.example");
    CHECK(p.added > before - 60 && p.added <= before + 1);
    CHECK_EQ_STR(get_fp(store, "host.example", 5902), ""); /* another port */
    CHECK_EQ_STR(get_fp(store, "other.example", 5901), "");

    /* Replace, then IPv6 in two spellings, then a list sorted by host and port. */
    CHECK(put(store, "host.EXAMPLE", 5901, FP_A, ""));
    CHECK_EQ_STR(get_fp(store, "host.example", 5901), FP_A);
    CHECK(put(NULL, "[0:0::1]", 443, FP_B, "CN=loopback"));
    CHECK_EQ_STR(get_fp(NULL, "::1", 443), FP_B);
    CHECK_EQ_STR(get_fp(NULL, "[0:0:0:0:0:0:0:1]", 443), FP_B);
    CHECK(put(NULL, "host.example", 100, FP_B, ""));
    CHECK(put(NULL, "a.example", 6000, FP_B, ""));
    CHECK(trust_pin_list(NULL, &pins, &n, &err));
    CHECK_EQ_INT(n, 4);
    if (n == 4) {
        CHECK_EQ_STR(pins[0].host, "::1");
        CHECK_EQ_STR(pins[1].host, "a.example");
        CHECK_EQ_STR(pins[2].host, "host.example");
        CHECK_EQ_INT(pins[2].port, 100);
        CHECK_EQ_INT(pins[3].port, 5901);
        CHECK_EQ_STR(pins[3].fingerprint, FP_A);
        CHECK_EQ_STR(pins[3].subject, "");
        CHECK_EQ_STR(pins[0].subject, "CN=loopback");
    }
    free(pins);

    /* Host names are data, never SQL. */
    CHECK(put(NULL, "x');DROP-TABLE-pins;--", 1, FP_A, "'"));
    CHECK_EQ_STR(get_fp(NULL, "X');drop-table-pins;--", 1), FP_A);

    CHECK(trust_pin_remove(NULL, "HOST.example", 5901, &removed, &err) && removed);
    CHECK(trust_pin_remove(NULL, "host.example", 5901, &removed, &err) && !removed);
    CHECK_EQ_STR(get_fp(NULL, "host.example", 5901), "");
    CHECK_EQ_STR(get_fp(NULL, "host.example", 100), FP_B);

    /* Refused before touching the store. */
    struct trust_pin bad = {.host = "h", .port = 70000, .fingerprint = FP_A};
    CHECK(!trust_pin_put(NULL, &bad, &err) && err.code == VV_ERR_USAGE);
    bad.port = 1;
    snprintf(bad.fingerprint, sizeof bad.fingerprint, "SHA256:AB");
    CHECK(!trust_pin_put(NULL, &bad, &err) && err.code == VV_ERR_USAGE);

    /* A store others could read is made private again. */
    CHECK(chmod(store, 0644) == 0);
    CHECK_EQ_STR(get_fp(NULL, "host.example", 100), FP_B);
    CHECK_EQ_INT(mode_of(store), 0600);
}

/* Every operation on path fails with VV_ERR_STORE, names the file and says `needle`, and the
 * file's bytes are what they were. */
static void expect_refused(const char *path, const char *needle)
{
    size_t n0, n1;
    char *before = slurp(path, &n0);
    int mode = mode_of(path);
    struct vv_error err = {0};
    struct trust_pin p = {.host = "h", .port = 1, .fingerprint = FP_A}, *pins = NULL;
    bool found, removed;
    size_t n;

    CHECK_MSG(!trust_pin_get(path, "h", 1, &p, &found, &err), "%s: get succeeded", path);
    CHECK_EQ_INT(err.code, VV_ERR_STORE);
    CHECK_MSG(strstr(err.message, path) && strstr(err.message, needle) &&
                  strstr(err.message, "move it away"),
              "message: %s", err.message);
    vv_error_clear(&err);
    CHECK(!trust_pin_put(path, &p, &err) && err.code == VV_ERR_STORE);
    vv_error_clear(&err);
    CHECK(!trust_pin_remove(path, "h", 1, &removed, &err) && err.code == VV_ERR_STORE);
    vv_error_clear(&err);
    CHECK(!trust_pin_list(path, &pins, &n, &err) && err.code == VV_ERR_STORE && !pins);
    CHECK(store_open(path, true, &err) == NULL && err.code == VV_ERR_STORE);

    char *after = slurp(path, &n1);
    CHECK_MSG(before && after && n0 == n1 && memcmp(before, after, n0) == 0,
              "%s changed (%zu -> %zu bytes)", path, n0, n1);
    CHECK_MSG(mode_of(path) == mode, "%s: mode changed from %o to %o", path, mode, mode_of(path));
    char journal[320];
    snprintf(journal, sizeof journal, "%s-journal", path);
    CHECK_MSG(access(journal, F_OK) != 0, "%s left behind", journal);
    free(before);
    free(after);
}

static void test_damaged(void)
{
    char path[300], good[300];
    unsigned char junk[8192];
    for (size_t i = 0; i < sizeof junk; i++)
        junk[i] = (unsigned char)(i * 7919 % 251 + 3);
    in_dir(path, sizeof path, "garbage.db");
    write_bytes(path, junk, sizeof junk);
    expect_refused(path, "is damaged (file is not a database)");

    /* SQLite's own header followed by garbage. */
    memcpy(junk, "SQLite format 3", 16);
    in_dir(path, sizeof path, "header.db");
    write_bytes(path, junk, sizeof junk);
    expect_refused(path, "is damaged");

    /* A real store with enough pins for many pages, cut short at several places. */
    in_dir(good, sizeof good, "good.db");
    char subject[256];
    memset(subject, 'S', 250);
    subject[250] = '\0';
    for (int i = 0; i < 48; i++) {
        char host[64];
        snprintf(host, sizeof host, "host-%03d.with-a-long-name.example", i);
        put(good, host, 5900 + i, i % 2 ? FP_A : FP_B, subject);
    }
    size_t n;
    char *bytes = slurp(good, &n);
    CHECK(bytes && n >= 5 * 4096);
    const size_t cuts[] = {50, 4096, 2 * 4096, n / 2 + 512, n - 4096, n - 4096 + 1000};
    for (size_t i = 0; bytes && i < sizeof cuts / sizeof cuts[0]; i++) {
        snprintf(path, sizeof path, "%s/cut-%zu.db", dir, cuts[i]);
        write_bytes(path, bytes, cuts[i]);
        expect_refused(path, "is damaged");
    }
    free(bytes);

    /* An empty file (made by us before SQLite wrote to it) is an empty store, not damage. */
    in_dir(path, sizeof path, "empty.db");
    write_bytes(path, "", 0);
    CHECK_EQ_STR(get_fp(path, "h", 1), "");
    struct stat st;
    CHECK(stat(path, &st) == 0 && st.st_size == 0); /* reading did not write */
    CHECK(put(path, "h", 1, FP_A, ""));
    CHECK_EQ_STR(get_fp(path, "h", 1), FP_A);

    /* A directory where the file should be. */
    in_dir(path, sizeof path, "adir.db");
    CHECK(mkdir(path, 0700) == 0);
    struct vv_error err = {0};
    struct trust_pin p = {.host = "h", .port = 1, .fingerprint = FP_A};
    CHECK(!trust_pin_put(path, &p, &err) && err.code == VV_ERR_STORE &&
          strstr(err.message, "not a regular file"));
}

/* Runs sql on a store directly, as another program (or a newer vncview) would. */
static void exec_sql(const char *path, const char *sql)
{
    sqlite3 *db = NULL;
    CHECK(sqlite3_open(path, &db) == SQLITE_OK);
    CHECK_MSG(sqlite3_exec(db, sql, NULL, NULL, NULL) == SQLITE_OK, "%s", sqlite3_errmsg(db));
    sqlite3_close(db);
}

static void test_foreign_and_future(void)
{
    char path[300];
    in_dir(path, sizeof path, "future.db");
    CHECK(put(path, "h", 1, FP_A, ""));
    exec_sql(path, "UPDATE meta SET value = 99 WHERE key = 'schema_version';"
                   "CREATE TABLE bookmarks_v99(x);");
    expect_refused(path, "was written by a newer vncview (schema version 99");

    in_dir(path, sizeof path, "foreign.db");
    exec_sql(path, "CREATE TABLE something(x); INSERT INTO something VALUES(1);");
    expect_refused(path, "is not a vncview store");

    in_dir(path, sizeof path, "noversion.db");
    CHECK(put(path, "h", 1, FP_A, ""));
    exec_sql(path, "DELETE FROM meta;");
    expect_refused(path, "schema version is missing");
}

/* Not readable by us: as root, a child drops to nobody, for whom the directory is closed. */
static void test_unreadable(void)
{
    char path[300];
    in_dir(path, sizeof path, "private.db");
    CHECK(put(path, "h", 1, FP_A, ""));
    if (geteuid() != 0)
        CHECK(chmod(path, 0) == 0);
    pid_t pid = fork();
    if (pid == 0) {
        if (geteuid() == 0 && (setgid(65534) != 0 || setuid(65534) != 0))
            _exit(3);
        struct vv_error err = {0};
        struct trust_pin p;
        bool found;
        bool ok = trust_pin_get(path, "h", 1, &p, &found, &err);
        int good = !ok && err.code == VV_ERR_STORE && strstr(err.message, path) &&
                   strstr(err.message, "cannot be opened (Permission denied)");
        if (!good)
            fprintf(stderr, "unreadable store: %s\n", err.message);
        _exit(good ? 0 : 1); /* _exit: no leak check in a process that changed its user */
    }
    int status = -1;
    CHECK(pid > 0 && waitpid(pid, &status, 0) == pid);
    CHECK_MSG(WIFEXITED(status) && WEXITSTATUS(status) == 0, "child status %d", status);
    chmod(path, 0600);
    CHECK_EQ_STR(get_fp(path, "h", 1), FP_A);
}

/* A relative path is a file name, even where SQLite would read "file:..." as a URI. */
static void test_relative_path(void)
{
    char cwd[512], path[300];
    CHECK(getcwd(cwd, sizeof cwd) != NULL && chdir(dir) == 0);
    CHECK(put("file:rel.db?mode=memory", "h", 1, FP_A, ""));
    CHECK_EQ_STR(get_fp("file:rel.db?mode=memory", "h", 1), FP_A);
    CHECK(chdir(cwd) == 0);
    in_dir(path, sizeof path, "file:rel.db?mode=memory");
    CHECK_EQ_INT(mode_of(path), 0600);
}

enum { WRITERS = 4, PINS_EACH = 12 };
static char race_store[300];

/* Each writer opens the (initially missing) store for every pin: creation, migration and writes
 * all race. */
static int write_many(int who)
{
    int failures = 0;
    for (int i = 0; i < PINS_EACH; i++) {
        char host[64];
        struct trust_pin p = {.port = 5900 + i}, got;
        struct vv_error err = {0};
        bool found = false;
        snprintf(host, sizeof host, "writer%d.example", who);
        snprintf(p.host, sizeof p.host, "%s", host);
        snprintf(p.fingerprint, sizeof p.fingerprint, "%s", i % 2 ? FP_A : FP_B);
        if (!trust_pin_put(race_store, &p, &err) ||
            !trust_pin_get(race_store, host, p.port, &got, &found, &err) || !found) {
            fprintf(stderr, "writer %d, pin %d: %s\n", who, i, err.message);
            failures++;
        }
    }
    return failures;
}

static void *writer_thread(void *arg)
{
    return (void *)(intptr_t)write_many((int)(intptr_t)arg);
}

static void test_concurrent(void)
{
    snprintf(race_store, sizeof race_store, "%s/race/store.db", dir);
    pid_t pids[WRITERS];
    pthread_t threads[WRITERS];
    for (int i = 0; i < WRITERS; i++) {
        pids[i] = fork();
        if (pids[i] == 0)
            _exit(write_many(i) ? 1 : 0);
    }
    for (int i = 0; i < WRITERS; i++)
        CHECK(pthread_create(&threads[i], NULL, writer_thread, (void *)(intptr_t)(WRITERS + i)) ==
              0);
    for (int i = 0; i < WRITERS; i++) {
        void *failures = (void *)1;
        int status = -1;
        CHECK(pthread_join(threads[i], &failures) == 0 && failures == NULL);
        CHECK(pids[i] > 0 && waitpid(pids[i], &status, 0) == pids[i] && WIFEXITED(status) &&
              WEXITSTATUS(status) == 0);
    }
    struct trust_pin *pins = NULL;
    size_t n = 0;
    struct vv_error err = {0};
    CHECK_MSG(trust_pin_list(race_store, &pins, &n, &err), "%s", err.message);
    CHECK_EQ_INT(n, 2 * WRITERS * PINS_EACH);
    free(pins);
    CHECK_EQ_INT(mode_of(race_store), 0600);
}

static int remove_one(const char *path, const struct stat *st, int flag, struct FTW *ftw)
{
    (void)st, (void)flag, (void)ftw;
    return remove(path);
}

int main(void)
{
    snprintf(dir, sizeof dir, "%s/vv-trust-XXXXXX", getenv("TMPDIR") ? getenv("TMPDIR") : "/tmp");
    if (!mkdtemp(dir)) {
        perror("mkdtemp");
        return 1;
    }
    test_fingerprints();
    test_hosts();
    test_default_path();
    test_pins();
    test_damaged();
    test_foreign_and_future();
    test_unreadable();
    test_relative_path();
    test_concurrent();
    nftw(dir, remove_one, 16, FTW_DEPTH | FTW_PHYS);
    return vv_test_finish();
}
