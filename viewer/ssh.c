/* The SSH tunnel transport: configure libssh from the ssh config, connect to the SSH server
 * (our own TCP connect for classified errors, or libssh's ProxyCommand/ProxyJump), then host
 * key, authentication and a direct-tcpip channel, all non-blocking against a deadline and the
 * cancel fd; the channel is then the session's byte stream. */
#include "ssh_int.h"

#include "log.h"
#include "plat.h"

#include <errno.h>
#include <libssh/callbacks.h>
#include <fcntl.h>
#include <limits.h>
#include <poll.h>
#include <pwd.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#define WAIT_SLICE_MS 50 /* libssh may have work to do without the socket turning ready */

/* The socket we connected and gave libssh (fd -1 when libssh made its own). libssh closes
 * it itself when the connection fails, and forgets it unclosed on disconnect; its identity
 * tells whether the number is still ours to close. */
struct own_sock {
    int fd;
    dev_t dev;
    ino_t ino;
};

struct sshtun {
    struct transport t; /* first: the pump holds a struct transport * */
    ssh_session session;
    ssh_channel channel;
    struct own_sock sock;
};

bool ssh_spec_check(const char *spec, struct vv_error *err)
{
    struct sshcfg_spec s;
    return sshcfg_parse_spec(spec, &s, err);
}

bool sshconn_cancelled(const struct sshconn *c)
{
    struct pollfd pf = {c->cancel_fd, POLLIN, 0};
    return c->cancel_fd >= 0 && poll(&pf, 1, 0) > 0 && (pf.revents & POLLIN);
}

bool sshconn_wait(struct sshconn *c, const char *what, struct vv_error *err)
{
    uint64_t now = plat_now_ms();
    if (now >= c->deadline) {
        vv_error_set(err, VV_ERR_TIMEOUT,
                     "the SSH server %s did not complete %s within %d s (see --timeout)",
                     c->hostport, what, c->timeout_ms / 1000);
        return false;
    }
    int slice = c->deadline - now < WAIT_SLICE_MS ? (int)(c->deadline - now) : WAIT_SLICE_MS;
    /* POLLIN only: libssh keeps POLLOUT in its poll flags after every write, and what it
     * rarely leaves unsent is retried within a slice. A negative fd (no socket yet: the
     * ProxyCommand is starting) is ignored by poll(): then we just sleep a slice. */
    struct pollfd pf[2] = {{ssh_get_fd(c->session), POLLIN, 0}, {c->cancel_fd, POLLIN, 0}};
    if (poll(pf, 2, slice) > 0 && c->cancel_fd >= 0 && (pf[1].revents & POLLIN)) {
        vv_error_set(err, VV_ERR_CANCELLED, "cancelled while connecting to the SSH server %s",
                     c->hostport);
        return false;
    }
    return true;
}

int sshconn_ask(struct sshconn *c, struct prompt *p)
{
    uint64_t start = plat_now_ms();
    int r = prompt_ask(c->pr, p);
    c->deadline += plat_now_ms() - start;
    return r;
}

void sshconn_short_path(const struct sshconn *c, const char *path, char *out, size_t size)
{
    size_t h = strlen(c->home);
    if (h > 1 && strncmp(path, c->home, h) == 0 && path[h] == '/')
        snprintf(out, size, "~%s", path + h);
    else
        snprintf(out, size, "%s", path);
}

static void libssh_log(int priority, const char *function, const char *buffer, void *userdata)
{
    (void)priority, (void)function, (void)userdata;
    log_debug("libssh: %s", buffer);
}

static void local_user(char *out, size_t size)
{
    char buf[1024];
    struct passwd pw, *res = NULL;
    const char *u = getenv("USER");
    if (getpwuid_r(getuid(), &pw, buf, sizeof buf, &res) == 0 && res)
        u = res->pw_name;
    snprintf(out, size, "%s", u && *u ? u : "unknown");
}

