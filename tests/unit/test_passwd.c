/* passwd_*: files made by the real vncpasswd decrypt to what was typed; bad files give
 * messages that name the file and say what to do; $VNC_PASSWORD. */
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "passwd.h"
#include "vv_test.h"

static char dir[256];

static void path_in_dir(char *buf, size_t n, const char *name)
{
    snprintf(buf, n, "%s/%s", dir, name);
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

/* Runs `vncpasswd -f > path` with input on its stdin (one line per password). */
static bool run_vncpasswd(const char *path, const char *input)
{
    char cmd[600];
    snprintf(cmd, sizeof cmd, "vncpasswd -f > '%s' 2>/dev/null", path);
    FILE *p = popen(cmd, "w");
    if (!p)
        return false;
    fputs(input, p);
    return pclose(p) == 0;
}

/* Expects path to decrypt to want. */
static void expect_password(const char *path, const char *want)
{
    struct vv_error err = {0};
    char *pw = passwd_read_vncpasswd_file(path, &err);
    CHECK_MSG(pw != NULL, "%s", err.message);
    if (pw)
        CHECK_EQ_STR(pw, want);
    passwd_free(pw);
}

/* Expects path to be refused with VV_ERR_IO, naming the file and the fix. */
static void expect_refused(const char *path, const char *also)
{
    struct vv_error err = {0};
    char *pw = passwd_read_vncpasswd_file(path, &err);
    CHECK(pw == NULL);
    passwd_free(pw);
    CHECK_EQ_INT(err.code, VV_ERR_IO);
    char fix[400];
    snprintf(fix, sizeof fix, "vncpasswd %s", path);
    CHECK_MSG(strstr(err.message, path) && strstr(err.message, fix), "%s", err.message);
    CHECK_MSG(strstr(err.message, also), "\"%s\" not in: %s", also, err.message);
}

/* Known answer, independent of the vncpasswd program: "secret" as TigerVNC 1.12 stores it. */
static void test_known_answer(void)
{
    static const unsigned char secret[8] = {0x2e, 0x2d, 0xbf, 0x57, 0x6e, 0xb0, 0x6c, 0x9e};
    char path[300];
    path_in_dir(path, sizeof path, "kat");
    write_bytes(path, secret, sizeof secret);
    expect_password(path, "secret");
    unlink(path);
}

static void test_real_vncpasswd(void)
{
    static const struct {
        const char *typed, *want;
    } cases[] = {
        {"abc", "abc"},                 /* short */
        {"secret", "secret"},           /* typical */
        {"abcdefgh", "abcdefgh"},       /* exactly 8: no NUL padding at all */
        {"abcdefghijkl", "abcdefgh"},   /* VNC uses only the first 8 */
        {"p@ss w0!", "p@ss w0!"},       /* punctuation and a space */
        {"p\xc3\xa4ss", "p\xc3\xa4ss"}, /* UTF-8 bytes pass through */
        {"", ""},                       /* empty: decrypts to all padding */
    };
    char path[300], input[64];
    path_in_dir(path, sizeof path, "pw");
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        snprintf(input, sizeof input, "%s\n", cases[i].typed);
        bool made = run_vncpasswd(path, input);
        CHECK_MSG(made, "vncpasswd -f failed for \"%s\"", cases[i].typed);
        if (made)
            expect_password(path, cases[i].want);
    }

    /* Second line: the view-only password makes a 16-byte file; the first one is ours. */
    CHECK(run_vncpasswd(path, "first1\nview22\n"));
    struct stat st;
    CHECK(stat(path, &st) == 0 && st.st_size == 16);
    expect_password(path, "first1");
    unlink(path);
}

static void test_bad_files(void)
{
    char path[300];

    path_in_dir(path, sizeof path, "missing");
    expect_refused(path, "No such file or directory");

    path_in_dir(path, sizeof path, "empty");
    write_bytes(path, "", 0);
    expect_refused(path, "0 bytes");
    unlink(path);

    path_in_dir(path, sizeof path, "seven");
    write_bytes(path, "\x01\x02\x03\x04\x05\x06\x07", 7);
    expect_refused(path, "7 bytes");
    unlink(path);

    path_in_dir(path, sizeof path, "plain");
    const char *text = "my plain text password\n";
    write_bytes(path, text, strlen(text));
    expect_refused(path, "plain-text");
    unlink(path);

    path_in_dir(path, sizeof path, "adir");
    mkdir(path, 0700);
    expect_refused(path, "Is a directory");
    rmdir(path);

    if (geteuid() != 0) { /* root reads anything */
        path_in_dir(path, sizeof path, "unreadable");
        write_bytes(path, "\x2e\x2d\xbf\x57\x6e\xb0\x6c\x9e", 8);
        chmod(path, 0);
        expect_refused(path, "Permission denied");
        unlink(path);
    }
}

static void test_env(void)
{
    setenv("VNC_PASSWORD", "from env", 1);
    char *pw = passwd_from_env();
    CHECK(pw != NULL);
    if (pw)
        CHECK_EQ_STR(pw, "from env");
    /* A copy: the caller may wipe it without touching the environment. */
    CHECK(pw != getenv("VNC_PASSWORD"));
    passwd_free(pw);
    CHECK_EQ_STR(getenv("VNC_PASSWORD"), "from env");

    setenv("VNC_PASSWORD", "", 1);
    CHECK(passwd_from_env() == NULL);
    unsetenv("VNC_PASSWORD");
    CHECK(passwd_from_env() == NULL);
    passwd_free(NULL);
}

int main(void)
{
    const char *t = getenv("TMPDIR");
    snprintf(dir, sizeof dir, "%s/vv_test_passwd.XXXXXX", t && *t ? t : "/tmp");
    if (!mkdtemp(dir)) {
        perror("mkdtemp");
        return 1;
    }
    test_known_answer();
    test_bad_files();
    test_env();
    if (system("command -v vncpasswd >/dev/null 2>&1") == 0)
        test_real_vncpasswd();
    else
        printf("SKIP real vncpasswd files: vncpasswd is not installed (Debian package "
               "tigervnc-tools)\n");
    rmdir(dir);
    return vv_test_finish();
}
