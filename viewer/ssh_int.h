/* Internals shared by the SSH transport's parts (ssh.c: connect, channel, transport;
 * sshhostkey.c: host key policy; sshauth.c: authentication). One connection attempt, used
 * from the pump thread only. libssh runs non-blocking; every wait goes through sshconn_wait. */
#ifndef VV_SSH_INT_H
#define VV_SSH_INT_H

#include <libssh/libssh.h>
#include <stdint.h>

#include "ssh.h"
#include "sshcfg.h"

struct sshconn {
    ssh_session session;
    const struct prompter *pr;
    int cancel_fd;
    int timeout_ms;
    uint64_t deadline; /* plat_now_ms based; a prompt pushes it back by the time it was open */
    char host[256];    /* the SSH server after the config (HostName), lower case */
    int port;
    char user[128];
    char hostport[300]; /* "host:port", "[v6]:port": how messages name the SSH server */
    char home[SSHCFG_PATH_MAX];
    char local_user[128];
    char known_hosts[SSHCFG_PATH_MAX]; /* the user known_hosts file in use */
    struct sshcfg cfg;
};

/* Waits (at most a short slice) until libssh's socket is ready, or fails with VV_ERR_TIMEOUT
 * ("... did not complete WHAT within N s") at the deadline, or VV_ERR_CANCELLED. */
bool sshconn_wait(struct sshconn *c, const char *what, struct vv_error *err);
/* prompt_ask without counting the user's thinking time against the deadline. */
int sshconn_ask(struct sshconn *c, struct prompt *p);
/* True once cancel_fd is readable. */
bool sshconn_cancelled(const struct sshconn *c);
/* path with the home directory written as "~", for messages. */
void sshconn_short_path(const struct sshconn *c, const char *path, char *out, size_t size);

/* Checks the server's host key against known_hosts and the StrictHostKeyChecking policy,
 * asking the user about an unknown key; fills info's host_key_known and host_key_fp. */
bool sshhostkey_verify(struct sshconn *c, struct ssh_info *info, struct vv_error *err);

/* Authenticates as OpenSSH does: agent, keys (key_file, else the config's IdentityFiles, else
 * ~/.ssh/id_ed25519, id_ecdsa, id_rsa), keyboard-interactive, password. false + err
 * (VV_ERR_SSH_AUTH listing what was tried and what the server accepts). */
bool sshauth_run(struct sshconn *c, const char *key_file, struct vv_error *err);

#endif
