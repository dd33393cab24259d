/* vncview entry point: parses the command line and dispatches to a subcommand. Subcommands
 * without a window (snapshot) never initialise SDL video. */
#include "app.h"
#include "demo_server.h"
#include "log.h"
#include "options.h"
#include "plat.h"
#include "snapshot.h"
#include "trust_cmd.h"

#include <stdio.h>
#include <string.h>

static int run_demo(const struct vv_options *o)
{
    struct vv_error err;
    vv_error_clear(&err);
    struct demo_server *d = demo_server_start(1280, 800, &err);
    if (!d) {
        fprintf(stderr, "vncview: cannot start the demo server: %s\n", err.message);
        return err.code ? err.code : VV_ERR_GENERIC;
    }
    char address[64];
    snprintf(address, sizeof address, "127.0.0.1::%d", demo_server_port(d));
    fprintf(stderr,
            "vncview: demo server listening on 127.0.0.1 port %d (loopback only); "
            "connecting\n",
            demo_server_port(d));
    int rc = app_run(o, address);
    demo_server_stop(d);
    return rc;
}

int main(int argc, char **argv)
{
    struct vv_options o;
    struct vv_error err;
    vv_error_clear(&err);
    plat_ignore_sigpipe();
    /* Its own small grammar (add/list/remove); no window, no connection. */
    if (argc > 1 && strcmp(argv[1], "trust") == 0)
        return trust_cmd_run(argc - 2, argv + 2);
    if (!options_parse(argc, argv, &o, &err)) {
        fprintf(stderr, "vncview: %s\nTry 'vncview --help' for more information.\n", err.message);
        return VV_ERR_USAGE;
    }
    if (o.help) {
        options_print_help(stdout);
        return 0;
    }
    if (o.version) {
        options_print_version(stdout);
        return 0;
    }
    log_set_level(o.debug ? LOG_DEBUG : o.verbose ? LOG_INFO : LOG_WARN);
    log_route_libvncclient();
    switch (o.command) {
    case CMD_SNAPSHOT:
        return snapshot_run(&o);
    case CMD_DEMO:
        return run_demo(&o);
    case CMD_CONNECT:
    default:
        return app_run(&o, NULL);
    }
}
