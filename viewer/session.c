/* Session lifecycle: the network thread that owns the rfbClient, the command queue that carries
 * input from the UI to it, the password exchange with the UI, and the published frame. */
#include "session_int.h"

#include "charset.h"
#include "log.h"

#include <errno.h>
#include <poll.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>

/* Clipboard text sent to the server is capped below libvncserver's and 0.9.14's 1 MiB limits. */
#define MAX_CUT_TEXT (1024 * 1024 - 1)

/* When libvncclient gives up on the server's data by itself (a decoder check, e.g. Debian's
 * "Tight: too many scan lines"), the reason is only in its log. Its loggers are tapped so the
 * session thread can quote the last line logged while it handled the failing message. */
static _Thread_local char lib_line[256];    /* the line being logged, in pieces */
static _Thread_local char lib_reason[256];  /* the last complete line of this message */
static _Thread_local char fail_reason[256]; /* lib_reason when a message failed */
static _Atomic(rfbClientLogProc) next_log, next_err;

static void tap(rfbClientLogProc next, const char *fmt, va_list ap)
{
    char piece[256];
    vsnprintf(piece, sizeof piece, fmt, ap);
    size_t used = strlen(lib_line);
    snprintf(lib_line + used, sizeof lib_line - used, "%s", piece);
    size_t len = strlen(lib_line);
    if (len > 0 && lib_line[len - 1] == '\n') {
        while (len > 0 && (lib_line[len - 1] == '\n' || lib_line[len - 1] == '.'))
            lib_line[--len] = '\0';
        snprintf(lib_reason, sizeof lib_reason, "%s", lib_line);
        lib_line[0] = '\0';
    }
    if (next)
        next("%s", piece);
}

static void tap_log(const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    tap(next_log, fmt, ap);
    va_end(ap);
}

static void tap_err(const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    tap(next_err, fmt, ap);
    va_end(ap);
}

/* After log_route_libvncclient (which every session start repeats): our tap in front of it. */
static void tap_install(void)
{
    if (rfbClientLog != tap_log) {
        next_log = rfbClientLog;
        rfbClientLog = tap_log;
    }
    if (rfbClientErr != tap_err) {
        next_err = rfbClientErr;
        rfbClientErr = tap_err;
    }
}

void session_emit(struct session *s, const struct session_event *ev)
{
    if (s->cfg.on_event)
        s->cfg.on_event(s->cfg.ctx, ev);
}

static void on_status(void *ctx, const char *text)
{
    struct session *s = ctx;
    struct session_event ev = {.type = SESSION_EV_STATUS};
    ev.u.status.text = text;
    session_emit(s, &ev);
}

/* Runs on the pump thread: asks the UI and waits for session_answer(). */
static int ask(void *ctx, struct prompt *p)
{
    struct session *s = ctx;
    pthread_mutex_lock(&s->lock);
    s->q_waiting = true;
    s->q_answered = false;
    s->q_choice = -1;
    pthread_mutex_unlock(&s->lock);

    struct session_event ev = {.type = SESSION_EV_QUESTION};
    ev.u.question.prompt = p;
    session_emit(s, &ev);

    pthread_mutex_lock(&s->lock);
    while (!s->q_answered && !s->stop)
        pthread_cond_wait(&s->cond, &s->lock);
    int choice = s->stop ? -1 : s->q_choice;
    for (int i = 0; i < PROMPT_MAX_FIELDS; i++) {
        if (choice >= 0 && i < p->nfields) {
            p->fields[i].value = s->q_values[i];
            s->q_values[i] = NULL;
        } else if (s->q_values[i]) {
            plat_wipe(s->q_values[i], strlen(s->q_values[i]));
            free(s->q_values[i]);
            s->q_values[i] = NULL;
        }
    }
    s->q_waiting = false;
    pthread_mutex_unlock(&s->lock);
    return choice;
}

