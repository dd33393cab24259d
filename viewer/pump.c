/* Transport pump: connect, handshake (with password retries), then a poll-driven relay with
 * bounded buffers in both directions and back-pressure. */
#include "pump.h"

#include "guard.h"
#include "log.h"
#include "plat.h"
#include "transport.h"

#include <errno.h>
#include <poll.h>
#include <pthread.h>
#include <sched.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#define S2C_CAP (512 * 1024)
#define C2S_CAP (64 * 1024)
#define MAX_PASSWORD_TRIES 5

/* What libvncclient reads: version 3.8, one security type (None), SecurityResult OK. */
static const uint8_t synthetic_greeting[] = "RFB 003.008\n\x01\x01\x00\x00\x00\x00";
#define SYNTHETIC_LEN (sizeof synthetic_greeting - 1)
/* What it answers and we drop: its version (12 bytes) and the chosen type (1 byte). */
#define SWALLOW_LEN 13

struct pump {
    struct pump_config cfg;
    char *password;
    pthread_t thread;
    struct plat_wake cancel;
    atomic_bool running;
    struct vv_error error;
    char security[256];
    atomic_ullong s2c_total, c2s_total;
    struct guard *guard;
    pthread_mutex_t layout_lock; /* guards layout, the guard's as of the last read */
    struct guard_layout layout;
};

