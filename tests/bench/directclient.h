/* Benchmark baseline: a plain libvncclient client that reads its TCP socket directly on its own
 * thread ("vv-baseline"): no transport pump, no socketpair, no published front buffer. What
 * vncview's session is compared with to show what its relay and publication cost. */
#ifndef VV_DIRECTCLIENT_H
#define VV_DIRECTCLIENT_H

#include <stdbool.h>
#include <stdint.h>

struct directclient;

/* Connects to 127.0.0.1:port (security None) with B,G,R,X pixels and the space-separated
 * libvncclient encodings string; quality < 0 = no JPEG. NULL on failure (printed on stderr).
 * Free with directclient_stop. */
struct directclient *directclient_start(int port, const char *encodings, int compress, int quality);
void directclient_stop(struct directclient *d);
/* FramebufferUpdates completely handled so far. */
uint64_t directclient_frames(struct directclient *d);
/* Waits until frames >= n; false on timeout or when the connection ended. */
bool directclient_wait_frames(struct directclient *d, uint64_t n, int timeout_ms);
/* libvncclient's framebuffer: B,G,R,X bytes, stride w*4. Read it only while no update is being
 * decoded (the benchmark changes the server only after reading). */
const uint8_t *directclient_pixels(struct directclient *d, int *w, int *h);
/* Bytes the kernel received on the TCP socket so far (TCP_INFO). */
unsigned long long directclient_bytes(struct directclient *d);

#endif