void session_answer(struct session *s, int choice, const char *const *values, int nvalues)
{
    pthread_mutex_lock(&s->lock);
    if (s->q_waiting && !s->q_answered) {
        for (int i = 0; i < nvalues && i < PROMPT_MAX_FIELDS; i++)
            s->q_values[i] = values && values[i] ? strdup(values[i]) : NULL;
        s->q_choice = choice;
        s->q_answered = true;
        pthread_cond_broadcast(&s->cond);
    }
    pthread_mutex_unlock(&s->lock);
}

static void free_cmd(struct cmd *c)
{
    if (c->text) {
        plat_wipe(c->text, c->len); /* clipboard contents can be secret too */
        free(c->text);
    }
    free(c);
}

static void enqueue(struct session *s, struct cmd *c)
{
    pthread_mutex_lock(&s->lock);
    /* Coalesce pointer motion: a newer position with the same buttons replaces the older one. */
    if (c->type == CMD_POINTER && s->tail && s->tail->type == CMD_POINTER &&
        s->tail->buttons == c->buttons) {
        s->tail->x = c->x;
        s->tail->y = c->y;
        pthread_mutex_unlock(&s->lock);
        free(c);
        return;
    }
    if (s->tail)
        s->tail->next = c;
    else
        s->head = c;
    s->tail = c;
    pthread_mutex_unlock(&s->lock);
    plat_wake_signal(&s->wake);
}

static struct cmd *new_cmd(struct session *s, enum cmd_type type)
{
    if (s->cfg.view_only && type != CMD_REFRESH)
        return NULL;
    struct cmd *c = calloc(1, sizeof *c);
    if (c)
        c->type = type;
    return c;
}

void session_send_key(struct session *s, uint32_t keysym, uint32_t xt_code, bool down, bool no_text)
{
    struct cmd *c = new_cmd(s, CMD_KEY);
    if (!c)
        return;
    c->keysym = keysym;
    c->xt = xt_code;
    c->down = down;
    c->no_text = no_text;
    enqueue(s, c);
}

void session_send_text_keysym(struct session *s, uint32_t keysym)
{
    struct cmd *c = new_cmd(s, CMD_TEXT);
    if (!c)
        return;
    c->keysym = keysym;
    enqueue(s, c);
}

void session_send_pointer(struct session *s, int x, int y, uint8_t buttons)
{
    struct cmd *c = new_cmd(s, CMD_POINTER);
    if (!c)
        return;
    c->x = x;
    c->y = y;
    c->buttons = buttons;
    enqueue(s, c);
}

void session_send_clipboard(struct session *s, const char *utf8, size_t len)
{
    struct cmd *c = new_cmd(s, CMD_CUT);
    if (!c)
        return;
    size_t lost = 0;
    c->text = charset_utf8_to_latin1(utf8, len, &c->len, &lost);
    if (!c->text) {
        free(c);
        return;
    }
    if (lost)
        log_info("clipboard: %zu characters have no Latin-1 form and were sent as '?'", lost);
    if (c->len > MAX_CUT_TEXT) {
        log_warn("clipboard: %zu bytes is more than a VNC server accepts; sending the first %d",
                 c->len, MAX_CUT_TEXT);
        c->len = MAX_CUT_TEXT;
    }
    enqueue(s, c);
}

void session_request_desktop_size(struct session *s, int w, int h)
{
    if (w < 1 || h < 1 || w > SESSION_MAX_DIM || h > SESSION_MAX_DIM)
        return;
    struct cmd *c = new_cmd(s, CMD_RESIZE);
    if (c) {
        c->x = w;
        c->y = h;
        enqueue(s, c);
    }
}

void session_request_refresh(struct session *s)
{
    struct cmd *c = new_cmd(s, CMD_REFRESH);
    if (c)
        enqueue(s, c);
}

