/* One logging facility for the whole program, with levels. libvncclient's global loggers are
 * routed here; lines are tagged with the calling thread's session tag. */
#ifndef VV_LOG_H
#define VV_LOG_H

enum log_level { LOG_ERROR = 0, LOG_WARN = 1, LOG_INFO = 2, LOG_DEBUG = 3 };

void log_set_level(enum log_level level);
enum log_level log_get_level(void);
/* Tag for lines logged from the current thread (e.g. "host:1"); NULL clears. Copied. */
void log_set_thread_tag(const char *tag);
void log_msg(enum log_level level, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
/* Route rfbClientLog/rfbClientErr into log_msg (DEBUG and WARN levels). */
void log_route_libvncclient(void);

#define log_error(...) log_msg(LOG_ERROR, __VA_ARGS__)
#define log_warn(...) log_msg(LOG_WARN, __VA_ARGS__)
#define log_info(...) log_msg(LOG_INFO, __VA_ARGS__)
#define log_debug(...) log_msg(LOG_DEBUG, __VA_ARGS__)

#endif
