/* Test server input recording: bounded queues of key, pointer and cut-text events filled by the
 * server thread's hooks, and the functions tests use to wait for them. */
#include "testsrv_priv.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

/* Queues are bounded so a runaway client cannot eat the test's memory; beyond this the oldest
 * events are dropped. */
#define MAX_QUEUED 100000

void testsrv_queue_push(struct testsrv_queue *q, const void *item)
{
    if (q->len == MAX_QUEUED) {
        /* Cut texts own memory; the others are plain values. */
        if (q->item_size == sizeof(struct testsrv_cut))
            free(((struct testsrv_cut *)q->items)->text);
        memmove(q->items, (char *)q->items + q->item_size, (q->len - 1) * q->item_size);
        q->len--;
    }
    if (q->len == q->cap) {
        size_t ncap = q->cap ? q->cap * 2 : 64;
        void *n = realloc(q->items, ncap * q->item_size);
        if (!n)
            return; /* dropping an event makes the waiting test fail, which is the right signal */
        q->items = n;
        q->cap = ncap;
    }
    memcpy((char *)q->items + q->len * q->item_size, item, q->item_size);
    q->len++;
}

size_t testsrv_queue_pop(struct testsrv_queue *q, size_t n, void *out)
{
    if (n > q->len)
        n = q->len;
    if (n == 0)
        return 0; /* items may still be NULL, which memcpy must not see */
    memcpy(out, q->items, n * q->item_size);
    memmove(q->items, (char *)q->items + n * q->item_size, (q->len - n) * q->item_size);
    q->len -= n;
    return n;
}

void testsrv_queue_clear(struct testsrv_queue *q)
{
    if (q->item_size == sizeof(struct testsrv_cut)) {
        struct testsrv_cut *c = q->items;
        for (size_t i = 0; i < q->len; i++)
            free(c[i].text);
    }
    q->len = 0;
}

void testsrv_queue_free(struct testsrv_queue *q)
{
    testsrv_queue_clear(q);
    free(q->items);
    q->items = NULL;
    q->cap = 0;
}

/* ---- waiting for recorded input ---- */

static void deadline_after(struct timespec *ts, int timeout_ms)
{
    clock_gettime(CLOCK_MONOTONIC, ts);
    ts->tv_sec += timeout_ms / 1000;
    ts->tv_nsec += (long)(timeout_ms % 1000) * 1000000L;
    if (ts->tv_nsec >= 1000000000L) {
        ts->tv_sec++;
        ts->tv_nsec -= 1000000000L;
    }
}

/* Waits (ev_lock held) until q has n items or the deadline passes. */
static void wait_queue(struct testsrv *s, struct testsrv_queue *q, size_t n, int timeout_ms)
{
    struct timespec dl;
    deadline_after(&dl, timeout_ms);
    while (q->len < n)
        if (pthread_cond_timedwait(&s->ev_cond, &s->ev_lock, &dl) == ETIMEDOUT)
            break;
}

int testsrv_wait_keys(struct testsrv *s, int n, int timeout_ms, struct testsrv_key_event *out)
{
    if (n <= 0)
        return 0;
    pthread_mutex_lock(&s->ev_lock);
    wait_queue(s, &s->keys, (size_t)n, timeout_ms);
    size_t got = testsrv_queue_pop(&s->keys, (size_t)n, out);
    pthread_mutex_unlock(&s->ev_lock);
    return (int)got;
}

int testsrv_wait_pointer(struct testsrv *s, int n, int timeout_ms, struct testsrv_ptr_event *out)
{
    if (n <= 0)
        return 0;
    pthread_mutex_lock(&s->ev_lock);
    wait_queue(s, &s->ptrs, (size_t)n, timeout_ms);
    size_t got = testsrv_queue_pop(&s->ptrs, (size_t)n, out);
    pthread_mutex_unlock(&s->ev_lock);
    return (int)got;
}

char *testsrv_wait_cut_text(struct testsrv *s, int timeout_ms, size_t *len)
{
    struct testsrv_cut c = {0};
    pthread_mutex_lock(&s->ev_lock);
    wait_queue(s, &s->cuts, 1, timeout_ms);
    size_t got = testsrv_queue_pop(&s->cuts, 1, &c);
    pthread_mutex_unlock(&s->ev_lock);
    if (!got)
        return NULL;
    if (len)
        *len = c.len;
    return c.text;
}

void testsrv_clear_input(struct testsrv *s)
{
    pthread_mutex_lock(&s->ev_lock);
    testsrv_queue_clear(&s->keys);
    testsrv_queue_clear(&s->ptrs);
    testsrv_queue_clear(&s->cuts);
    pthread_mutex_unlock(&s->ev_lock);
}

int testsrv_client_count(struct testsrv *s)
{
    pthread_mutex_lock(&s->ev_lock);
    int n = s->nclients;
    pthread_mutex_unlock(&s->ev_lock);
    return n;
}

int testsrv_wait_clients(struct testsrv *s, int n, int timeout_ms)
{
    struct timespec dl;
    deadline_after(&dl, timeout_ms);
    pthread_mutex_lock(&s->ev_lock);
    while (s->nclients != n)
        if (pthread_cond_timedwait(&s->ev_cond, &s->ev_lock, &dl) == ETIMEDOUT)
            break;
    int got = s->nclients;
    pthread_mutex_unlock(&s->ev_lock);
    return got;
}

bool testsrv_last_resize_request(struct testsrv *s, int *w, int *h)
{
    pthread_mutex_lock(&s->ev_lock);
    bool have = s->have_resize_req;
    if (w)
        *w = s->req_w;
    if (h)
        *h = s->req_h;
    pthread_mutex_unlock(&s->ev_lock);
    return have;
}
