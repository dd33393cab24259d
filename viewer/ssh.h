/* The SSH transport: libssh connects to a bastion, verifies its host key (known_hosts, ssh
 * config), authenticates in OpenSSH's order and opens a direct-tcpip channel to the VNC server
 * as the bastion resolves it. No local listening port. Used by the pump thread only.
 *
 * How it behaves, for users who know OpenSSH:
 * - Config: --ssh-config FILE (as ssh -F: nothing else), else ~/.ssh/config then
 *   /etc/ssh/ssh_config. "~" is $HOME (libssh alone would use the password database's home).
 *   libssh reads HostName, User, Port, ProxyCommand, ProxyJump, Ciphers... itself; our own
 *   reader (sshcfg.h) reads what libssh does not report: StrictHostKeyChecking (yes, no,
 *   accept-new, ask), HashKnownHosts, IdentityFile (all of them), UserKnownHostsFile. The
 *   command line's user and port win over the config. libssh matches later Host lines against
 *   the HostName once one is set; our reader, like ssh, against the name given.
 * - ProxyJump: libssh 0.10 turns it into ProxyCommand "ssh -l USER -p PORT -W [%h]:%p HOST"
 *   (more hops as -J) run by /bin/sh: the jump hosts are the OpenSSH client's business (its
 *   ~/.ssh/config, known_hosts and agent; its questions go to a terminal, none in the GUI).
 * - Host keys: known -> checked; changed -> always refused, with OpenSSH's warning and the
 *   offending file:line; unknown -> asked (Accept once / Accept and remember / Refuse), or
 *   StrictHostKeyChecking decides; nobody to ask -> refused with the fingerprint.
 * - Timeout and cancel: libssh runs non-blocking; every wait is a poll of its socket and the
 *   cancel fd in slices of at most 50 ms, so neither waits on libssh's own timeouts. Not
 *   interruptible (short, local): the name lookup, the agent's answers, a key's passphrase
 *   derivation. libssh makes the socket blocking once connected and writes only after poll
 *   says it can; a write could then wait for the kernel, never for the SSH window. */
#ifndef VV_SSH_H
#define VV_SSH_H

#include <stdbool.h>

#include "error.h"
#include "prompt.h"
#include "transport.h"

struct ssh_params {
    const char *spec;        /* [USER@]HOST[:PORT] as given to --ssh / --via */
    const char *config_file; /* --ssh-config FILE (as ssh -F); NULL = ~/.ssh/config if present */
    const char *key_file;    /* --ssh-key FILE; NULL = IdentityFile from the config / defaults */
};

struct ssh_info {
    char bastion[300];     /* "user@host:port" after applying the config */
    bool host_key_known;   /* verified against known_hosts (false: accepted once by the user) */
    bool host_key_added;   /* unknown, accepted and written to known_hosts just now ("Accept and
                            * remember", StrictHostKeyChecking accept-new); host_key_known false */
    char host_key_fp[128]; /* "SHA256:..." as OpenSSH prints it */
};

/* Checks the --ssh spec's form (no network). false + err (VV_ERR_USAGE) if malformed. */
bool ssh_spec_check(const char *spec, struct vv_error *err);

/* Connects, verifies, authenticates and opens the channel within timeout_ms (prompt time not
 * counted); cancel_fd readable aborts. Returns a transport or NULL with err naming the hop that
 * failed (VV_ERR_DNS/REFUSED/TIMEOUT for the bastion, VV_ERR_HOSTKEY, VV_ERR_SSH_AUTH,
 * VV_ERR_TUNNEL, VV_ERR_CANCELLED). */
struct transport *ssh_tunnel_open(const struct ssh_params *p, const char *dest_host, int dest_port,
                                  const struct prompter *pr, int timeout_ms, int cancel_fd,
                                  struct ssh_info *info, struct vv_error *err);

#endif