/* libssh options from the spec and the ssh config; the command line's user and port win. */
static bool configure(struct sshconn *c, const struct ssh_params *p, const struct sshcfg_spec *sp,
                      struct vv_error *err)
{
    ssh_session s = c->session;
    char opt[SSHCFG_PATH_MAX], cfgpath[SSHCFG_PATH_MAX];
    bool no = false;
    snprintf(opt, sizeof opt, strchr(sp->host, ':') ? "[%s]" : "%s", sp->host);
    if (ssh_options_set(s, SSH_OPTIONS_HOST, opt) != 0) {
        vv_error_set(err, VV_ERR_USAGE, "--ssh: libssh does not accept the host name '%s'",
                     sp->host);
        return false;
    }
    /* ~/.ssh from HOME, not libssh's password-database home: tests and sandboxes set HOME. */
    snprintf(opt, sizeof opt, "%s/.ssh", c->home);
    ssh_options_set(s, SSH_OPTIONS_SSH_DIR, opt);
    ssh_options_set(s, SSH_OPTIONS_PROCESS_CONFIG, &no);
    snprintf(cfgpath, sizeof cfgpath, "%s", p->config_file ? p->config_file : "");
    if (!p->config_file)
        snprintf(cfgpath, sizeof cfgpath, "%s/.ssh/config", c->home);
    else if (access(cfgpath, R_OK) != 0) {
        vv_error_set(err, VV_ERR_USAGE, "--ssh-config %s: %s", cfgpath, strerror(errno));
        return false;
    }
    /* libssh reads it for everything it implements (HostName, User, Port, ProxyJump, ciphers);
     * without --ssh-config also /etc/ssh/ssh_config, as ssh does. */
    if (ssh_options_parse_config(s, p->config_file ? cfgpath : NULL) != 0) {
        vv_error_set(err, VV_ERR_USAGE, "SSH configuration %s: %s", cfgpath, ssh_get_error(s));
        return false;
    }
    if (!sshcfg_read(&c->cfg, cfgpath, sp->host, c->home, false, err))
        return false;
    if (!p->config_file &&
        !sshcfg_read(&c->cfg, "/etc/ssh/ssh_config", sp->host, c->home, true, err))
        log_warn("%s", err->message);
    if (sp->user[0])
        ssh_options_set(s, SSH_OPTIONS_USER, sp->user);
    if (sp->port)
        ssh_options_set(s, SSH_OPTIONS_PORT, &sp->port);
    char *v = NULL;
    if (ssh_options_get(s, SSH_OPTIONS_USER, &v) != SSH_OK || !v) {
        ssh_options_set(s, SSH_OPTIONS_USER, c->local_user);
        snprintf(c->user, sizeof c->user, "%s", c->local_user);
    } else {
        snprintf(c->user, sizeof c->user, "%s", v);
    }
    ssh_string_free_char(v);
    v = NULL;
    if (ssh_options_get(s, SSH_OPTIONS_HOST, &v) == SSH_OK && v) {
        for (char *q = v; *q; q++)
            *q = (char)(*q >= 'A' && *q <= 'Z' ? *q - 'A' + 'a' : *q);
        snprintf(c->host, sizeof c->host, "%s", v);
    }
    ssh_string_free_char(v);
    unsigned port = 22;
    ssh_options_get_port(s, &port);
    c->port = (int)port;
    snprintf(c->hostport, sizeof c->hostport, strchr(c->host, ':') ? "[%s]:%d" : "%s:%d", c->host,
             c->port);
    struct sshcfg_vars vars = {c->home, c->local_user, c->user, c->host, c->port};
    if (strcmp(c->cfg.known_hosts, "none") == 0) { /* as ssh: no file; remembered keys go nowhere */
        snprintf(c->known_hosts, sizeof c->known_hosts, "/dev/null");
    } else if (c->cfg.known_hosts[0]) {
        if (!sshcfg_expand(c->cfg.known_hosts, &vars, c->known_hosts, sizeof c->known_hosts)) {
            vv_error_set(err, VV_ERR_USAGE,
                         "SSH configuration: cannot expand UserKnownHostsFile %s",
                         c->cfg.known_hosts);
            return false;
        }
    } else {
        snprintf(c->known_hosts, sizeof c->known_hosts, "%s/.ssh/known_hosts", c->home);
    }
    ssh_options_set(s, SSH_OPTIONS_KNOWNHOSTS, c->known_hosts);
    return true;
}

