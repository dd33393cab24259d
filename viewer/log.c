/* Logging to stderr with levels and per-thread tags; libvncclient's loggers are routed here. */
#include "log.h"

#include <rfb/rfbclient.h>
#include <pthread.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>

static enum log_level current_level = LOG_WARN;
static pthread_mutex_t log_lock = PTHREAD_MUTEX_INITIALIZER;
static _Thread_local char thread_tag[64];
/* libvncclient logs in pieces; we join them until a newline (per thread). */
static _Thread_local char lib_line[512];
static _Thread_local size_t lib_len;

void log_set_level(enum log_level level)
{
    current_level = level;
}

enum log_level log_get_level(void)
{
    return current_level;
}

void log_set_thread_tag(const char *tag)
{
    if (!tag)
        thread_tag[0] = '\0';
    else
        snprintf(thread_tag, sizeof thread_tag, "%s", tag);
}

static void emit(enum log_level level, const char *text)
{
    static const char *const names[] = {"error", "warning", "info", "debug"};
    pthread_mutex_lock(&log_lock);
    if (thread_tag[0])
        fprintf(stderr, "vncview: %s: [%s] %s\n", names[level], thread_tag, text);
    else
        fprintf(stderr, "vncview: %s: %s\n", names[level], text);
    pthread_mutex_unlock(&log_lock);
}

static void vlog(enum log_level level, const char *fmt, va_list ap)
{
    char buf[1024];
    if (level > current_level)
        return;
    vsnprintf(buf, sizeof buf, fmt, ap);
    size_t n = strlen(buf);
    while (n > 0 && buf[n - 1] == '\n')
        buf[--n] = '\0';
    emit(level, buf);
}

void log_msg(enum log_level level, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    vlog(level, fmt, ap);
    va_end(ap);
}

static void lib_vlog(enum log_level level, const char *fmt, va_list ap)
{
    char piece[512];
    if (level > current_level)
        return;
    vsnprintf(piece, sizeof piece, fmt, ap);
    for (const char *p = piece; *p; p++) {
        if (*p == '\n' || lib_len == sizeof lib_line - 1) {
            lib_line[lib_len] = '\0';
            if (lib_len)
                emit(level, lib_line);
            lib_len = 0;
            if (*p == '\n')
                continue;
        }
        lib_line[lib_len++] = *p;
    }
}

static void lib_log(const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    lib_vlog(LOG_DEBUG, fmt, ap);
    va_end(ap);
}

static void lib_err(const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    /* libvncclient's "errors" are mostly the session ending; our own message says why. */
    lib_vlog(LOG_INFO, fmt, ap);
    va_end(ap);
}

void log_route_libvncclient(void)
{
    rfbClientLog = lib_log;
    rfbClientErr = lib_err;
}