/* Network thread: send everything queued. False if a send failed (connection gone). */
static bool run_commands(struct session *s)
{
    pthread_mutex_lock(&s->lock);
    struct cmd *c = s->head;
    s->head = s->tail = NULL;
    pthread_mutex_unlock(&s->lock);
    bool ok = true;
    bool qemu_keys = SupportsClient2Server(s->cl, rfbQemuEvent);
    while (c) {
        struct cmd *next = c->next;
        rfbClient *cl = s->cl;
        if (ok) {
            switch (c->type) {
            case CMD_KEY:
                /* The QEMU extended key event carries the physical key: layouts don't matter.
                 * Servers announce it with a pseudo-rectangle in their first update. */
                if (qemu_keys && c->xt)
                    ok = SendExtendedKeyEvent(cl, c->keysym, c->xt, c->down);
                else if ((qemu_keys || !c->no_text) && c->keysym)
                    ok = SendKeyEvent(cl, c->keysym, c->down);
                break;
            case CMD_TEXT:
                /* Text without a key of its own (input methods): as keysyms, for every server. */
                if (c->keysym)
                    ok = SendKeyEvent(cl, c->keysym, TRUE) && SendKeyEvent(cl, c->keysym, FALSE);
                break;
            case CMD_POINTER: {
                int x = c->x < 0 ? 0 : c->x >= s->fb_w ? s->fb_w - 1 : c->x;
                int y = c->y < 0 ? 0 : c->y >= s->fb_h ? s->fb_h - 1 : c->y;
                ok = SendPointerEvent(cl, x, y, c->buttons);
                break;
            }
            case CMD_CUT:
                ok = SendClientCutText(cl, c->text, (int)c->len);
                break;
            case CMD_REFRESH:
                ok = SendFramebufferUpdateRequest(cl, 0, 0, s->fb_w, s->fb_h, FALSE);
                break;
            case CMD_RESIZE:
                ok = session_send_desktop_size(s, c->x, c->y);
                break;
            }
        }
        free_cmd(c);
        c = next;
    }
    return ok;
}

bool session_client_init(struct session *s, int sock)
{
    s->cl = session_rfb_new(s, sock);
    if (!s->cl) {
        plat_close(sock);
        vv_error_set(&s->proto_error, VV_ERR_GENERIC, "cannot create the VNC client");
        return false;
    }
    /* Reads the synthetic greeting from the pump, then the real server's ServerInit. */
    if (!InitialiseRFBConnection(s->cl))
        return false;
    s->cl->width = s->cl->si.framebufferWidth;
    s->cl->height = s->cl->si.framebufferHeight;
    if (!s->cl->MallocFrameBuffer(s->cl))
        return false;
    if (!session_rfb_send_formats(s))
        return false;
    s->cl->updateRect.x = s->cl->updateRect.y = 0;
    s->cl->updateRect.w = s->fb_w;
    s->cl->updateRect.h = s->fb_h;
    return SendFramebufferUpdateRequest(s->cl, 0, 0, s->fb_w, s->fb_h, FALSE);
}

/* One server message, watched by the pump's CPU watchdog. */
static bool handle_message(struct session *s)
{
    lib_reason[0] = '\0';
    s->watchdog.allowance_ns = 0; /* until this message resizes or repaints the whole desktop */
    s->watchdog.start_ns = pump_cpu_ns(s->watchdog.clock);
    s->watchdog.armed = true;
    bool ok = HandleRFBServerMessage(s->cl) && s->proto_error.code == VV_OK;
    if (!ok) /* cleaning up may log more: keep what was said about this message */
        snprintf(fail_reason, sizeof fail_reason, "%s", lib_reason);
    s->watchdog.armed = false;
    if (ok && s->resized_request) {
        s->resized_request = false;
        ok = SendFramebufferUpdateRequest(s->cl, 0, 0, s->fb_w, s->fb_h, FALSE);
    }
    if (ok)
        session_check_layout(s);
    return ok;
}

static void run_loop(struct session *s)
{
    rfbClient *cl = s->cl;
    while (!s->stop) {
        /* Messages libvncclient already read ahead are invisible to poll(). */
        while (cl->buffered > 0 && !s->stop)
            if (!handle_message(s))
                return;
        struct pollfd pf[2] = {{cl->sock, POLLIN, 0}, {s->wake.rfd, POLLIN, 0}};
        int r = poll(pf, 2, -1);
        if (r < 0 && errno != EINTR)
            return;
        if (pf[1].revents & POLLIN) {
            plat_wake_drain(&s->wake);
            if (!run_commands(s))
                return;
        }
        if (pf[0].revents & (POLLIN | POLLHUP | POLLERR))
            if (!handle_message(s))
                return;
    }
}

