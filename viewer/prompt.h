/* Questions the connection asks its user (passwords, host keys, certificates, "send in clear?").
 * The transport pump asks from its own thread and blocks; the session turns a question into a
 * SESSION_EV_QUESTION event and the UI answers with session_answer(). No SDL here. */
#ifndef VV_PROMPT_H
#define VV_PROMPT_H

#include <stdbool.h>
#include <stddef.h>

enum prompt_kind {
    PROMPT_VNC_PASSWORD,   /* one secret field */
    PROMPT_CREDENTIALS,    /* user name + password (VeNCrypt Plain) */
    PROMPT_SSH_PASSWORD,   /* SSH password for user@host */
    PROMPT_SSH_PASSPHRASE, /* passphrase of a private key */
    PROMPT_SSH_KBDINT,     /* keyboard-interactive: the server's prompts as fields */
    PROMPT_SSH_HOSTKEY,    /* unknown host key: choices accept once / remember / refuse */
    PROMPT_CERTIFICATE,    /* untrusted certificate: accept once / trust / refuse */
    PROMPT_INSECURE,       /* plain connection to a remote host: continue / cancel */
};

#define PROMPT_MAX_FIELDS 4
#define PROMPT_MAX_CHOICES 4

struct prompt_field {
    char label[128];
    bool secret; /* drawn as dots, wiped after use */
    char *value; /* answer, malloc'd by the answerer; free with prompt_clear() */
    char initial[128];
};

struct prompt {
    enum prompt_kind kind;
    char title[128];
    char message[1024]; /* what is being asked and why, in sentences */
    char detail[2048];  /* monospace block (fingerprints, certificate subject...), may be empty */
    bool warning;       /* shown as a warning (changed keys, insecure connections) */
    int nfields;
    struct prompt_field fields[PROMPT_MAX_FIELDS];
    int nchoices;                            /* 0 means OK/Cancel */
    const char *choices[PROMPT_MAX_CHOICES]; /* string literals: prompts are copied */
    int default_choice, cancel_choice;
};

/* Who answers. ask() blocks until answered and returns the chosen index (for nchoices == 0:
 * 0 = OK), or -1 if cancelled or nobody can answer (interactive == false never asks). */
struct prompter {
    int (*ask)(void *ctx, struct prompt *p);
    void *ctx;
    bool interactive;
};

/* Asks, or returns -1 at once when the prompter is not interactive. */
int prompt_ask(const struct prompter *pr, struct prompt *p);
/* Wipes and frees the answers. */
void prompt_clear(struct prompt *p);
/* Helpers to fill a prompt. */
void prompt_init(struct prompt *p, enum prompt_kind kind, const char *title);
void prompt_add_field(struct prompt *p, const char *label, bool secret);
void prompt_add_choice(struct prompt *p, const char *label);

#endif
