/* VNC passwords from outside the program: files made by vncpasswd, and $VNC_PASSWORD. */
#ifndef VV_PASSWD_H
#define VV_PASSWD_H

#include "error.h"

/* Reads a password file written by TigerVNC's (or libvncserver's, x11vnc's) vncpasswd: the
 * password zero-padded to 8 bytes and DES-encrypted with VNC's fixed key. A 16-byte file also
 * holds a view-only password; only the first (full-access) one is returned. VNC authentication
 * uses at most 8 characters, so that is all such a file can hold.
 * Returns the password, NUL-terminated and malloc'd (caller frees with passwd_free), or NULL
 * with VV_ERR_IO and a message that names the file and says how to make one. Every
 * intermediate copy is wiped. */
char *passwd_read_vncpasswd_file(const char *path, struct vv_error *err);

/* Wipes the whole string, then frees it. NULL is allowed. */
void passwd_free(char *pw);

/* Returns a malloc'd copy of $VNC_PASSWORD (caller frees with passwd_free), or NULL when it is
 * unset or empty (an empty VNC password is never what is meant; the caller goes on to the next
 * source of passwords).
 * The variable is deliberately left in the environment: unsetenv() is not safe while other
 * threads may call getenv(), and it would not help anyway, because /proc/PID/environ shows the
 * environment the process started with, whatever it does later. So the password stays visible
 * to processes of the same user (and root), and children inherit it; a --passwd file is the
 * better choice where that matters. A caller that still wants it gone from the environment of
 * child processes can unsetenv("VNC_PASSWORD") itself early in main, before starting threads. */
char *passwd_from_env(void);

#endif
