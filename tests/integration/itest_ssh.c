/* The SSH transport's failures that need no sshd, against scripted peers on 127.0.0.1: a
 * silent server times out at the deadline and naming the step, the cancel fd ends the wait at
 * once, a closed port is "refused" naming the SSH server, a server that is no SSH server is
 * reported as such, a name that does not resolve is a DNS error naming the SSH server, and a
 * missing --ssh-config is a usage error. HOME is a fresh directory. */
#include "ssh.h"
#include "vv_test.h"

#include "plat.h"

#include <netinet/in.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/socket.h>
#include <unistd.h>

static char home[] = "/tmp/vv-itest-ssh-XXXXXX";

struct peer {
    int lfd, port;
    const char *greeting; /* sent on accept, then the connection is closed; NULL: silent */
    pthread_t thread;
};

static void *peer_main(void *arg)
{
    struct peer *p = arg;
    int c = accept(p->lfd, NULL, NULL);
    if (c < 0)
        return NULL;
    if (p->greeting) { /* as a web server would: answer and hang up */
        if (send(c, p->greeting, strlen(p->greeting), MSG_NOSIGNAL) < 0)
            perror("send");
    } else {
        char buf[256];
        while (recv(c, buf, sizeof buf, 0) > 0)
            ; /* read the client's banner, answer nothing */
    }
    close(c);
    return NULL;
}

static bool peer_start(struct peer *p, const char *greeting)
{
    struct sockaddr_in a = {0};
    a.sin_family = AF_INET;
    a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    socklen_t len = sizeof a;
    p->greeting = greeting;
    p->lfd = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
    if (p->lfd < 0 || bind(p->lfd, (struct sockaddr *)&a, sizeof a) != 0 || listen(p->lfd, 2) ||
        getsockname(p->lfd, (struct sockaddr *)&a, &len) != 0)
        return false;
    p->port = ntohs(a.sin_port);
    return pthread_create(&p->thread, NULL, peer_main, p) == 0;
}

static void peer_stop(struct peer *p)
{
    shutdown(p->lfd, SHUT_RDWR); /* wakes accept() if nobody connected */
    pthread_join(p->thread, NULL);
    close(p->lfd);
}

/* Opens a tunnel to spec (SSH server) with no prompter; returns the error code, ms taken. */
static int open_tunnel(const char *spec, const char *config, int timeout_ms, int cancel_fd,
                       struct vv_error *err, uint64_t *ms)
{
    struct ssh_params p = {spec, config, NULL};
    struct ssh_info info;
    vv_error_clear(err);
    uint64_t start = plat_now_ms();
    struct transport *t =
        ssh_tunnel_open(&p, "localhost", 5901, NULL, timeout_ms, cancel_fd, &info, err);
    *ms = plat_now_ms() - start;
    if (t) {
        transport_close(t);
        return VV_OK;
    }
    return err->code;
}

static void test_timeout(void)
{
    struct peer p;
    struct vv_error e;
    uint64_t ms;
    char spec[64], want[128];
    CHECK(peer_start(&p, NULL));
    snprintf(spec, sizeof spec, "root@127.0.0.1:%d", p.port);
    CHECK_EQ_INT(open_tunnel(spec, NULL, 800, -1, &e, &ms), VV_ERR_TIMEOUT);
    CHECK_MSG(ms >= 750 && ms < 2500, "timed out after %llu ms", (unsigned long long)ms);
    snprintf(want, sizeof want, "127.0.0.1:%d did not complete the SSH handshake", p.port);
    CHECK_MSG(strstr(e.message, want) != NULL, "'%s'", e.message);
    peer_stop(&p);
}

struct canceller {
    int fd, after_ms;
};

static void *cancel_main(void *arg)
{
    struct canceller *c = arg;
    usleep((useconds_t)c->after_ms * 1000);
    if (write(c->fd, "x", 1) != 1)
        perror("write");
    return NULL;
}

