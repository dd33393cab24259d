/* The SSH transport's questions, against an in-process libssh server on 127.0.0.1 (the tests
 * run as root, whom the system sshd lets in by key only): an unknown host key asked about and
 * remembered, a wrong then a right password, keyboard-interactive questions as prompt fields
 * (echo on = not secret), prompt time not counted against the timeout, "Accept once" not
 * asked again in the process and not written, nobody to ask = a failure naming the methods;
 * and the tunnel carrying bytes both ways, 4 MB in one go, then the server's EOF. */
#include "ssh.h"
#include "vv_test.h"

#include "plat.h"

#include <libssh/libssh.h>
#include <libssh/server.h>
#include <netinet/in.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/socket.h>
#include <unistd.h>

#define PASSWORD "right-pw"
#define BIG (4u << 20)

static char dir[] = "/tmp/vv-itest-sshauth-XXXXXX";
static ssh_bind bind_;
static int port;

static uint8_t pattern(size_t i)
{
    return (uint8_t)(i * 7 + (i >> 11));
}

/* One server connection: accepts the methods in `methods`, then one direct-tcpip channel,
 * says hello, expects "ping", sends BIG bytes of pattern() and closes. */
struct server {
    int methods;
    pthread_t thread;
    char dest[128];
    int dest_port;
    int password_tries;
    bool ping_seen;
};

static bool check_password(ssh_message m)
{
#pragma GCC diagnostic push
#pragma GCC diagnostic ignored "-Wdeprecated-declarations" /* the message API is enough here */
    const char *pw = ssh_message_auth_password(m);
#pragma GCC diagnostic pop
    return pw && strcmp(pw, PASSWORD) == 0;
}

static bool authenticate(struct server *sv, ssh_session s)
{
    for (;;) {
        ssh_message m = ssh_message_get(s);
        if (!m)
            return false;
        bool ok = false;
        if (ssh_message_type(m) == SSH_REQUEST_AUTH) {
            int sub = ssh_message_subtype(m);
            if (sub == SSH_AUTH_METHOD_PASSWORD && (sv->methods & sub)) {
                sv->password_tries++;
                ok = check_password(m);
            } else if (sub == SSH_AUTH_METHOD_INTERACTIVE && (sv->methods & sub)) {
                if (!ssh_message_auth_kbdint_is_response(m)) {
                    const char *q[2] = {"One-time code: ", "Password: "};
                    char echo[2] = {1, 0};
                    ssh_message_auth_interactive_request(m, "vncview test", "Answer both.", 2, q,
                                                         echo);
                    ssh_message_free(m);
                    continue;
                }
                const char *a0 = ssh_userauth_kbdint_getanswer(s, 0);
                const char *a1 = ssh_userauth_kbdint_getanswer(s, 1);
                ok = ssh_userauth_kbdint_getnanswers(s) == 2 && a0 && a1 &&
                     strcmp(a0, "123456") == 0 && strcmp(a1, PASSWORD) == 0;
            }
            if (ok) {
                ssh_message_auth_reply_success(m, 0);
                ssh_message_free(m);
                return true;
            }
            ssh_message_auth_set_methods(m, sv->methods);
        }
        ssh_message_reply_default(m);
        ssh_message_free(m);
    }
}

