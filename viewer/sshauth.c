/* SSH user authentication in OpenSSH's order (agent, key files, keyboard-interactive,
 * password), non-blocking, asking through the prompter for passphrases, the server's
 * keyboard-interactive questions and passwords. A failure lists what was tried. */
#include "ssh_int.h"

#include "log.h"
#include "plat.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#define MAX_TRIES 3 /* passphrases, passwords and keyboard-interactive rounds, as ssh */

enum res { TRY_OK, TRY_NEXT, TRY_PARTIAL, TRY_FAIL };

struct tried {
    char pubkey[700], kbdint[120], password[120];
};

static void note(char *buf, size_t size, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));
static void note(char *buf, size_t size, const char *fmt, ...)
{
    size_t n = strlen(buf);
    if (n && n + 2 < size)
        n += (size_t)snprintf(buf + n, size - n, ", ");
    if (n >= size)
        return;
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(buf + n, size - n, fmt, ap);
    va_end(ap);
}

/* What a libssh SSH_AUTH_ERROR means here: the connection broke, or we gave up waiting. */
static enum res auth_error(struct sshconn *c, struct vv_error *err)
{
    vv_error_set(err, VV_ERR_SSH_AUTH,
                 "the SSH server %s ended the connection during authentication: %s", c->hostport,
                 ssh_get_error(c->session));
    return TRY_FAIL;
}

static enum res map(struct sshconn *c, int rc, struct vv_error *err)
{
    switch (rc) {
    case SSH_AUTH_SUCCESS:
        return TRY_OK;
    case SSH_AUTH_PARTIAL:
        return TRY_PARTIAL;
    case SSH_AUTH_DENIED:
        return TRY_NEXT;
    default:
        return auth_error(c, err);
    }
}

#define WAIT_FAILED (-100) /* not a libssh code: sshconn_wait gave up (err set) */

/* rc = call, repeated while it says SSH_AUTH_AGAIN (non-blocking mode) and the wait allows. */
#define AUTH_CALL(c, err, rc, call)                                                                \
    do {                                                                                           \
        while (((rc) = (call)) == SSH_AUTH_AGAIN)                                                  \
            if (!sshconn_wait((c), "authentication", (err))) {                                     \
                (rc) = WAIT_FAILED;                                                                \
                break;                                                                             \
            }                                                                                      \
    } while (0)

static enum res finish(struct sshconn *c, int rc, struct vv_error *err)
{
    return rc == WAIT_FAILED ? TRY_FAIL : map(c, rc, err);
}

static enum res try_agent(struct sshconn *c, struct tried *t, struct vv_error *err)
{
    const char *sock = getenv("SSH_AUTH_SOCK");
    int rc;
    AUTH_CALL(c, err, rc, ssh_userauth_agent(c->session, NULL));
    if (sock && *sock)
        note(t->pubkey, sizeof t->pubkey, "agent");
    if (rc == SSH_AUTH_SUCCESS)
        log_info("SSH server %s accepted a key from the agent", c->hostport);
    return finish(c, rc, err);
}

struct keyask {
    bool asked;
};

/* Stands in for a passphrase prompt on the first load: tells us the key is encrypted (and keeps
 * OpenSSL from asking on a terminal by itself). */
static int detect_encrypted(const char *prompt, char *buf, size_t len, int echo, int verify,
                            void *userdata)
{
    (void)prompt, (void)buf, (void)len, (void)echo, (void)verify;
    ((struct keyask *)userdata)->asked = true;
    return -1;
}