static void *session_main(void *arg)
{
    struct session *s = arg;
#ifdef __linux__
    pthread_setname_np(pthread_self(), "vv-session"); /* benchmarks find the thread by name */
#endif
    log_set_thread_tag(s->name);
    pthread_getcpuclockid(pthread_self(), &s->watchdog.clock);
    struct vv_error final;
    vv_error_clear(&final);
    bool started = false;

    int sv[2];
    if (plat_socketpair(sv) != 0) {
        vv_error_set(&final, VV_ERR_GENERIC, "cannot create a socket pair");
        goto report;
    }
    struct pump_config pc = {
        .addr = s->cfg.addr,
        .timeout_ms = s->cfg.timeout_ms,
        .password = s->cfg.password,
        .prompter = &s->prompter,
        .sec = &s->cfg.sec,
        .ssh = s->cfg.ssh ? &s->ssh : NULL,
        .on_status = on_status,
        .ctx = s,
        .client_fd = sv[0],
        .encodings = s->codes,
        .nenc = s->ncodes,
        .watchdog = &s->watchdog,
        .limits = &s->cfg.limits,
    };
    struct pump *pump = pump_start(&pc, &final);
    if (s->cfg.password) { /* the pump has its own copy now */
        plat_wipe((char *)s->cfg.password, strlen(s->cfg.password));
        free((char *)s->cfg.password);
        s->cfg.password = NULL;
    }
    if (!pump) {
        plat_close(sv[0]);
        plat_close(sv[1]);
        goto report;
    }
    plat_set_nonblock(sv[1], true);
    pthread_mutex_lock(&s->lock);
    s->pump = pump;
    s->sock = sv[1];
    pthread_mutex_unlock(&s->lock);

    if (!s->stop && session_client_init(s, sv[1])) {
        started = true;
        pump_mark_running(pump);
        snprintf(s->security, sizeof s->security, "%s", pump_security(pump));
        struct session_event ev = {.type = SESSION_EV_CONNECTED};
        ev.u.connected.desktop_name = s->cl->desktopName ? s->cl->desktopName : "";
        ev.u.connected.width = s->fb_w;
        ev.u.connected.height = s->fb_h;
        ev.u.connected.security = s->security;
        session_emit(s, &ev);
        run_loop(s);
    }

    pthread_mutex_lock(&s->lock);
    s->sock = -1;
    pthread_mutex_unlock(&s->lock);
    session_rfb_free(s);
    pump_cancel(pump);
    struct vv_error pump_err;
    pump_join(pump, &pump_err);

    /* Who ended it: the user, the transport (refused, closed, auth...), or the server's data. */
    if (s->stop)
        vv_error_clear(&final);
    else if (s->proto_error.code != VV_OK)
        final = s->proto_error; /* the real cause, even if the server hung up right after */
    else if (pump_err.code != VV_OK)
        final = pump_err;
    else if (started && fail_reason[0])
        vv_error_set(&final, VV_ERR_PROTOCOL,
                     "the session with %s ended: the server sent data vncview could not decode "
                     "(libvncclient: %s)",
                     s->where, fail_reason);
    else if (started)
        vv_error_set(&final, VV_ERR_PROTOCOL,
                     "the session with %s ended: the server sent data vncview could not decode "
                     "(run with --verbose for details)",
                     s->where);
    else
        vv_error_set(&final, VV_ERR_NOT_RFB,
                     "%s did not complete the VNC handshake (invalid ServerInit)", s->where);
report:;
    struct session_event ev = {.type = SESSION_EV_DISCONNECTED};
    ev.u.disconnected.error = &final;
    session_emit(s, &ev);
    return NULL;
}

