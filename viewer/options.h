/* The command line: one table of options drives parsing and --help (and later the store and the
 * settings dialog). No SDL. */
#ifndef VV_OPTIONS_H
#define VV_OPTIONS_H

#include <stdbool.h>
#include <stdio.h>

#include "error.h"

enum vv_command { CMD_CONNECT, CMD_SNAPSHOT, CMD_DEMO };

struct vv_dims {
    int w, h;
};

struct vv_options {
    enum vv_command command;
    const char *address;                    /* positional */
    const char *output;                     /* snapshot -o */
    const char *passwd_file;                /* --passwd */
    const char *encodings;                  /* --encodings */
    const char *ssh, *ssh_config, *ssh_key; /* --ssh/--via, --ssh-config, --ssh-key */
    const char *security, *user, *ca;       /* --security, --user, --ca */
    bool insecure;
    int quality, compress; /* -1 = default */
    int timeout_s;
    int scale; /* 0 = fit to window, 100 = 1:1 */
    /* Stream guard limits (--max-desktop, --max-clipboard in bytes, --max-cursor); 0 = the
     * guard's default. */
    struct vv_dims max_desktop;
    int max_clipboard, max_cursor;
    bool fullscreen, view_only, verbose, debug, help, version;
    bool no_remote_resize; /* keep the server's desktop size when the window changes */
};

/* Fills o from argv. false + err (VV_ERR_USAGE) on anything malformed. */
bool options_parse(int argc, char **argv, struct vv_options *o, struct vv_error *err);
void options_print_help(FILE *f);
void options_print_version(FILE *f);

#endif
