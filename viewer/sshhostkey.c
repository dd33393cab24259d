/* The SSH server's host key against known_hosts, with OpenSSH's policy: known keys pass, a
 * changed key is always refused (loudly, naming the offending line), an unknown key is asked
 * about or handled as StrictHostKeyChecking says. */
#include "ssh_int.h"

#include "log.h"
#include "sshkh.h"

#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define GLOBAL_KNOWN_HOSTS "/etc/ssh/ssh_known_hosts"

/* Keys the user accepted once in this process, so that reconnecting (a VNC password retry
 * opens a new tunnel) does not ask again. "name fingerprint" strings. */
#define ONCE_MAX 16
static pthread_mutex_t once_lock = PTHREAD_MUTEX_INITIALIZER;
static char once_keys[ONCE_MAX][400];
static int once_count;

static bool once_has(const char *id)
{
    bool found = false;
    pthread_mutex_lock(&once_lock);
    for (int i = 0; i < once_count && !found; i++)
        found = strcmp(once_keys[i], id) == 0;
    pthread_mutex_unlock(&once_lock);
    return found;
}

static void once_add(const char *id)
{
    pthread_mutex_lock(&once_lock);
    snprintf(once_keys[once_count % ONCE_MAX], sizeof once_keys[0], "%s", id);
    once_count = once_count < ONCE_MAX ? once_count + 1 : ONCE_MAX;
    pthread_mutex_unlock(&once_lock);
}

/* OpenSSH's name for a key type in messages: "ED25519", "ECDSA", "RSA". */
static const char *type_label(const char *type)
{
    if (strcmp(type, "ssh-ed25519") == 0)
        return "ED25519";
    if (strncmp(type, "ecdsa-", 6) == 0)
        return "ECDSA";
    if (strcmp(type, "ssh-rsa") == 0)
        return "RSA";
    if (strcmp(type, "ssh-dss") == 0)
        return "DSA";
    if (strncmp(type, "sk-ssh-ed25519", 14) == 0)
        return "ED25519-SK";
    if (strncmp(type, "sk-ecdsa", 8) == 0)
        return "ECDSA-SK";
    return type;
}

/* The name part of sshd's host key file for a type: /etc/ssh/ssh_host_TAG_key.pub. */
static const char *file_tag(const char *type)
{
    if (strcmp(type, "ssh-rsa") == 0)
        return "rsa";
    if (strncmp(type, "ecdsa-", 6) == 0)
        return "ecdsa";
    return "ed25519";
}

struct server_key {
    const char *type; /* "ssh-ed25519" (libssh's static string) */
    char *b64;        /* libssh-allocated */
    char fp[128];     /* "SHA256:..." */
    char name[300];   /* known_hosts name: "host" or "[host]:port" */
};

static bool get_server_key(struct sshconn *c, struct server_key *k, struct vv_error *err)
{
    ssh_key key = NULL;
    unsigned char *hash = NULL;
    size_t hlen = 0;
    char *fp = NULL;
    bool ok = false;
    if (ssh_get_server_publickey(c->session, &key) == SSH_OK && key &&
        (k->type = ssh_key_type_to_char(ssh_key_type(key))) &&
        ssh_pki_export_pubkey_base64(key, &k->b64) == SSH_OK &&
        ssh_get_publickey_hash(key, SSH_PUBLICKEY_HASH_SHA256, &hash, &hlen) == 0 &&
        (fp = ssh_get_fingerprint_hash(SSH_PUBLICKEY_HASH_SHA256, hash, hlen))) {
        snprintf(k->fp, sizeof k->fp, "%s", fp);
        ok = true;
    } else {
        vv_error_set(err, VV_ERR_HOSTKEY, "cannot read the host key of the SSH server %s: %s",
                     c->hostport, ssh_get_error(c->session));
    }
    ssh_string_free_char(fp);
    ssh_clean_pubkey_hash(&hash);
    ssh_key_free(key);
    sshkh_name(c->host, c->port, k->name, sizeof k->name);
    return ok;
}