struct session *session_start(const struct session_config *cfg, struct vv_error *err)
{
    struct session *s = calloc(1, sizeof *s);
    if (!s) {
        vv_error_set(err, VV_ERR_GENERIC, "out of memory");
        return NULL;
    }
    if (!enc_parse(cfg->encodings, &s->enc, err)) {
        free(s);
        return NULL;
    }
    s->ncodes = enc_build(&s->enc, cfg->quality, cfg->compress, cfg->lossless, s->codes, ENC_MAX);
    s->watchdog.budget_s = cfg->decode_budget_s > 0 ? cfg->decode_budget_s : 5.0;
    s->cfg = *cfg;
    s->cfg.encodings = NULL;
    s->cfg.password = cfg->password ? strdup(cfg->password) : NULL;
    /* Our own copies of the option strings: the caller's may not outlive the session. */
    const char **strings[] = {&s->cfg.sec.types, &s->cfg.sec.user, &s->cfg.sec.ca_file,
                              &s->cfg.sec.store, &s->cfg.ssh,      &s->cfg.ssh_config,
                              &s->cfg.ssh_key};
    for (size_t i = 0; i < sizeof strings / sizeof strings[0]; i++)
        if (*strings[i])
            *strings[i] = strdup(*strings[i]);
    s->ssh = (struct ssh_params){s->cfg.ssh, s->cfg.ssh_config, s->cfg.ssh_key};
    s->prompter = (struct prompter){ask, s, cfg->interactive};
    if (s->cfg.timeout_ms <= 0)
        s->cfg.timeout_ms = 15000;
    s->sock = -1;
    addr_format(&cfg->addr, s->name, sizeof s->name);
    snprintf(s->where, sizeof s->where, "%s port %d", cfg->addr.host, cfg->addr.port);
    snprintf(s->security, sizeof s->security, "not connected");
    pthread_mutex_init(&s->lock, NULL);
    pthread_cond_init(&s->cond, NULL);
    pthread_mutex_init(&s->frame_lock, NULL);
    plat_ignore_sigpipe();
    log_route_libvncclient();
    tap_install();
    if (plat_wake_open(&s->wake) != 0 || pthread_create(&s->thread, NULL, session_main, s) != 0) {
        vv_error_set(err, VV_ERR_GENERIC, "cannot start the session thread");
        plat_wake_close(&s->wake);
        free((char *)s->cfg.password);
        free(s);
        return NULL;
    }
    return s;
}

void session_stop(struct session *s)
{
    s->stop = true;
    pthread_mutex_lock(&s->lock);
    if (s->sock >= 0)
        shutdown(s->sock, SHUT_RDWR); /* makes a blocked libvncclient read return at once */
    if (s->pump)
        pump_cancel(s->pump);
    pthread_cond_broadcast(&s->cond);
    pthread_mutex_unlock(&s->lock);
    plat_wake_signal(&s->wake);
}

void session_destroy(struct session *s)
{
    if (!s)
        return;
    session_stop(s);
    pthread_join(s->thread, NULL);
    pump_free(s->pump);
    while (s->head) {
        struct cmd *c = s->head;
        s->head = c->next;
        free_cmd(c);
    }
    if (s->cfg.password) {
        plat_wipe((char *)s->cfg.password, strlen(s->cfg.password));
        free((char *)s->cfg.password);
    }
    free((char *)s->cfg.sec.types);
    free((char *)s->cfg.sec.user);
    free((char *)s->cfg.sec.ca_file);
    free((char *)s->cfg.sec.store);
    free((char *)s->cfg.ssh);
    free((char *)s->cfg.ssh_config);
    free((char *)s->cfg.ssh_key);
    plat_wake_close(&s->wake);
    free(s->front);
    pthread_mutex_destroy(&s->lock);
    pthread_cond_destroy(&s->cond);
    pthread_mutex_destroy(&s->frame_lock);
    free(s);
}

void session_security(struct session *s, char *buf, size_t size)
{
    pthread_mutex_lock(&s->lock);
    snprintf(buf, size, "%s", s->security);
    pthread_mutex_unlock(&s->lock);
}