static enum res load_private(struct sshconn *c, const char *path, const char *shown, ssh_key *out,
                             struct tried *t, struct vv_error *err)
{
    struct keyask ka = {false};
    int rc = ssh_pki_import_privkey_file(path, NULL, detect_encrypted, &ka, out);
    if (rc == SSH_OK)
        return TRY_OK;
    if (!ka.asked) {
        log_warn("cannot use the private key %s (%s)", path,
                 rc == SSH_EOF ? "not readable" : "unsupported or damaged");
        note(t->pubkey, sizeof t->pubkey, "%s (%s)", shown,
             rc == SSH_EOF ? "unreadable" : "unusable");
        return TRY_NEXT;
    }
    for (int attempt = 0; attempt < MAX_TRIES; attempt++) {
        struct prompt p;
        prompt_init(&p, PROMPT_SSH_PASSPHRASE, "SSH key passphrase");
        snprintf(p.message, sizeof p.message,
                 "%sEnter the passphrase of the key %s, to log in to the SSH server %s as %s.",
                 attempt ? "Wrong passphrase. " : "", shown, c->hostport, c->user);
        prompt_add_field(&p, "Passphrase", true);
        if (sshconn_ask(c, &p) != 0 || !p.fields[0].value) {
            prompt_clear(&p);
            if (sshconn_cancelled(c)) {
                vv_error_set(err, VV_ERR_CANCELLED, "cancelled at the passphrase question");
                return TRY_FAIL;
            }
            note(t->pubkey, sizeof t->pubkey, "%s (encrypted, no passphrase given)", shown);
            return TRY_NEXT;
        }
        rc = ssh_pki_import_privkey_file(path, p.fields[0].value, detect_encrypted, &ka, out);
        prompt_clear(&p); /* wipes the passphrase */
        if (rc == SSH_OK)
            return TRY_OK;
    }
    note(t->pubkey, sizeof t->pubkey, "%s (wrong passphrase)", shown);
    return TRY_NEXT;
}

/* One key file: offer the public half first (no passphrase asked for a key the server would
 * refuse anyway), then sign with the private key. */
static enum res try_key(struct sshconn *c, const char *path, bool explicit, struct tried *t,
                        struct vv_error *err)
{
    char pubpath[SSHCFG_PATH_MAX + 8], shown[SSHCFG_PATH_MAX];
    sshconn_short_path(c, path, shown, sizeof shown);
    snprintf(pubpath, sizeof pubpath, "%s.pub", path);
    bool have_priv = access(path, F_OK) == 0;
    if (!have_priv) {
        if (explicit) {
            log_warn("identity file %s not accessible: no such file", path);
            note(t->pubkey, sizeof t->pubkey, "%s (not found)", shown);
        }
        return TRY_NEXT;
    }
    ssh_key pub = NULL, priv = NULL;
    if (ssh_pki_import_pubkey_file(pubpath, &pub) == SSH_OK) {
        int rc;
        AUTH_CALL(c, err, rc, ssh_userauth_try_publickey(c->session, NULL, pub));
        ssh_key_free(pub);
        if (rc != SSH_AUTH_SUCCESS) {
            if (rc == SSH_AUTH_DENIED || rc == SSH_AUTH_PARTIAL)
                note(t->pubkey, sizeof t->pubkey, "%s", shown);
            return rc == SSH_AUTH_DENIED || rc == SSH_AUTH_PARTIAL ? TRY_NEXT : finish(c, rc, err);
        }
    }
    enum res r = load_private(c, path, shown, &priv, t, err);
    if (r != TRY_OK)
        return r;
    note(t->pubkey, sizeof t->pubkey, "%s", shown);
    int rc;
    AUTH_CALL(c, err, rc, ssh_userauth_publickey(c->session, NULL, priv));
    ssh_key_free(priv);
    if (rc == SSH_AUTH_SUCCESS)
        log_info("SSH server %s accepted the key %s", c->hostport, shown);
    return finish(c, rc, err);
}

static enum res try_keys(struct sshconn *c, const char *key_file, struct tried *t,
                         struct vv_error *err)
{
    static const char *const defaults[] = {"id_ed25519", "id_ecdsa", "id_rsa"};
    char path[SSHCFG_PATH_MAX];
    struct sshcfg_vars v = {c->home, c->local_user, c->user, c->host, c->port};
    enum res r;
    if (key_file && (r = try_key(c, key_file, true, t, err)) != TRY_NEXT)
        return r;
    for (int i = 0; i < c->cfg.nidentities; i++) {
        if (!sshcfg_expand(c->cfg.identities[i], &v, path, sizeof path)) {
            log_warn("IdentityFile %s: cannot expand it", c->cfg.identities[i]);
            continue;
        }
        if ((r = try_key(c, path, true, t, err)) != TRY_NEXT)
            return r;
    }
    if (key_file || c->cfg.nidentities > 0)
        return TRY_NEXT; /* as ssh: the defaults only when no identity was named */
    for (size_t i = 0; i < sizeof defaults / sizeof defaults[0]; i++) {
        snprintf(path, sizeof path, "%s/.ssh/%s", c->home, defaults[i]);
        if ((r = try_key(c, path, false, t, err)) != TRY_NEXT)
            return r;
    }
    return TRY_NEXT;
}

