/* The no-pump baseline client: rfbInitClient connects itself, and a thread runs the same loop as
 * the session's network thread (drain what libvncclient buffered, wait, handle one message). */
#include "directclient.h"

#include <linux/tcp.h> /* the kernel's tcp_info: glibc's lacks tcpi_bytes_received */
#include <netinet/in.h>
#include <pthread.h>
#include <rfb/rfbclient.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <time.h>

/* Exported by libvncclient; 0.9.14 leaks the handle otherwise. */
extern int tjDestroy(void *handle);

struct directclient {
    rfbClient *cl;
    pthread_t thread;
    atomic_bool stop;
    pthread_mutex_t lock;
    pthread_cond_t cond;
    uint64_t frames;
    bool ended;
};

static int directclient_tag;

static void finished_update(rfbClient *cl)
{
    struct directclient *d = rfbClientGetClientData(cl, &directclient_tag);
    pthread_mutex_lock(&d->lock);
    d->frames++;
    pthread_cond_broadcast(&d->cond);
    pthread_mutex_unlock(&d->lock);
}

static void *client_main(void *arg)
{
    struct directclient *d = arg;
    pthread_setname_np(pthread_self(), "vv-baseline");
    rfbClient *cl = d->cl;
    bool ok = true;
    while (ok && !d->stop) {
        while (ok && cl->buffered > 0 && !d->stop)
            ok = HandleRFBServerMessage(cl);
        if (!ok || d->stop)
            break;
        int r = WaitForMessage(cl, 100000);
        if (r < 0)
            ok = false;
        else if (r > 0)
            ok = HandleRFBServerMessage(cl);
    }
    pthread_mutex_lock(&d->lock);
    d->ended = true;
    pthread_cond_broadcast(&d->cond);
    pthread_mutex_unlock(&d->lock);
    return NULL;
}

static void free_client(rfbClient *cl)
{
    free(cl->rcSource);
    cl->rcSource = NULL;
    free(cl->rcMask);
    cl->rcMask = NULL;
    if (cl->tjhnd) {
        tjDestroy(cl->tjhnd);
        cl->tjhnd = NULL;
    }
    free(cl->frameBuffer); /* rfbClientCleanup leaves it to us */
    cl->frameBuffer = NULL;
    rfbClientCleanup(cl);
}

struct directclient *directclient_start(int port, const char *encodings, int compress, int quality)
{
    struct directclient *d = calloc(1, sizeof *d);
    if (!d)
        return NULL;
    pthread_mutex_init(&d->lock, NULL);
    pthread_cond_init(&d->cond, NULL);
    rfbClient *cl = rfbGetClient(8, 3, 4);
    if (!cl)
        goto fail;
    /* Same B,G,R,X layout as the session. */
    cl->format.redShift = 16;
    cl->format.greenShift = 8;
    cl->format.blueShift = 0;
    cl->appData.encodingsString = encodings;
    cl->appData.compressLevel = compress;
    cl->appData.enableJPEG = quality >= 0;
    cl->appData.qualityLevel = quality >= 0 ? quality : 9;
    cl->FinishedFrameBufferUpdate = finished_update;
    rfbClientSetClientData(cl, &directclient_tag, d);
    free(cl->serverHost);
    cl->serverHost = strdup("127.0.0.1");
    cl->serverPort = port;
    /* Cleans up the client itself on failure. */
    if (!rfbInitClient(cl, NULL, NULL)) {
        fprintf(stderr, "directclient: cannot connect to 127.0.0.1:%d\n", port);
        goto fail;
    }
    d->cl = cl;
    if (pthread_create(&d->thread, NULL, client_main, d) != 0) {
        free_client(cl);
        goto fail;
    }
    return d;
fail:
    pthread_mutex_destroy(&d->lock);
    pthread_cond_destroy(&d->cond);
    free(d);
    return NULL;
}

void directclient_stop(struct directclient *d)
{
    if (!d)
        return;
    d->stop = true;
    shutdown(d->cl->sock, SHUT_RDWR); /* a blocked read returns at once */
    pthread_join(d->thread, NULL);
    free_client(d->cl);
    pthread_mutex_destroy(&d->lock);
    pthread_cond_destroy(&d->cond);
    free(d);
}

uint64_t directclient_frames(struct directclient *d)
{
    pthread_mutex_lock(&d->lock);
    uint64_t n = d->frames;
    pthread_mutex_unlock(&d->lock);
    return n;
}

bool directclient_wait_frames(struct directclient *d, uint64_t n, int timeout_ms)
{
    struct timespec until;
    clock_gettime(CLOCK_REALTIME, &until);
    until.tv_sec += timeout_ms / 1000;
    until.tv_nsec += (long)(timeout_ms % 1000) * 1000000L;
    if (until.tv_nsec >= 1000000000L) {
        until.tv_sec++;
        until.tv_nsec -= 1000000000L;
    }
    pthread_mutex_lock(&d->lock);
    while (d->frames < n && !d->ended)
        if (pthread_cond_timedwait(&d->cond, &d->lock, &until) != 0)
            break;
    bool ok = d->frames >= n;
    pthread_mutex_unlock(&d->lock);
    return ok;
}

const uint8_t *directclient_pixels(struct directclient *d, int *w, int *h)
{
    *w = d->cl->width;
    *h = d->cl->height;
    return d->cl->frameBuffer;
}

unsigned long long directclient_bytes(struct directclient *d)
{
    struct tcp_info ti;
    socklen_t len = sizeof ti;
    memset(&ti, 0, sizeof ti);
    if (getsockopt(d->cl->sock, IPPROTO_TCP, TCP_INFO, &ti, &len) != 0)
        return 0;
    return (unsigned long long)ti.tcpi_bytes_received;
}