static void changed_key(struct sshconn *c, const struct server_key *k, const char *file,
                        const struct sshkh_result *r, struct vv_error *err)
{
    char line[40] = "", shown[SSHCFG_PATH_MAX];
    if (r->line)
        snprintf(line, sizeof line, ":%d", r->line);
    sshconn_short_path(c, file, shown, sizeof shown);
    log_error("the SSH server's host key has changed:\n"
              "@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@\n"
              "@    WARNING: REMOTE HOST IDENTIFICATION HAS CHANGED!     @\n"
              "@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@\n"
              "IT IS POSSIBLE THAT SOMEONE IS DOING SOMETHING NASTY!\n"
              "Someone could be eavesdropping on you right now (man-in-the-middle attack)!\n"
              "It is also possible that a host key has just been changed.\n"
              "The fingerprint for the %s key sent by the remote host is\n%s.\n"
              "Please contact your system administrator.\n"
              "Add correct host key in %s to get rid of this message.\n"
              "Offending %s key in %s%s\n"
              "  remove with:\n"
              "  ssh-keygen -f \"%s\" -R \"%s\"\n"
              "Host key for %s has changed and vncview always refuses a changed key.\n"
              "Host key verification failed.",
              type_label(k->type), k->fp, file, type_label(r->line ? r->type : k->type), file, line,
              file, k->name, k->name);
    vv_error_set(err, VV_ERR_HOSTKEY,
                 "WARNING: REMOTE HOST IDENTIFICATION HAS CHANGED for the SSH server %s! Someone "
                 "could be eavesdropping on you right now (man-in-the-middle attack), or its host "
                 "key has just been changed. The %s key it sent is %s; offending key in %s%s. If "
                 "the administrator confirms the change: ssh-keygen -f \"%s\" -R \"%s\"",
                 c->hostport, type_label(k->type), k->fp, shown, line, file, k->name);
}

/* Writes the key as "Accept and remember" and accept-new do; a failure only warns, as ssh. */
static void remember(struct sshconn *c, const struct server_key *k, struct ssh_info *info)
{
    struct vv_error e;
    if ((info->host_key_added =
             sshkh_add(c->known_hosts, k->name, k->type, k->b64, c->cfg.hash_known_hosts, &e)))
        log_warn("Permanently added '%s' (%s) to the list of known hosts (%s%s).", k->name,
                 type_label(k->type), c->known_hosts, c->cfg.hash_known_hosts ? ", hashed" : "");
    else
        log_warn("the host key was accepted but not remembered: %s", e.message);
}

/* Asks about an unknown key: 0 accept once, 1 accept and remember, other = refused. */
static int ask_user(struct sshconn *c, const struct server_key *k, const struct sshkh_result *r,
                    const char *other_file)
{
    struct prompt p;
    char other[SSHCFG_PATH_MAX + 200] = "", shown[SSHCFG_PATH_MAX];
    prompt_init(&p, PROMPT_SSH_HOSTKEY, "Unknown SSH host key");
    if (r->line) {
        sshconn_short_path(c, other_file, shown, sizeof shown);
        snprintf(other, sizeof other,
                 " A key of another type (%s) is known for it (%s:%d), but not this one.",
                 type_label(r->type), shown, r->line);
    }
    sshconn_short_path(c, c->known_hosts, shown, sizeof shown);
    snprintf(p.message, sizeof p.message,
             "The authenticity of the SSH server %s can't be established: its host key is not "
             "in %s.%s Accept it only if the fingerprint below is the one the server's "
             "administrator gives you (ssh-keygen -lf /etc/ssh/ssh_host_%s_key.pub on the "
             "server).",
             c->hostport, shown, other, file_tag(k->type));
    snprintf(p.detail, sizeof p.detail, "%s key fingerprint:\n%s\n\nHost: %s\nUser: %s",
             type_label(k->type), k->fp, k->name, c->user);
    prompt_add_choice(&p, "Accept once");
    prompt_add_choice(&p, "Accept and remember");
    prompt_add_choice(&p, "Refuse");
    p.default_choice = 2;
    p.cancel_choice = 2;
    int choice = sshconn_ask(c, &p);
    prompt_clear(&p);
    return choice;
}

static bool refuse_unknown(struct sshconn *c, const struct server_key *k, bool strict_yes,
                           struct vv_error *err)
{
    char shown[SSHCFG_PATH_MAX], port[16] = "";
    if (c->port != 22)
        snprintf(port, sizeof port, " -p %d", c->port);
    sshconn_short_path(c, c->known_hosts, shown, sizeof shown);
    vv_error_set(err, VV_ERR_HOSTKEY,
                 "the SSH server %s is unknown (not in %s) and %s: its %s key fingerprint is %s. "
                 "Compare it with the server's (ssh-keygen -lf on its host key), then connect "
                 "once with ssh, or append `ssh-keyscan%s %s` to %s, or set "
                 "StrictHostKeyChecking accept-new in the SSH config",
                 c->hostport, shown,
                 strict_yes ? "StrictHostKeyChecking is yes" : "nobody can confirm its key here",
                 type_label(k->type), k->fp, port, c->host, shown);
    return false;
}

