/* A prompter for tests: answers by kind (a choice label, field values) and records every question
 * (kind, message, detail, whether TLS was up at the time). */
#ifndef VV_TESTPROMPT_H
#define VV_TESTPROMPT_H

#include <stdbool.h>

#include "prompt.h"

struct vencsrv;

#define TESTPROMPT_MAX 8

struct testprompt {
    struct prompter pr;
    /* Answers: the choice whose label equals choose[kind] (none: -1); for prompts without
     * choices, OK with fields[] as the values when fields[0] is set, else -1. */
    const char *choose[PROMPT_INSECURE + 1];
    const char *fields[PROMPT_MAX_FIELDS];
    struct vencsrv *srv; /* if set, tls_up[] records vencsrv_tls_active() at each question */
    bool wait_tls;       /* give the server up to 2 s to finish its side of the handshake */
    int asked;
    int kind[TESTPROMPT_MAX];
    bool warning[TESTPROMPT_MAX], tls_up[TESTPROMPT_MAX];
    int default_choice[TESTPROMPT_MAX];
    char message[TESTPROMPT_MAX][1024];
    char detail[TESTPROMPT_MAX][2048];
    char initial[TESTPROMPT_MAX][128]; /* first field's initial value */
};

/* interactive false: a prompter that never answers (prompt_ask returns -1 at once). */
void testprompt_init(struct testprompt *tp, bool interactive);

#endif
