/* `vncview snapshot`: connect without a window, wait for the first complete frame, write a PNG. */
#ifndef VV_SNAPSHOT_H
#define VV_SNAPSHOT_H

#include "options.h"

/* Returns the process exit status; prints the outcome to stderr. */
int snapshot_run(const struct vv_options *o);

#endif