/* One keyboard-interactive exchange: the server's questions become prompt fields. */
static enum res kbdint_round(struct sshconn *c, struct tried *t, struct vv_error *err)
{
    for (;;) {
        int rc;
        AUTH_CALL(c, err, rc, ssh_userauth_kbdint(c->session, NULL, NULL));
        if (rc != SSH_AUTH_INFO)
            return finish(c, rc, err);
        int n = ssh_userauth_kbdint_getnprompts(c->session);
        if (n <= 0)
            continue; /* an empty round: answering with nothing is the protocol */
        if (n > PROMPT_MAX_FIELDS) {
            note(t->kbdint, sizeof t->kbdint, "%d questions, more than we can show", n);
            return TRY_NEXT;
        }
        struct prompt p;
        prompt_init(&p, PROMPT_SSH_KBDINT, "SSH login");
        const char *name = ssh_userauth_kbdint_getname(c->session);
        const char *instr = ssh_userauth_kbdint_getinstruction(c->session);
        snprintf(p.message, sizeof p.message, "The SSH server %s asks (user %s).%s%s%s%s",
                 c->hostport, c->user, name && *name ? " " : "", name ? name : "",
                 instr && *instr ? "\n" : "", instr ? instr : "");
        for (int i = 0; i < n; i++) {
            char echo = 0;
            const char *q = ssh_userauth_kbdint_getprompt(c->session, (unsigned)i, &echo);
            prompt_add_field(&p, q ? q : "", !echo);
        }
        if (sshconn_ask(c, &p) != 0) {
            prompt_clear(&p);
            if (sshconn_cancelled(c)) {
                vv_error_set(err, VV_ERR_CANCELLED, "cancelled at the SSH login question");
                return TRY_FAIL;
            }
            note(t->kbdint, sizeof t->kbdint, "not answered");
            return TRY_NEXT;
        }
        for (int i = 0; i < n; i++)
            ssh_userauth_kbdint_setanswer(c->session, (unsigned)i,
                                          p.fields[i].value ? p.fields[i].value : "");
        prompt_clear(&p);
    }
}

static enum res try_kbdint(struct sshconn *c, struct tried *t, struct vv_error *err)
{
    if (!c->pr || !c->pr->interactive) {
        note(t->kbdint, sizeof t->kbdint, "nobody to answer");
        return TRY_NEXT;
    }
    for (int attempt = 0; attempt < MAX_TRIES; attempt++) {
        enum res r = kbdint_round(c, t, err);
        if (r != TRY_NEXT || t->kbdint[0])
            return r;
    }
    note(t->kbdint, sizeof t->kbdint, "%d rounds refused", MAX_TRIES);
    return TRY_NEXT;
}

static enum res try_password(struct sshconn *c, struct tried *t, struct vv_error *err)
{
    if (!c->pr || !c->pr->interactive) {
        note(t->password, sizeof t->password, "none given");
        return TRY_NEXT;
    }
    for (int attempt = 0; attempt < MAX_TRIES; attempt++) {
        struct prompt p;
        prompt_init(&p, PROMPT_SSH_PASSWORD, "SSH password");
        snprintf(p.message, sizeof p.message,
                 "%sPassword of %s on the SSH server %s (the SSH login, not the VNC password).",
                 attempt ? "Permission denied, please try again. " : "", c->user, c->hostport);
        prompt_add_field(&p, "Password", true);
        if (sshconn_ask(c, &p) != 0 || !p.fields[0].value) {
            prompt_clear(&p);
            if (sshconn_cancelled(c)) {
                vv_error_set(err, VV_ERR_CANCELLED, "cancelled at the SSH password question");
                return TRY_FAIL;
            }
            note(t->password, sizeof t->password, attempt ? "%d refused" : "none given", attempt);
            return TRY_NEXT;
        }
        int rc;
        AUTH_CALL(c, err, rc, ssh_userauth_password(c->session, NULL, p.fields[0].value));
        prompt_clear(&p); /* wipes the password */
        if (rc != SSH_AUTH_DENIED)
            return finish(c, rc, err);
    }
    note(t->password, sizeof t->password, "%d refused", MAX_TRIES);
    return TRY_NEXT;
}