bool sshhostkey_verify(struct sshconn *c, struct ssh_info *info, struct vv_error *err)
{
    struct server_key k = {0};
    if (!get_server_key(c, &k, err))
        goto fail;
    snprintf(info->host_key_fp, sizeof info->host_key_fp, "%s", k.fp);
    struct sshkh_result ur, gr;
    if (!sshkh_lookup(c->known_hosts, k.name, k.type, k.b64, &ur))
        log_warn("cannot read %s: host key entries there are ignored", c->known_hosts);
    if (!sshkh_lookup(GLOBAL_KNOWN_HOSTS, k.name, k.type, k.b64, &gr))
        memset(&gr, 0, sizeof gr);
    if (ur.revoked_line || gr.revoked_line) {
        vv_error_set(err, VV_ERR_HOSTKEY,
                     "the SSH server %s presented a REVOKED host key (%s %s, marked @revoked in "
                     "%s:%d): refused",
                     c->hostport, type_label(k.type), k.fp,
                     ur.revoked_line ? c->known_hosts : GLOBAL_KNOWN_HOSTS,
                     ur.revoked_line ? ur.revoked_line : gr.revoked_line);
        goto fail;
    }
    enum ssh_known_hosts_e st = ssh_session_is_known_server(c->session);
    const struct sshkh_result *r = ur.line ? &ur : &gr;
    const char *file = ur.line ? c->known_hosts : GLOBAL_KNOWN_HOSTS;
    switch (st) {
    case SSH_KNOWN_HOSTS_OK:
        info->host_key_known = true;
        log_info("SSH server %s: %s host key %s matches %s", c->hostport, type_label(k.type), k.fp,
                 ur.same_line ? c->known_hosts : "known_hosts");
        ssh_string_free_char(k.b64);
        return true;
    case SSH_KNOWN_HOSTS_CHANGED:
        changed_key(c, &k, file, r, err);
        goto fail;
    case SSH_KNOWN_HOSTS_ERROR:
        log_warn("cannot check the known hosts files: %s", ssh_get_error(c->session));
        break;
    default: /* UNKNOWN, NOT_FOUND, OTHER (only keys of other types are known) */
        break;
    }
    info->host_key_known = false;
    char once_id[sizeof once_keys[0]];
    snprintf(once_id, sizeof once_id, "%s %s", k.name, k.fp);
    switch (c->cfg.strict) {
    case SSHCFG_STRICT_YES:
        refuse_unknown(c, &k, true, err);
        goto fail;
    case SSHCFG_STRICT_NO:
        log_warn("SSH server %s: accepting its unknown %s key %s without asking "
                 "(StrictHostKeyChecking no)",
                 c->hostport, type_label(k.type), k.fp);
        break;
    case SSHCFG_STRICT_ACCEPT_NEW:
        remember(c, &k, info);
        break;
    case SSHCFG_STRICT_ASK:
        if (once_has(once_id)) {
            log_info("SSH server %s: %s key %s was accepted once earlier", c->hostport,
                     type_label(k.type), k.fp);
            break;
        }
        switch (ask_user(c, &k, r, file)) {
        case 0:
            once_add(once_id);
            log_info("SSH server %s: %s key %s accepted once", c->hostport, type_label(k.type),
                     k.fp);
            break;
        case 1:
            remember(c, &k, info);
            break;
        default:
            if (sshconn_cancelled(c))
                vv_error_set(err, VV_ERR_CANCELLED, "cancelled at the host key question");
            else if (c->pr && c->pr->interactive)
                vv_error_set(err, VV_ERR_HOSTKEY,
                             "you refused the host key %s of the SSH server %s", k.fp, c->hostport);
            else
                refuse_unknown(c, &k, false, err);
            goto fail;
        }
        break;
    }
    ssh_string_free_char(k.b64);
    return true;
fail:
    ssh_string_free_char(k.b64);
    return false;
}
