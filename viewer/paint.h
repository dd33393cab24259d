/* Writers into a session's framebuffer bracket their painting with these: with share_frame the
 * UI thread reads that framebuffer directly (no copy per update), under the frame lock these
 * take. Bracket the painting only, never a read from the server: the UI must not wait on the
 * network. No-ops for clients that are not a session's and for copying sessions. */
#ifndef VV_PAINT_H
#define VV_PAINT_H

#include <stdbool.h>

struct _rfbClient;
void session_paint(struct _rfbClient *cl, bool begin);

#endif