static void method_names(int m, char *out, size_t size)
{
    out[0] = '\0';
    if (m & SSH_AUTH_METHOD_PUBLICKEY)
        note(out, size, "publickey");
    if (m & SSH_AUTH_METHOD_INTERACTIVE)
        note(out, size, "keyboard-interactive");
    if (m & SSH_AUTH_METHOD_PASSWORD)
        note(out, size, "password");
    if (m & SSH_AUTH_METHOD_HOSTBASED)
        note(out, size, "hostbased");
    if (m & SSH_AUTH_METHOD_GSSAPI_MIC)
        note(out, size, "gssapi-with-mic");
    if (!out[0])
        snprintf(out, size, "none we know");
}

bool sshauth_run(struct sshconn *c, const char *key_file, struct vv_error *err)
{
    struct tried t;
    memset(&t, 0, sizeof t);
    int rc;
    AUTH_CALL(c, err, rc, ssh_userauth_none(c->session, NULL));
    if (rc == WAIT_FAILED || finish(c, rc, err) == TRY_FAIL)
        return false;
    if (rc == SSH_AUTH_SUCCESS)
        return true;
    char *banner = ssh_get_issue_banner(c->session);
    if (banner && *banner)
        log_info("SSH server %s says: %s", c->hostport, banner);
    ssh_string_free_char(banner);
    /* Phases in OpenSSH's order; after a partial success (AuthenticationMethods a,b) the list
     * is asked again and the phases not yet done get their turn. */
    bool done[4] = {false};
    int methods = ssh_userauth_list(c->session, NULL);
    for (int round = 0; round < 4; round++) {
        enum res r = TRY_NEXT;
        int phase;
        for (phase = 0; phase < 4 && (r == TRY_NEXT); phase++) {
            static const int need[4] = {SSH_AUTH_METHOD_PUBLICKEY, SSH_AUTH_METHOD_PUBLICKEY,
                                        SSH_AUTH_METHOD_INTERACTIVE, SSH_AUTH_METHOD_PASSWORD};
            if (done[phase] || !(methods & need[phase]))
                continue;
            done[phase] = true;
            r = phase == 0   ? try_agent(c, &t, err)
                : phase == 1 ? try_keys(c, key_file, &t, err)
                : phase == 2 ? try_kbdint(c, &t, err)
                             : try_password(c, &t, err);
        }
        if (r == TRY_OK)
            return true;
        if (r == TRY_FAIL)
            return false;
        if (r != TRY_PARTIAL)
            break;
        log_info("SSH server %s: partial success, it wants another method", c->hostport);
        methods = ssh_userauth_list(c->session, NULL);
    }
    char accepts[160], what[1000] = "";
    method_names(methods, accepts, sizeof accepts);
    size_t n = 0;
    if (methods & SSH_AUTH_METHOD_PUBLICKEY)
        n += (size_t)snprintf(what + n, sizeof what - n, "publickey: %s",
                              t.pubkey[0] ? t.pubkey : "no key");
    if ((methods & SSH_AUTH_METHOD_INTERACTIVE) && n < sizeof what)
        n += (size_t)snprintf(what + n, sizeof what - n, "%skeyboard-interactive: %s",
                              n ? "; " : "", t.kbdint[0] ? t.kbdint : "refused");
    if ((methods & SSH_AUTH_METHOD_PASSWORD) && n < sizeof what)
        snprintf(what + n, sizeof what - n, "%spassword: %s", n ? "; " : "",
                 t.password[0] ? t.password : "refused");
    vv_error_set(err, VV_ERR_SSH_AUTH,
                 "%s@%s refused every method we tried (%s); the server accepts: %s", c->user,
                 c->hostport, what[0] ? what : "nothing was tried", accepts);
    return false;
}
