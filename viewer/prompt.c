/* Prompt helpers. */
#include "prompt.h"

#include "plat.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

int prompt_ask(const struct prompter *pr, struct prompt *p)
{
    if (!pr || !pr->interactive || !pr->ask)
        return -1;
    return pr->ask(pr->ctx, p);
}

void prompt_clear(struct prompt *p)
{
    for (int i = 0; i < p->nfields; i++) {
        if (p->fields[i].value) {
            plat_wipe(p->fields[i].value, strlen(p->fields[i].value));
            free(p->fields[i].value);
            p->fields[i].value = NULL;
        }
    }
}

void prompt_init(struct prompt *p, enum prompt_kind kind, const char *title)
{
    memset(p, 0, sizeof *p);
    p->kind = kind;
    snprintf(p->title, sizeof p->title, "%s", title);
}

void prompt_add_field(struct prompt *p, const char *label, bool secret)
{
    if (p->nfields >= PROMPT_MAX_FIELDS)
        return;
    struct prompt_field *f = &p->fields[p->nfields++];
    snprintf(f->label, sizeof f->label, "%s", label);
    f->secret = secret;
}

void prompt_add_choice(struct prompt *p, const char *label)
{
    if (p->nchoices < PROMPT_MAX_CHOICES)
        p->choices[p->nchoices++] = label;
}