/* Connects to the SSH server ourselves, so that errors are classified like direct ones. */
static int connect_server(struct sshconn *c, struct vv_error *err)
{
    struct vv_address a;
    memset(&a, 0, sizeof a);
    snprintf(a.host, sizeof a.host, "%s", c->host);
    a.port = c->port;
    a.display = -1;
    uint64_t now = plat_now_ms();
    int left = c->deadline > now ? (int)(c->deadline - now) : 1;
    struct vv_error e;
    vv_error_clear(&e);
    struct transport *t = tcp_connect(&a, left, c->cancel_fd, &e);
    if (!t) {
        switch (e.code) {
        case VV_ERR_DNS:
            vv_error_set(err, e.code,
                         "SSH server %s: cannot resolve the host name '%s' (check the spelling "
                         "and HostName in the SSH config, or use an IP address)",
                         c->hostport, c->host);
            break;
        case VV_ERR_REFUSED:
            vv_error_set(err, e.code,
                         "SSH server %s refused the connection: is sshd running and listening "
                         "on port %d there?",
                         c->hostport, c->port);
            break;
        case VV_ERR_TIMEOUT:
            vv_error_set(err, e.code,
                         "SSH server %s did not answer within %d s: the host is down or a "
                         "firewall drops the traffic (see --timeout)",
                         c->hostport, c->timeout_ms / 1000);
            break;
        case VV_ERR_CANCELLED:
            vv_error_set(err, e.code, "connection to the SSH server %s cancelled", c->hostport);
            break;
        default:
            vv_error_set(err, e.code, "SSH server %s: %s", c->hostport, e.message);
        }
        return -1;
    }
    int fd = fcntl(t->fd, F_DUPFD_CLOEXEC, 0);
    transport_close(t);
    if (fd < 0)
        vv_error_set(err, VV_ERR_GENERIC, "cannot duplicate a socket: %s", strerror(errno));
    return fd;
}

static bool handshake(struct sshconn *c, bool proxied, struct vv_error *err)
{
    int rc;
    while ((rc = ssh_connect(c->session)) == SSH_AGAIN)
        if (!sshconn_wait(c, "the SSH handshake", err))
            return false;
    if (rc == SSH_OK)
        return true;
    const char *why = ssh_get_error(c->session);
    if (strstr(why, "kex error") || strstr(why, "no match for method"))
        vv_error_set(err, VV_ERR_SECURITY,
                     "the SSH server %s and vncview (libssh) have no algorithm in common: %s",
                     c->hostport, why);
    else if (proxied)
        vv_error_set(err, VV_ERR_UNREACHABLE,
                     "SSH server %s: the ProxyCommand/ProxyJump of the SSH config failed: %s",
                     c->hostport, why);
    else if (strstr(why, "mismatch") || strstr(why, "banner"))
        vv_error_set(err, VV_ERR_PROTOCOL, "%s does not speak SSH: %s", c->hostport, why);
    else
        vv_error_set(err, VV_ERR_CLOSED,
                     "%s closed the connection during the SSH handshake (is that an SSH server, "
                     "and the right port?): %s",
                     c->hostport, why);
    return false;
}

static bool open_channel(struct sshconn *c, ssh_channel ch, const char *dest, int port,
                         struct vv_error *err)
{
    char what[300];
    snprintf(what, sizeof what, "opening the tunnel to %s port %d", dest, port);
    int rc;
    while ((rc = ssh_channel_open_forward(ch, dest, port, "127.0.0.1", 0)) == SSH_AGAIN)
        if (!sshconn_wait(c, what, err))
            return false;
    if (rc == SSH_OK)
        return true;
    const char *why = ssh_get_error(c->session);
    unsigned code = 0;
    char reason[200] = "";
    const char *paren = strstr(why, "error (");
    if (strstr(why, "Channel opening failure") && paren)
        sscanf(paren, "error (%u) %199[^\n]", &code, reason);
    if (code == 1) /* SSH2_OPEN_ADMINISTRATIVELY_PROHIBITED */
        vv_error_set(err, VV_ERR_TUNNEL,
                     "the SSH server %s refused to forward to %s:%d (administratively "
                     "prohibited%s%s%s): AllowTcpForwarding or PermitOpen in its sshd_config?",
                     c->hostport, dest, port, reason[0] ? ", it says \"" : "", reason,
                     reason[0] ? "\"" : "");
    else if (code == 2) { /* SSH2_OPEN_CONNECT_FAILED */
        char hint[96];
        if (port - 5900 >= 0 && port - 5900 < 100)
            snprintf(hint, sizeof hint, "is a VNC server running on display %d there?",
                     port - 5900);
        else
            snprintf(hint, sizeof hint, "is a VNC server listening on port %d there?", port);
        vv_error_set(err, VV_ERR_TUNNEL,
                     "the SSH server %s could not connect to %s port %d (%s): %s", c->hostport,
                     dest, port, reason[0] ? reason : "connect failed", hint);
    } else
        vv_error_set(err, VV_ERR_TUNNEL,
                     "the SSH server %s did not open the tunnel to %s port %d: %s", c->hostport,
                     dest, port, why);
    return false;
}