static void test_cancel(void)
{
    struct peer p;
    struct vv_error e;
    uint64_t ms;
    char spec[64];
    int pfd[2];
    CHECK(pipe(pfd) == 0);
    CHECK(peer_start(&p, NULL));
    snprintf(spec, sizeof spec, "127.0.0.1:%d", p.port);
    struct canceller c = {pfd[1], 300};
    pthread_t th;
    pthread_create(&th, NULL, cancel_main, &c);
    CHECK_EQ_INT(open_tunnel(spec, NULL, 20000, pfd[0], &e, &ms), VV_ERR_CANCELLED);
    CHECK_MSG(ms >= 250 && ms < 1500, "cancelled after %llu ms", (unsigned long long)ms);
    pthread_join(th, NULL);
    close(pfd[0]);
    close(pfd[1]);
    peer_stop(&p);
}

static void test_refused(void)
{
    struct peer p;
    struct vv_error e;
    uint64_t ms;
    char spec[64], want[128];
    CHECK(peer_start(&p, "x"));
    int port = p.port;
    peer_stop(&p); /* closed: nothing listens there now */
    snprintf(spec, sizeof spec, "root@127.0.0.1:%d", port);
    CHECK_EQ_INT(open_tunnel(spec, NULL, 5000, -1, &e, &ms), VV_ERR_REFUSED);
    snprintf(want, sizeof want, "SSH server 127.0.0.1:%d refused the connection", port);
    CHECK_MSG(strstr(e.message, want) != NULL, "'%s'", e.message);
    CHECK_MSG(ms < 1000, "refusal took %llu ms", (unsigned long long)ms);
}

static void test_not_ssh(void)
{
    struct peer p;
    struct vv_error e;
    uint64_t ms;
    char spec[64], want[64];
    CHECK(peer_start(&p, "HTTP/1.0 400 Bad Request\r\n\r\n"));
    snprintf(spec, sizeof spec, "127.0.0.1:%d", p.port);
    int code = open_tunnel(spec, NULL, 5000, -1, &e, &ms);
    CHECK_MSG(code == VV_ERR_CLOSED || code == VV_ERR_PROTOCOL, "code %d: %s", code, e.message);
    snprintf(want, sizeof want, "127.0.0.1:%d", p.port);
    CHECK_MSG(strstr(e.message, want) != NULL, "'%s'", e.message);
    CHECK_MSG(ms < 4000, "took %llu ms", (unsigned long long)ms);
    peer_stop(&p);
}

static void test_dns(void)
{
    struct vv_error e;
    uint64_t ms;
    /* .invalid never resolves (RFC 6761); offline resolvers fail with EAI_AGAIN: also DNS. */
    CHECK_EQ_INT(open_tunnel("root@nonexistent.invalid", NULL, 5000, -1, &e, &ms), VV_ERR_DNS);
    CHECK_MSG(strstr(e.message, "SSH server nonexistent.invalid:22: cannot resolve") != NULL,
              "'%s'", e.message);
}

static void test_usage(void)
{
    struct vv_error e;
    uint64_t ms;
    char cfg[128];
    snprintf(cfg, sizeof cfg, "%s/no-such-config", home);
    CHECK_EQ_INT(open_tunnel("127.0.0.1:22", cfg, 5000, -1, &e, &ms), VV_ERR_USAGE);
    CHECK_MSG(strstr(e.message, "--ssh-config") != NULL, "'%s'", e.message);
    CHECK_EQ_INT(open_tunnel("bad host", NULL, 5000, -1, &e, &ms), VV_ERR_USAGE);
}

int main(void)
{
    plat_ignore_sigpipe();
    if (!mkdtemp(home)) {
        perror("mkdtemp");
        return 1;
    }
    setenv("HOME", home, 1); /* never the developer's ~/.ssh */
    test_timeout();
    test_cancel();
    test_refused();
    test_not_ssh();
    test_dns();
    test_usage();
    char cmd[300];
    snprintf(cmd, sizeof cmd, "rm -rf '%s'", home);
    if (system(cmd) != 0)
        fprintf(stderr, "could not remove %s\n", home);
    return vv_test_finish();
}