static void *server_main(void *arg)
{
    struct server *sv = arg;
    ssh_session s = ssh_new();
    ssh_channel ch = NULL;
    if (ssh_bind_accept(bind_, s) != SSH_OK || ssh_handle_key_exchange(s) != SSH_OK ||
        !authenticate(sv, s))
        goto out;
    for (ssh_message m; !ch && (m = ssh_message_get(s)) != NULL; ssh_message_free(m)) {
        if (ssh_message_type(m) == SSH_REQUEST_CHANNEL_OPEN &&
            ssh_message_subtype(m) == SSH_CHANNEL_DIRECT_TCPIP) {
            snprintf(sv->dest, sizeof sv->dest, "%s",
                     ssh_message_channel_request_open_destination(m));
            sv->dest_port = ssh_message_channel_request_open_destination_port(m);
            ch = ssh_message_channel_request_open_reply_accept(m);
        } else {
            ssh_message_reply_default(m);
        }
    }
    if (!ch)
        goto out;
    ssh_channel_write(ch, "hello\n", 6);
    char buf[8] = "";
    int got = 0, r;
    while (got < 4 && (r = ssh_channel_read(ch, buf + got, (uint32_t)(4 - got), 0)) > 0)
        got += r;
    sv->ping_seen = got == 4 && memcmp(buf, "ping", 4) == 0;
    uint8_t *big = malloc(BIG);
    for (size_t i = 0; big && i < BIG; i++)
        big[i] = pattern(i);
    for (size_t off = 0; big && off < BIG;) {
        int w = ssh_channel_write(ch, big + off, 65536);
        if (w <= 0)
            break;
        off += (size_t)w;
    }
    free(big);
    ssh_channel_send_eof(ch);
    /* Until the client closes: hanging up first could reset the TCP connection under data the
     * client has not read yet. */
    char x;
    ssh_channel_read_timeout(ch, &x, 1, 0, 10000);
    ssh_channel_close(ch);
    ssh_channel_free(ch);
out:
    ssh_disconnect(s);
    ssh_free(s);
    return NULL;
}

/* A scripted user: answers from a list, records what was asked. */
struct user {
    int asked[8], n;
    char messages[8][1024];
    bool kbd_secret[2];
    int kbd_fields;
    const char *passwords[3];
    int hostkey_choice;
    int sleep_ms; /* thinking time, longer than the timeout */
};

static char *dup_str(const char *s)
{
    char *d = malloc(strlen(s) + 1);
    if (d)
        strcpy(d, s);
    return d;
}

static int ask(void *ctx, struct prompt *p)
{
    struct user *u = ctx;
    int i = u->n < 8 ? u->n++ : 7;
    u->asked[i] = p->kind;
    snprintf(u->messages[i], sizeof u->messages[i], "%s", p->message);
    usleep((useconds_t)u->sleep_ms * 1000);
    switch (p->kind) {
    case PROMPT_SSH_HOSTKEY:
        return u->hostkey_choice;
    case PROMPT_SSH_PASSWORD: {
        int k = 0;
        for (int j = 0; j < i; j++)
            k += u->asked[j] == PROMPT_SSH_PASSWORD;
        if (k >= 3 || !u->passwords[k])
            return -1;
        p->fields[0].value = dup_str(u->passwords[k]);
        return 0;
    }
    case PROMPT_SSH_KBDINT:
        u->kbd_fields = p->nfields;
        for (int j = 0; j < p->nfields && j < 2; j++)
            u->kbd_secret[j] = p->fields[j].secret;
        if (p->nfields == 2) {
            p->fields[0].value = dup_str("123456");
            p->fields[1].value = dup_str(PASSWORD);
        }
        return 0;
    default:
        return -1;
    }
}

static const char *config_name = "config";

static struct transport *open_via(struct server *sv, struct user *u, bool interactive,
                                  int timeout_ms, struct ssh_info *info, struct vv_error *e)
{
    char spec[64], cfg[128];
    snprintf(spec, sizeof spec, "tester@127.0.0.1:%d", port);
    snprintf(cfg, sizeof cfg, "%s/%s", dir, config_name);
    struct ssh_params p = {spec, cfg, NULL};
    struct prompter pr = {ask, u, interactive};
    pthread_create(&sv->thread, NULL, server_main, sv);
    vv_error_clear(e);
    return ssh_tunnel_open(&p, "localhost", 5901, &pr, timeout_ms, -1, info, e);
}