static void status(struct pump *p, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
static void status(struct pump *p, const char *fmt, ...)
{
    char buf[300];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(buf, sizeof buf, fmt, ap);
    va_end(ap);
    log_info("%s", buf);
    if (p->cfg.on_status)
        p->cfg.on_status(p->cfg.ctx, buf);
}

static void drop_password(struct pump *p)
{
    if (p->password) {
        plat_wipe(p->password, strlen(p->password));
        free(p->password);
        p->password = NULL;
    }
}

static bool is_loopback(const char *host)
{
    return strcmp(host, "localhost") == 0 || strncmp(host, "127.", 4) == 0 ||
           strcmp(host, "::1") == 0;
}

/* Opens the transport: TCP to the server, or an SSH channel through the bastion. */
static struct transport *open_transport(struct pump *p, const char *name, struct ssh_info *si,
                                        struct vv_error *err)
{
    if (!p->cfg.ssh) {
        status(p, "Connecting to %s (%s)", name, p->cfg.addr.note);
        return tcp_connect(&p->cfg.addr, p->cfg.timeout_ms, p->cancel.rfd, err);
    }
    status(p, "Connecting to %s through SSH via %s", name, p->cfg.ssh->spec);
    return ssh_tunnel_open(p->cfg.ssh, p->cfg.addr.host, p->cfg.addr.port, p->cfg.prompter,
                           p->cfg.timeout_ms, p->cancel.rfd, si, err);
}

/* Connects and authenticates, asking again after a wrong password when interactive. */
static struct transport *establish(struct pump *p, struct vv_error *err)
{
    char name[300];
    addr_format(&p->cfg.addr, name, sizeof name);
    bool retry = false;
    bool insecure_ok = false; /* asked once: a password retry does not ask again */
    bool interactive = p->cfg.prompter && p->cfg.prompter->interactive;
    for (int attempt = 0;; attempt++) {
        struct ssh_info si;
        memset(&si, 0, sizeof si);
        uint64_t start = plat_now_ms();
        struct transport *t = open_transport(p, name, &si, err);
        if (!t)
            return NULL;
        status(p, "Connected to %s, negotiating security", t->peer);
        struct handshake_config hc = {
            .password = p->password,
            .password_retry = retry,
            .prompter = p->cfg.prompter,
            .sec = p->cfg.sec,
            .host = p->cfg.addr.host,
            .port = p->cfg.addr.port,
            .tunnelled = p->cfg.ssh != NULL,
            .loopback = !p->cfg.ssh && is_loopback(p->cfg.addr.host),
            /* The SSH hop had its own timeout; the VNC greeting gets a fresh one. */
            .deadline_ms = (p->cfg.ssh ? plat_now_ms() : start) + (uint64_t)p->cfg.timeout_ms,
            .cancel_fd = p->cancel.rfd,
            .insecure_confirmed = insecure_ok,
        };
        struct handshake_result res;
        bool ok = handshake_run(&t, &hc, &res, err);
        insecure_ok = res.insecure_confirmed;
        if (ok) {
            drop_password(p);
            if (p->cfg.ssh)
                snprintf(p->security, sizeof p->security, "SSH tunnel via %s (host key %s)%s%s",
                         si.bastion,
                         si.host_key_known   ? "verified"
                         : si.host_key_added ? "newly added to known_hosts"
                                             : "accepted once",
                         res.encrypted ? "; inside it: " : "",
                         res.encrypted ? res.security_text : "");
            else if (!res.encrypted && hc.loopback)
                snprintf(p->security, sizeof p->security, "NOT ENCRYPTED (loopback)");
            else
                snprintf(p->security, sizeof p->security, "%s", res.security_text);
            log_info("authenticated with %s (RFB %d.%d); session security: %s",
                     handshake_security_name(res.security), res.server_major, res.server_minor,
                     p->security);
            return t;
        }
        transport_close(t);
        drop_password(p);
        if (err->code != VV_ERR_AUTH || !interactive || attempt + 1 >= MAX_PASSWORD_TRIES)
            return NULL;
        log_warn("%s", err->message);
        retry = true;
    }
}

struct buf {
    uint8_t *data;
    size_t off, len, cap;
};

static size_t buf_room(const struct buf *b)
{
    return b->cap - b->len;
}

static void buf_compact(struct buf *b)
{
    if (b->off == b->len) {
        b->off = b->len = 0;
    } else if (b->off > b->cap / 2) {
        memmove(b->data, b->data + b->off, b->len - b->off);
        b->len -= b->off;
        b->off = 0;
    }
}

long long pump_cpu_ns(clockid_t clock)
{
    struct timespec ts;
    if (clock_gettime(clock, &ts) != 0)
        return 0;
    return (long long)ts.tv_sec * 1000000000LL + ts.tv_nsec;
}

long long pump_watchdog_allowance_ns(int w, int h)
{
    return (long long)w * (long long)h * 1000000000LL / (16LL << 20);
}

static long long budget_ns(const struct pump_watchdog *w)
{
    return (long long)(w->budget_s * 1e9) + w->allowance_ns;
}

/* True if the session thread has spent more than its budget inside one server message. */
static bool over_budget(struct pump *p)
{
    struct pump_watchdog *w = p->cfg.watchdog;
    if (!w || !w->armed)
        return false;
    long long used = pump_cpu_ns(w->clock) - w->start_ns;
    return w->armed && used > budget_ns(w);
}

/* The server-to-client buffer, in place (the guard's zero-copy mode): d[off, val) is validated
 * and waits for libvncclient, d[val, len) is a header the guard has not seen whole yet, new
 * bytes from the server land at d[len, cap). */
struct sbuf {
    uint8_t *d;
    size_t off, val, len, cap;
};

/* Checks what arrived; the guard removes in place what it truncates (over-long clipboard or
 * desktop name). False on a violation (p->error says what the server did wrong). */
static bool guard_stage(struct pump *p, struct sbuf *b)
{
    for (;;) {
        struct guard_span span;
        bool ok = guard_scan(p->guard, b->d + b->val, b->len - b->val, &span, &p->error);
        b->val += span.forward;
        if (!ok)
            return false;
        if (span.skip == 0)
            return true;
        size_t from = b->val + span.skip;
        memmove(b->d + b->val, b->d + from, b->len - from);
        b->len -= span.skip;
    }
}

/* Makes room for the server's next bytes once libvncclient has taken the front. */
static void sbuf_compact(struct sbuf *b)
{
    if (b->off == 0 || (b->off < b->val && b->off <= b->cap / 2))
        return;
    memmove(b->d, b->d + b->off, b->len - b->off);
    b->val -= b->off;
    b->len -= b->off;
    b->off = 0;
}

/* "the server sent ..." -> "the server 10.0.0.5 port 5901 sent ...". */
static void name_server(struct vv_error *e, const char *peer)
{
    const char *prefix = "the server ";
    char msg[sizeof e->message];
    if (strncmp(e->message, prefix, strlen(prefix)) == 0)
        snprintf(msg, sizeof msg, "the server %s %s", peer, e->message + strlen(prefix));
    else
        snprintf(msg, sizeof msg, "%s: %s", peer, e->message);
    snprintf(e->message, sizeof e->message, "%s", msg);
}

static void relay(struct pump *p, struct transport *t)
{
    int cfd = p->cfg.client_fd;
    struct sbuf s2c = {malloc(S2C_CAP), 0, 0, 0, S2C_CAP};
    struct buf c2s = {malloc(C2S_CAP), 0, 0, C2S_CAP};
    size_t swallow = SWALLOW_LEN;
    bool server_eof = false;
    if (!s2c.d || !c2s.data) {
        vv_error_set(&p->error, VV_ERR_GENERIC, "out of memory");
        goto done;
    }
    memcpy(s2c.d, synthetic_greeting, SYNTHETIC_LEN);
    s2c.val = s2c.len = SYNTHETIC_LEN;
    for (;;) {
        sbuf_compact(&s2c);
        bool can_read = !server_eof && s2c.len < s2c.cap;
        bool pending = can_read && t->ops->pending(t);
        struct pollfd pf[3] = {
            {t->fd, (short)((can_read ? POLLIN : 0) | (c2s.len > c2s.off ? POLLOUT : 0)), 0},
            {cfd, (short)((buf_room(&c2s) ? POLLIN : 0) | (s2c.val > s2c.off ? POLLOUT : 0)), 0},
            {p->cancel.rfd, POLLIN, 0},
        };
        int r = poll(pf, 3, pending ? 0 : p->cfg.watchdog ? 200 : -1);
        if (r < 0 && errno != EINTR) {
            vv_error_set(&p->error, VV_ERR_GENERIC, "poll failed: %s", strerror(errno));
            goto done;
        }
        if (pf[2].revents & POLLIN)
            goto done; /* cancelled: the session decides what to report */
        if (over_budget(p)) {
            vv_error_set(&p->error, VV_ERR_PROTOCOL,
                         "%s sent an update that needs more than %.3g s of CPU to decode; the "
                         "session was cut off",
                         t->peer, (double)budget_ns(p->cfg.watchdog) / 1e9);
            goto done;
        }
        if (can_read && (pending || (pf[0].revents & (POLLIN | POLLHUP | POLLERR)))) {
            ssize_t n = t->ops->read(t, s2c.d + s2c.len, s2c.cap - s2c.len);
            if (n > 0) {
                s2c.len += (size_t)n;
                p->s2c_total += (unsigned long long)n;
                if (!guard_stage(p, &s2c)) {
                    name_server(&p->error, t->peer); /* the guard says what went wrong */
                    goto done;
                }
                struct guard_layout l;
                guard_layout(p->guard, &l);
                if (l.count != p->layout.count) { /* only this thread writes it */
                    pthread_mutex_lock(&p->layout_lock);
                    p->layout = l;
                    pthread_mutex_unlock(&p->layout_lock);
                }
            } else if (n == 0) {
                server_eof = true;
            } else if (n != -EAGAIN) {
                vv_error_set(&p->error, p->running ? VV_ERR_LOST : VV_ERR_CLOSED,
                             "connection to %s lost: %s", t->peer, strerror((int)-n));
                goto done;
            }
        }
        if (c2s.len > c2s.off && (pf[0].revents & POLLOUT)) {
            ssize_t n = t->ops->write(t, c2s.data + c2s.off, c2s.len - c2s.off);
            if (n > 0) {
                c2s.off += (size_t)n;
                p->c2s_total += (unsigned long long)n;
                buf_compact(&c2s);
            } else if (n != -EAGAIN) {
                vv_error_set(&p->error, p->running ? VV_ERR_LOST : VV_ERR_CLOSED,
                             "connection to %s lost while sending: %s", t->peer, strerror((int)-n));
                goto done;
            }
        }
        if (s2c.val > s2c.off) {
            ssize_t n = send(cfd, s2c.d + s2c.off, s2c.val - s2c.off, MSG_NOSIGNAL);
            if (n > 0) {
                s2c.off += (size_t)n;
                sbuf_compact(&s2c);
            } else if (n < 0 && errno != EAGAIN && errno != EINTR) {
                goto done; /* the session side closed: it ended the session itself */
            }
        }
        if (pf[1].revents & (POLLIN | POLLHUP | POLLERR)) {
            ssize_t n = recv(cfd, c2s.data + c2s.len, buf_room(&c2s), 0);
            if (n == 0 || (n < 0 && errno != EAGAIN && errno != EINTR))
                goto done;
            if (n > 0) {
                size_t drop = swallow < (size_t)n ? swallow : (size_t)n;
                swallow -= drop;
                if ((size_t)n > drop) {
                    memmove(c2s.data + c2s.len, c2s.data + c2s.len + drop, (size_t)n - drop);
                    c2s.len += (size_t)n - drop;
                }
            }
        }
        /* Bytes held after the end are a message the server never finished: closed all the same. */
        if (server_eof && s2c.off == s2c.val) {
            if (p->running)
                vv_error_set(&p->error, VV_ERR_LOST, "the server %s closed the connection%s",
                             t->peer,
                             guard_mid_message(p->guard) ? " in the middle of a message" : "");
            else
                vv_error_set(&p->error, VV_ERR_CLOSED,
                             "the server %s closed the connection before the session started",
                             t->peer);
            goto done;
        }
    }
done:
    free(s2c.d);
    free(c2s.data);
}

static void *pump_main(void *arg)
{
    struct pump *p = arg;
#ifdef __linux__
    pthread_setname_np(pthread_self(), "vv-pump"); /* benchmarks find the thread by name */
    /* Batch scheduling: a pump woken by the network does not preempt the session thread in the
     * middle of decoding (Linux: batch threads never preempt on wake-up). It runs when the
     * session waits for data, on an idle core, or at the next tick; the socketpair and the
     * kernel's receive buffer hold the data meanwhile. On 2 busy cores this halved the session
     * thread's involuntary context switches and the pump's CPU (tests/bench/bench_e2e.sh). */
    struct sched_param sp = {0};
    pthread_setschedparam(pthread_self(), SCHED_BATCH, &sp);
#endif
    char name[300];
    addr_format(&p->cfg.addr, name, sizeof name);
    log_set_thread_tag(name);
    struct transport *t = establish(p, &p->error);
    if (t) {
        relay(p, t);
        transport_close(t);
    }
    drop_password(p);
    /* Closing our end makes libvncclient's next read fail: that ends the session thread. */
    shutdown(p->cfg.client_fd, SHUT_RDWR);
    plat_close(p->cfg.client_fd);
    p->cfg.client_fd = -1;
    return NULL;
}

struct pump *pump_start(const struct pump_config *cfg, struct vv_error *err)
{
    struct pump *p = calloc(1, sizeof *p);
    if (!p) {
        vv_error_set(err, VV_ERR_GENERIC, "out of memory");
        return NULL;
    }
    p->cfg = *cfg;
    p->cfg.password = NULL;
    snprintf(p->security, sizeof p->security, "not connected");
    if (cfg->password && !(p->password = strdup(cfg->password)))
        goto fail;
    p->cfg.encodings = NULL; /* the guard keeps its own copy */
    if (!(p->guard = guard_new(cfg->encodings, cfg->nenc, cfg->limits)))
        goto fail;
    if (plat_wake_open(&p->cancel) != 0)
        goto fail;
    pthread_mutex_init(&p->layout_lock, NULL);
    plat_set_nonblock(cfg->client_fd, true);
    if (pthread_create(&p->thread, NULL, pump_main, p) != 0) {
        plat_wake_close(&p->cancel);
        pthread_mutex_destroy(&p->layout_lock);
        goto fail;
    }
    return p;
fail:
    vv_error_set(err, VV_ERR_GENERIC, "cannot start the transport thread");
    drop_password(p);
    guard_free(p->guard);
    free(p);
    return NULL;
}

void pump_mark_running(struct pump *p)
{
    p->running = true;
}

void pump_cancel(struct pump *p)
{
    plat_wake_signal(&p->cancel); /* never drained: stays readable, so every wait sees it */
}

void pump_join(struct pump *p, struct vv_error *err)
{
    pthread_join(p->thread, NULL);
    if (err)
        *err = p->error;
}

void pump_free(struct pump *p)
{
    if (!p)
        return;
    guard_free(p->guard);
    plat_wake_close(&p->cancel);
    pthread_mutex_destroy(&p->layout_lock);
    free(p);
}

void pump_layout(struct pump *p, struct guard_layout *out)
{
    pthread_mutex_lock(&p->layout_lock);
    *out = p->layout;
    pthread_mutex_unlock(&p->layout_lock);
}

const char *pump_security(struct pump *p)
{
    return p->security;
}

void pump_counters(struct pump *p, unsigned long long *s2c, unsigned long long *c2s)
{
    *s2c = p->s2c_total;
    *c2s = p->c2s_total;
}
