/* Recording test prompter. */
#include "testprompt.h"

#include "vencsrv.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

static int ask(void *ctx, struct prompt *p)
{
    struct testprompt *tp = ctx;
    int i = tp->asked < TESTPROMPT_MAX ? tp->asked : TESTPROMPT_MAX - 1;
    tp->asked++;
    tp->kind[i] = p->kind;
    tp->warning[i] = p->warning;
    /* The server finishes its side of the TLS handshake a moment after we do; a client that
     * asked before starting TLS at all leaves it waiting for cleartext, and this stays false. */
    for (int w = 0; tp->srv && tp->wait_tls && w < 200 && !vencsrv_tls_active(tp->srv); w++)
        usleep(10 * 1000);
    tp->tls_up[i] = tp->srv && vencsrv_tls_active(tp->srv);
    tp->default_choice[i] = p->default_choice;
    snprintf(tp->message[i], sizeof tp->message[i], "%s", p->message);
    snprintf(tp->detail[i], sizeof tp->detail[i], "%s", p->detail);
    snprintf(tp->initial[i], sizeof tp->initial[i], "%s", p->nfields ? p->fields[0].initial : "");
    if (p->nchoices > 0) {
        const char *want = (unsigned)p->kind <= PROMPT_INSECURE ? tp->choose[p->kind] : NULL;
        for (int c = 0; want && c < p->nchoices; c++)
            if (strcmp(p->choices[c], want) == 0)
                return c;
        return -1;
    }
    if (!tp->fields[0])
        return -1;
    for (int f = 0; f < p->nfields; f++)
        p->fields[f].value = tp->fields[f] ? strdup(tp->fields[f]) : NULL;
    return 0;
}

void testprompt_init(struct testprompt *tp, bool interactive)
{
    memset(tp, 0, sizeof *tp);
    tp->pr.ask = ask;
    tp->pr.ctx = tp;
    tp->pr.interactive = interactive;
}
