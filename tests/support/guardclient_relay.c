/* Guarded test client, relay thread: TCP to the test server <-> socketpair to libvncclient,
 * the handshake passed as it is, then the server's stream through guard_push (into an output
 * buffer) or guard_scan (in place), recording what the guard took and what it forwarded. */
#include "guardclient_priv.h"

#include <errno.h>
#include <poll.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>

#define IN_CAP (256 * 1024)

static void record(struct guardclient *c, int which, const uint8_t *p, size_t n)
{
    size_t room = c->o.record_max - c->rec_len[which];
    if (n > room) {
        n = room;
        c->rec_truncated = true;
    }
    if (n == 0)
        return;
    if (c->rec_len[which] + n > c->rec_cap[which]) {
        size_t cap = c->rec_cap[which] ? c->rec_cap[which] : 65536;
        while (cap < c->rec_len[which] + n)
            cap *= 2;
        uint8_t *r = realloc(c->rec[which], cap);
        if (!r) {
            c->rec_truncated = true;
            return;
        }
        c->rec[which] = r;
        c->rec_cap[which] = cap;
    }
    memcpy(c->rec[which] + c->rec_len[which], p, n);
    c->rec_len[which] += n;
}

/* Push mode: in[in_off, in_len) waits for guard_push, out[out_off, out_len) for the client.
 * Scan mode: one buffer, out == in: in[out_off, out_len) is validated and waits for the client,
 * in[in_off, in_len) (in_off == out_len) waits for guard_scan; rec_mark: recorded up to here. */
struct relay {
    bool scan;
    uint8_t *in, *out;
    size_t in_off, in_len, out_off, out_len, out_cap, rec_mark;
    size_t hs_seen, hs_total; /* server handshake bytes: version, security types, result */
    uint8_t hs[32];
    struct guard *g;
};

static bool relay_scan(struct guardclient *c, struct relay *r)
{
    while (r->hs_seen < r->hs_total && r->in_off < r->in_len) {
        uint8_t b = r->in[r->in_off++];
        if (r->hs_seen < sizeof r->hs)
            r->hs[r->hs_seen] = b;
        if (++r->hs_seen == 13)
            r->hs_total = 13 + r->hs[12] + 4;
        r->out_len = r->rec_mark = r->in_off;
    }
    if (r->hs_seen < r->hs_total)
        return true;
    for (;;) {
        struct guard_span span;
        struct vv_error err;
        pthread_mutex_lock(&c->lock);
        if (c->o.record_max)
            record(c, 0, r->in + r->rec_mark, r->in_len - r->rec_mark);
        r->rec_mark = r->in_len;
        pthread_mutex_unlock(&c->lock);
        bool ok = guard_scan(r->g, r->in + r->in_off, r->in_len - r->in_off, &span, &err);
        pthread_mutex_lock(&c->lock);
        if (c->o.record_max)
            record(c, 1, r->in + r->in_off, span.forward);
        guard_get_stats(r->g, &c->stats);
        if (!ok) {
            c->guard_failed = true;
            c->guard_err = err;
        }
        guardclient_notify(c);
        r->in_off += span.forward;
        r->out_len = r->in_off;
        if (!ok || span.skip == 0)
            return ok;
        size_t from = r->in_off + span.skip;
        memmove(r->in + r->in_off, r->in + from, r->in_len - from);
        r->in_len -= span.skip;
        r->rec_mark -= span.skip;
    }
}

/* Handshake bytes go to the client untouched; the rest through the guard. */
static bool relay_process(struct guardclient *c, struct relay *r)
{
    while (r->hs_seen < r->hs_total && r->in_off < r->in_len && r->out_len < r->out_cap) {
        uint8_t b = r->in[r->in_off++];
        if (r->hs_seen < sizeof r->hs)
            r->hs[r->hs_seen] = b;
        if (++r->hs_seen == 13) /* version (12) + count of security types */
            r->hs_total = 13 + r->hs[12] + 4;
        r->out[r->out_len++] = b;
    }
    if (r->hs_seen < r->hs_total)
        return true;
    for (;;) {
        size_t ol = r->out_len;
        struct vv_error err;
        ssize_t n = guard_push(r->g, r->in + r->in_off, r->in_len - r->in_off, r->out, r->out_cap,
                               &ol, &err);
        pthread_mutex_lock(&c->lock);
        if (c->o.record_max) {
            record(c, 0, r->in + r->in_off, n > 0 ? (size_t)n : 0);
            record(c, 1, r->out + r->out_len, ol - r->out_len);
        }
        guard_get_stats(r->g, &c->stats);
        if (n < 0) {
            c->guard_failed = true;
            c->guard_err = err;
        }
        guardclient_notify(c);
        bool progress = n > 0 || ol > r->out_len;
        r->out_len = ol;
        if (n < 0)
            return false;
        r->in_off += (size_t)n;
        if (!progress)
            return true;
    }
}

