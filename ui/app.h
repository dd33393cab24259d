/* The viewer application: one window showing one session, with its dialogs. */
#ifndef VV_UI_APP_H
#define VV_UI_APP_H

#include "options.h"

/* Runs the window until the user closes it. address_override (demo) replaces o->address.
 * Returns the exit status: 0, or the error that prevented any session from starting. */
int app_run(const struct vv_options *o, const char *address_override);

#endif