static void test_password_and_data(void)
{
    struct server sv = {.methods = SSH_AUTH_METHOD_PASSWORD};
    struct user u = {.passwords = {"wrong-pw", PASSWORD}, .hostkey_choice = 1, .sleep_ms = 700};
    struct ssh_info info;
    struct vv_error e;
    uint64_t start = plat_now_ms();
    /* 1 s timeout, 3 questions of 0.7 s each: only works if prompts do not count. */
    struct transport *t = open_via(&sv, &u, true, 1000, &info, &e);
    CHECK_MSG(t != NULL, "%s", e.message);
    CHECK_MSG(plat_now_ms() - start >= 2100, "3 prompts took under 2.1 s?");
    CHECK_EQ_INT(u.n, 3);
    CHECK_EQ_INT(u.asked[0], PROMPT_SSH_HOSTKEY);
    CHECK_EQ_INT(u.asked[1], PROMPT_SSH_PASSWORD);
    CHECK_EQ_INT(u.asked[2], PROMPT_SSH_PASSWORD);
    CHECK(strstr(u.messages[2], "try again") != NULL);
    CHECK(strstr(u.messages[1], "tester") != NULL);
    CHECK(!info.host_key_known && info.host_key_added);
    CHECK(strncmp(info.host_key_fp, "SHA256:", 7) == 0 && strlen(info.host_key_fp) == 50);
    char want[64];
    snprintf(want, sizeof want, "tester@127.0.0.1:%d", port);
    CHECK_EQ_STR(info.bastion, want);
    if (t) {
        char hello[7] = "";
        uint64_t dl = plat_now_ms() + 5000;
        CHECK(transport_read_full(t, hello, 6, dl, -1, "hello", &e) &&
              memcmp(hello, "hello\n", 6) == 0);
        CHECK(transport_write_full(t, "ping", 4, dl, -1, &e));
        uint8_t *big = malloc(BIG);
        bool ok = big && transport_read_full(t, big, BIG, dl, -1, "the 4 MB", &e);
        CHECK_MSG(ok, "%s", e.message);
        size_t bad = 0;
        for (size_t i = 0; ok && i < BIG; i++)
            bad += big[i] != pattern(i);
        CHECK_EQ_INT(bad, 0);
        free(big);
        char more;
        CHECK(!transport_read_full(t, &more, 1, dl, -1, "EOF", &e)); /* the server closed */
        CHECK_EQ_INT(e.code, VV_ERR_CLOSED);
        transport_close(t);
    }
    pthread_join(sv.thread, NULL);
    CHECK_EQ_INT(sv.password_tries, 2);
    CHECK_EQ_STR(sv.dest, "localhost");
    CHECK_EQ_INT(sv.dest_port, 5901);
    CHECK(sv.ping_seen);
}

static void test_kbdint_known_key(void)
{
    struct server sv = {.methods = SSH_AUTH_METHOD_INTERACTIVE};
    struct user u = {.hostkey_choice = 2};
    struct ssh_info info;
    struct vv_error e;
    struct transport *t = open_via(&sv, &u, true, 5000, &info, &e);
    CHECK_MSG(t != NULL, "%s", e.message);
    CHECK_EQ_INT(u.n, 1); /* the host key is known now: only the login question */
    CHECK_EQ_INT(u.asked[0], PROMPT_SSH_KBDINT);
    CHECK_EQ_INT(u.kbd_fields, 2);
    CHECK(!u.kbd_secret[0] && u.kbd_secret[1]);
    CHECK(strstr(u.messages[0], "Answer both.") != NULL);
    CHECK(info.host_key_known && !info.host_key_added);
    transport_close(t);
    pthread_join(sv.thread, NULL);
}

/* "Accept once" is not written anywhere, and not asked again within the process (a VNC
 * password retry opens a new tunnel). */
