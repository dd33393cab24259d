/* hostilesrv: serves one hostile-server scenario (tests/support/hostile.h) on 127.0.0.1 for
 * GUI tests and manual use. "hostilesrv SCENARIO" prints the port on stdout, serves one
 * connection and exits; "hostilesrv --list" lists the scenarios and the viewer options each
 * needs. Exit status: 0 once the connection is over, 1 if no client came, 2 on usage errors. */
#include "hostile.h"

#include "error.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* Accepting waits 60 s at most (badsrv); a scenario then runs until the client leaves or, at
 * most, its hold time: well within this. */
#define SERVE_MS (30 * 60 * 1000)

static void usage(FILE *f)
{
    fprintf(f, "usage: hostilesrv SCENARIO   serve one connection on 127.0.0.1, print the port\n"
               "       hostilesrv --list     the scenarios\n");
}

static void list(void)
{
    size_t n;
    const struct hostile_scenario *all = hostile_all(&n);
    for (size_t i = 0; i < n; i++) {
        const struct hostile_scenario *sc = &all[i];
        printf("%-24s %s", sc->name, sc->summary);
        if (sc->encodings)
            printf(" [vncview --encodings '%s']", sc->encodings);
        if (sc->quality >= 0)
            printf(" [vncview --quality %d]", sc->quality);
        if (sc->code != VV_OK)
            printf(" -> %s: \"%s\"", vv_status_name(sc->code), sc->words[0]);
        printf("\n");
    }
}

int main(int argc, char **argv)
{
    if (argc != 2) {
        usage(stderr);
        return 2;
    }
    if (strcmp(argv[1], "--list") == 0) {
        list();
        return 0;
    }
    if (strcmp(argv[1], "--help") == 0 || strcmp(argv[1], "-h") == 0) {
        usage(stdout);
        return 0;
    }
    const struct hostile_scenario *sc = hostile_find(argv[1]);
    if (!sc) {
        fprintf(stderr, "hostilesrv: no scenario '%s' (hostilesrv --list)\n", argv[1]);
        return 2;
    }
    struct hostile_run *r = hostile_start(sc, false);
    if (!r)
        return 1;
    printf("%d\n", hostile_port(r));
    fflush(stdout);
    fprintf(stderr, "hostilesrv: %s: %s, on 127.0.0.1 port %d\n", sc->name, sc->summary,
            hostile_port(r));
    bool done = hostile_wait_done(r, SERVE_MS);
    bool attacked = hostile_attacked(r);
    unsigned long long updates = (unsigned long long)hostile_updates_sent(r);
    hostile_stop(r);
    fprintf(stderr, "hostilesrv: %s: connection over; attack %s", sc->name,
            attacked ? "made" : "never reached");
    if (sc->flags & HOSTILE_ENDLESS)
        fprintf(stderr, ", %llu updates sent", updates);
    fprintf(stderr, "\n");
    return done && attacked ? 0 : 1;
}
