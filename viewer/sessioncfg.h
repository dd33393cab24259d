/* Turns command-line options into a session configuration: address, password source, encodings,
 * stream guard limits. */
#ifndef VV_SESSIONCFG_H
#define VV_SESSIONCFG_H

#include "options.h"
#include "session.h"

/* Fills cfg (without callbacks). *password receives a malloc'd password from --passwd or
 * VNC_PASSWORD, or NULL; free it with passwd_free(). */
bool sessioncfg_from_options(const struct vv_options *o, struct session_config *cfg,
                             char **password, struct vv_error *err);

#endif