void *guardclient_relay_main(void *arg)
{
    struct guardclient *c = arg;
    struct relay r = {.scan = c->o.scan,
                      .in = malloc(IN_CAP),
                      .out_cap = c->o.out_cap ? c->o.out_cap : 512 * 1024,
                      .hs_total = 13};
    r.out = r.scan ? r.in : malloc(r.out_cap);
    r.g = guard_new(c->codes, c->ncodes, NULL);
    bool failed = !r.in || !r.out || !r.g, server_eof = false;
    uint8_t c2s[4096];
    while (!failed && !c->stop) {
        if (r.scan && r.out_off > 0 && (r.out_off == r.out_len || r.in_len == IN_CAP)) {
            size_t d = r.out_off; /* everything before out_off was sent */
            memmove(r.in, r.in + d, r.in_len - d);
            r.in_len -= d, r.in_off -= d, r.out_len -= d, r.rec_mark -= d, r.out_off = 0;
        }
        if (!r.scan && r.out_off == r.out_len)
            r.out_off = r.out_len = 0;
        if (!r.scan && r.out_off > r.out_cap / 2) {
            memmove(r.out, r.out + r.out_off, r.out_len - r.out_off);
            r.out_len -= r.out_off;
            r.out_off = 0;
        }
        failed = r.scan ? !relay_scan(c, &r) : !relay_process(c, &r);
        if (!r.scan && r.in_off == r.in_len)
            r.in_off = r.in_len = 0;
        bool can_read = !server_eof && r.in_len < IN_CAP;
        struct pollfd pf[3] = {
            {c->srv_fd, (short)(can_read ? POLLIN : 0), 0},
            {c->sv[0], (short)(POLLIN | (r.out_len > r.out_off ? POLLOUT : 0)), 0},
            {c->stop_wake.rfd, POLLIN, 0},
        };
        if (poll(pf, 3, -1) < 0 && errno != EINTR)
            break;
        if (pf[2].revents & POLLIN)
            break;
        if (can_read && (pf[0].revents & (POLLIN | POLLHUP | POLLERR))) {
            ssize_t n = recv(c->srv_fd, r.in + r.in_len, IN_CAP - r.in_len, 0);
            if (n > 0)
                r.in_len += (size_t)n;
            else if (n == 0 || errno != EINTR)
                server_eof = true;
        }
        if (pf[1].revents & POLLOUT) {
            ssize_t n = send(c->sv[0], r.out + r.out_off, r.out_len - r.out_off, MSG_NOSIGNAL);
            if (n > 0)
                r.out_off += (size_t)n;
        }
        if (pf[1].revents & (POLLIN | POLLHUP)) {
            ssize_t n = recv(c->sv[0], c2s, sizeof c2s, 0);
            if (n <= 0 || send(c->srv_fd, c2s, (size_t)n, MSG_NOSIGNAL) != n)
                break;
        }
        if (server_eof && r.in_off == r.in_len && r.out_off == r.out_len)
            break;
    }
    /* What the guard validated before a refusal still reaches the client. */
    while (failed && r.out_off < r.out_len && !c->stop) {
        struct pollfd pf = {c->sv[0], POLLOUT, 0};
        if (poll(&pf, 1, 1000) <= 0)
            break;
        ssize_t n = send(c->sv[0], r.out + r.out_off, r.out_len - r.out_off, MSG_NOSIGNAL);
        if (n <= 0)
            break;
        r.out_off += (size_t)n;
    }
    shutdown(c->sv[0], SHUT_RDWR); /* libvncclient's next read fails */
    guard_free(r.g);
    if (r.out != r.in)
        free(r.out);
    free(r.in);
    return NULL;
}