/* ---- the transport: the pump thread's only use of the session from here on ---- */

static ssize_t tun_read(struct transport *t, void *buf, size_t n)
{
    struct sshtun *st = (struct sshtun *)t;
    size_t got = 0;
    if (n > INT_MAX)
        n = INT_MAX;
    /* Drain what libssh has decrypted and what the socket already holds, up to n: fewer trips
     * through the pump's poll for a large update. */
    while (got < n) {
        int r =
            ssh_channel_read_nonblocking(st->channel, (char *)buf + got, (uint32_t)(n - got), 0);
        if (r > 0) {
            got += (size_t)r;
            continue;
        }
        if (got)
            break;
        if (r == SSH_EOF || ssh_channel_is_eof(st->channel))
            return 0;
        if (r == SSH_ERROR || !ssh_is_connected(st->session)) {
            log_debug("SSH tunnel read: %s", ssh_get_error(st->session));
            return -ECONNRESET;
        }
        return -EAGAIN;
    }
    return (ssize_t)got;
}

static ssize_t tun_write(struct transport *t, const void *buf, size_t n)
{
    struct sshtun *st = (struct sshtun *)t;
    /* Output libssh could not hand to the kernel yet is back-pressure: nothing more until it
     * is gone (a zero timeout makes this a non-blocking attempt that also reads what came). */
    int f = ssh_blocking_flush(st->session, 0);
    if (f == SSH_ERROR)
        return -ECONNRESET;
    if (f == SSH_AGAIN)
        return -EAGAIN;
    uint32_t window = ssh_channel_window_size(st->channel);
    if (n > window && window > 0)
        n = window; /* never more than the peer lets us send: the rest would wait inside */
    if (n > INT_MAX)
        n = INT_MAX;
    int r = ssh_channel_write(st->channel, buf, (uint32_t)n);
    if (r == SSH_ERROR) {
        log_debug("SSH tunnel write: %s", ssh_get_error(st->session));
        return ssh_channel_is_closed(st->channel) ? -EPIPE : -ECONNRESET;
    }
    return r > 0 ? r : -EAGAIN; /* 0: the window is shut until the server adjusts it */
}

static bool tun_pending(struct transport *t)
{
    struct sshtun *st = (struct sshtun *)t;
    /* > 0: decrypted bytes wait in libssh. EOF and errors count too: the socket may never turn
     * readable again, and read() is what reports them. */
    int r = ssh_channel_poll(st->channel, 0);
    return r > 0 || r == SSH_EOF || r == SSH_ERROR;
}

static void end_session(ssh_session s, ssh_channel ch, const struct own_sock *sock)
{
    if (ch)
        ssh_channel_free(ch);
    ssh_disconnect(s);
    ssh_free(s);
    struct stat st;
    if (sock->fd >= 0 && fstat(sock->fd, &st) == 0 && st.st_dev == sock->dev &&
        st.st_ino == sock->ino)
        close(sock->fd);
}

static void tun_close(struct transport *t)
{
    struct sshtun *st = (struct sshtun *)t;
    if (ssh_channel_is_open(st->channel))
        ssh_channel_close(st->channel);
    end_session(st->session, st->channel, &st->sock);
    free(st);
}

static const struct transport_ops tun_ops = {tun_read, tun_write, tun_pending, tun_close};

