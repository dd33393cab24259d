/* A scripted VNC server that can speak TLS (GnuTLS server side), for VeNCrypt, anonymous TLS and
 * Plain tests: it accepts one connection on 127.0.0.1 and runs a test-supplied script; its I/O
 * goes through TLS once the script started it, and every byte that arrived on the wire is kept
 * so a test can prove a secret never travelled in clear. Also a client-side helper that runs
 * vncview's handshake against it. */
#ifndef VV_VENCSRV_H
#define VV_VENCSRV_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "handshake.h"
#include "testcert.h"

struct vencsrv;
typedef void (*vencsrv_script_fn)(struct vencsrv *srv, void *arg);

/* Listens on 127.0.0.1 (kernel-chosen port) and runs script(srv, arg) on its own thread for the
 * first connection. NULL on failure. */
struct vencsrv *vencsrv_start(vencsrv_script_fn script, void *arg);
int vencsrv_port(const struct vencsrv *srv);
/* Waits until the script has returned by itself (the client hung up); false on timeout. */
bool vencsrv_wait(struct vencsrv *srv, int timeout_ms);
/* Gives the script up to 3 s to end by itself, then wakes its waits, joins it, frees
 * everything. NULL allowed. */
void vencsrv_stop(struct vencsrv *srv);

/* I/O on the accepted connection (through TLS once started); false on timeout, EOF, error or
 * stop. Timeouts in ms. */
bool vencsrv_send(struct vencsrv *srv, const void *buf, size_t n);
bool vencsrv_send_u8(struct vencsrv *srv, uint8_t v);
bool vencsrv_send_u32(struct vencsrv *srv, uint32_t v);
bool vencsrv_recv(struct vencsrv *srv, void *buf, size_t n, int timeout_ms);
bool vencsrv_recv_u32(struct vencsrv *srv, uint32_t *v, int timeout_ms);
/* Reads and drops until the client closes (true) or timeout/stop (false). */
bool vencsrv_hold(struct vencsrv *srv, int timeout_ms);

/* Server side of the TLS handshake: with cert (and its key), or anonymous when cert is NULL. */
bool vencsrv_start_tls(struct vencsrv *srv, const struct testcert *cert);
/* True while TLS is up (any thread: prompters check that secrets are asked for only then). */
bool vencsrv_tls_active(struct vencsrv *srv);

/* Protocol steps. "RFB 003.008\n" and the client's version; then the security-type list. */
bool vencsrv_greet(struct vencsrv *srv, const uint8_t *types, size_t n, uint8_t *chosen);
/* VeNCrypt 0.2 version exchange, subtype list, the client's choice. */
bool vencsrv_vencrypt(struct vencsrv *srv, const uint32_t *subtypes, size_t n, uint32_t *chosen);
/* VncAuth challenge/response; *ok tells whether the response was right for password. */
bool vencsrv_vncauth(struct vencsrv *srv, const char *password, bool *ok);
/* Reads Plain credentials (u32, u32, user, password) into user/pw (NUL-terminated). */
bool vencsrv_plain(struct vencsrv *srv, char *user, size_t usize, char *pw, size_t psize);
/* SecurityResult: 0 = OK; otherwise 1 and a reason (RFB 3.8). */
bool vencsrv_result(struct vencsrv *srv, bool ok, const char *reason);

/* After vencsrv_wait or vencsrv_stop: were these bytes ever received on the wire (before any
 * decryption)? */
bool vencsrv_wire_contains(struct vencsrv *srv, const void *needle, size_t n);
size_t vencsrv_wire_bytes(struct vencsrv *srv);

/* Client side: TCP to 127.0.0.1:port and handshake_run with cfg (deadline filled in when 0).
 * The transport is closed before returning unless keep is non-NULL (then the caller closes). */
bool vencsrv_client(int port, struct handshake_config *cfg, struct handshake_result *res,
                    struct vv_error *err, struct transport **keep);

#endif
