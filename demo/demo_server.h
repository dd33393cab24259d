/* The embedded demo server behind `vncview demo`: an animated desktop that echoes the input it
 * receives, served by libvncserver on 127.0.0.1 only, on a port the kernel picks, with no
 * authentication. Keys on the demo desktop: F2 rings the bell, F3 puts text on the viewer's
 * clipboard. */
#ifndef VV_DEMO_SERVER_H
#define VV_DEMO_SERVER_H

#include "error.h"

struct demo_server;

/* Starts the server and its thread. width/height are clamped to 64..8192. Opens fonts (SDL_ttf,
 * found with fontconfig): call start and stop from the thread that opens the UI's fonts, since
 * FreeType wants font opening serialised. Without fonts the desktop still runs, without text.
 * Returns NULL and sets err on failure. Free with demo_server_stop. */
struct demo_server *demo_server_start(int width, int height, struct vv_error *err);
int demo_server_port(struct demo_server *d);
/* Server-initiated resize (clamped to 64..8192); viewers are told through ExtDesktopSize or
 * NewFBSize. Viewers' own SetDesktopSize requests are accepted the same way. Any thread. */
void demo_server_resize(struct demo_server *d, int w, int h);
/* Disconnects viewers, stops the thread and frees everything. NULL is allowed. */
void demo_server_stop(struct demo_server *d);

#endif