struct transport *ssh_tunnel_open(const struct ssh_params *p, const char *dest_host, int dest_port,
                                  const struct prompter *pr, int timeout_ms, int cancel_fd,
                                  struct ssh_info *info, struct vv_error *err)
{
    struct ssh_info local_info;
    struct sshcfg_spec spec;
    struct sshconn *c = calloc(1, sizeof *c);
    ssh_channel ch = NULL;
    struct own_sock sock = {-1, 0, 0};
    char *proxy = NULL;
    if (!info)
        info = &local_info;
    memset(info, 0, sizeof *info);
    if (!c) {
        vv_error_set(err, VV_ERR_GENERIC, "out of memory");
        return NULL;
    }
    c->pr = pr;
    c->cancel_fd = cancel_fd;
    c->timeout_ms = timeout_ms;
    c->deadline = plat_now_ms() + (uint64_t)timeout_ms;
    if (!sshcfg_parse_spec(p->spec, &spec, err))
        goto fail_nosession;
    if (!sshcfg_home(c->home, sizeof c->home)) {
        vv_error_set(err, VV_ERR_USAGE, "--ssh: cannot tell your home directory (set HOME)");
        goto fail_nosession;
    }
    local_user(c->local_user, sizeof c->local_user);
    ssh_set_log_callback(libssh_log); /* per thread in libssh 0.10 */
    ssh_set_log_level(log_get_level() >= LOG_DEBUG ? SSH_LOG_PROTOCOL : SSH_LOG_WARN);
    if (!(c->session = ssh_new())) {
        vv_error_set(err, VV_ERR_GENERIC, "cannot create an SSH session");
        goto fail_nosession;
    }
    snprintf(c->hostport, sizeof c->hostport, "%s", spec.host);
    if (!configure(c, p, &spec, err))
        goto fail;
    snprintf(info->bastion, sizeof info->bastion, "%s@%s", c->user, c->hostport);
    if (ssh_options_get(c->session, SSH_OPTIONS_PROXYCOMMAND, &proxy) == SSH_OK && proxy) {
        log_info("SSH server %s: connecting through the config's ProxyCommand/ProxyJump: %s",
                 c->hostport, proxy);
    } else {
        log_info("connecting to the SSH server %s as %s", c->hostport, c->user);
        struct stat st;
        if ((sock.fd = connect_server(c, err)) < 0)
            goto fail;
        if (fstat(sock.fd, &st) == 0) {
            sock.dev = st.st_dev;
            sock.ino = st.st_ino;
        }
        ssh_options_set(c->session, SSH_OPTIONS_FD, &sock.fd);
    }
    ssh_set_blocking(c->session, 0);
    if (!handshake(c, proxy != NULL, err) || !sshhostkey_verify(c, info, err) ||
        !sshauth_run(c, p->key_file, err))
        goto fail;
    if (!(ch = ssh_channel_new(c->session))) {
        vv_error_set(err, VV_ERR_GENERIC, "cannot create an SSH channel: %s",
                     ssh_get_error(c->session));
        goto fail;
    }
    if (!open_channel(c, ch, dest_host, dest_port, err))
        goto fail;
    struct sshtun *st = calloc(1, sizeof *st);
    if (!st) {
        vv_error_set(err, VV_ERR_GENERIC, "out of memory");
        goto fail;
    }
    st->t.ops = &tun_ops;
    st->t.fd = ssh_get_fd(c->session);
    st->session = c->session;
    st->channel = ch;
    st->sock = sock;
    snprintf(st->t.peer, sizeof st->t.peer, "%s port %d via SSH %s", dest_host, dest_port,
             c->hostport);
    snprintf(st->t.description, sizeof st->t.description, "%s port %d (SSH tunnel via %s)",
             dest_host, dest_port, info->bastion);
    log_info("SSH tunnel via %s to %s port %d (as the SSH server resolves it) is open",
             info->bastion, dest_host, dest_port);
    ssh_string_free_char(proxy);
    free(c);
    return &st->t;
fail:
    end_session(c->session, ch, &sock);
    ssh_string_free_char(proxy);
    free(c);
    return NULL;
fail_nosession:
    free(c);
    return NULL;
}