static void test_accept_once(void)
{
    config_name = "config-once";
    for (int round = 0; round < 2; round++) {
        struct server sv = {.methods = SSH_AUTH_METHOD_PASSWORD};
        struct user u = {.passwords = {PASSWORD}, .hostkey_choice = 0};
        struct ssh_info info;
        struct vv_error e;
        struct transport *t = open_via(&sv, &u, true, 5000, &info, &e);
        CHECK_MSG(t != NULL, "%s", e.message);
        CHECK_EQ_INT(u.n, round == 0 ? 2 : 1);
        CHECK_EQ_INT(u.asked[0], round == 0 ? PROMPT_SSH_HOSTKEY : PROMPT_SSH_PASSWORD);
        CHECK(!info.host_key_known && !info.host_key_added);
        transport_close(t);
        pthread_join(sv.thread, NULL);
    }
    char path[256];
    snprintf(path, sizeof path, "%s/kh-once", dir);
    CHECK(access(path, F_OK) != 0);
    config_name = "config";
}

static void test_nobody_to_ask(void)
{
    struct server sv = {.methods = SSH_AUTH_METHOD_PASSWORD | SSH_AUTH_METHOD_INTERACTIVE};
    struct user u = {0};
    struct ssh_info info;
    struct vv_error e;
    struct transport *t = open_via(&sv, &u, false, 5000, &info, &e);
    CHECK(t == NULL);
    transport_close(t);
    CHECK_EQ_INT(u.n, 0);
    CHECK_EQ_INT(e.code, VV_ERR_SSH_AUTH);
    CHECK_MSG(strstr(e.message, "refused every method we tried (keyboard-interactive: nobody to "
                                "answer; password: none given); the server accepts: "
                                "keyboard-interactive, password") != NULL,
              "'%s'", e.message);
    pthread_join(sv.thread, NULL);
}

int main(void)
{
    plat_ignore_sigpipe();
    if (!mkdtemp(dir)) {
        perror("mkdtemp");
        return 1;
    }
    setenv("HOME", dir, 1);
    unsetenv("SSH_AUTH_SOCK");
    char path[256];
    snprintf(path, sizeof path, "%s/config", dir);
    FILE *f = fopen(path, "w");
    if (f) {
        fprintf(f, "Host *\n    UserKnownHostsFile %s/known_hosts\n", dir);
        fclose(f);
    }
    snprintf(path, sizeof path, "%s/config-once", dir);
    if ((f = fopen(path, "w")) != NULL) {
        fprintf(f, "Host *\n    UserKnownHostsFile %s/kh-once\n", dir);
        fclose(f);
    }
    ssh_key key = NULL;
    int p0 = 0;
    bind_ = ssh_bind_new();
    CHECK(ssh_pki_generate(SSH_KEYTYPE_ED25519, 0, &key) == SSH_OK);
    ssh_bind_options_set(bind_, SSH_BIND_OPTIONS_BINDADDR, "127.0.0.1");
    ssh_bind_options_set(bind_, SSH_BIND_OPTIONS_BINDPORT, &p0);
    ssh_bind_options_set(bind_, SSH_BIND_OPTIONS_IMPORT_KEY, key);
    if (ssh_bind_listen(bind_) != SSH_OK) {
        fprintf(stderr, "cannot listen: %s\n", ssh_get_error(bind_));
        return 1;
    }
    struct sockaddr_storage sa;
    socklen_t len = sizeof sa;
    getsockname(ssh_bind_get_fd(bind_), (struct sockaddr *)&sa, &len);
    port = ntohs(((struct sockaddr_in *)&sa)->sin_port);
    test_password_and_data();
    test_kbdint_known_key();
    test_accept_once();
    test_nobody_to_ask();
    ssh_bind_free(bind_);
    char cmd[300];
    snprintf(cmd, sizeof cmd, "rm -rf '%s'", dir);
    if (system(cmd) != 0)
        fprintf(stderr, "could not remove %s\n", dir);
    return vv_test_finish();
}
