/* The --ssh destination ([USER@]HOST[:PORT]) and the ssh_config keys that libssh 0.10 parses
 * without telling us the value (StrictHostKeyChecking with accept-new, HashKnownHosts, the list
 * of IdentityFiles, UserKnownHostsFile with our HOME). A small reader with OpenSSH's rules:
 * first value wins, Host patterns with * ? and !negation, Match all/host/originalhost, Include.
 * No libssh here. */
#ifndef VV_SSHCFG_H
#define VV_SSHCFG_H

#include <stdbool.h>
#include <stddef.h>

#include "error.h"

struct sshcfg_spec {
    char user[128]; /* "" if not given */
    char host[256]; /* lower case, without brackets */
    int port;       /* 0 if not given */
};

/* Parses [USER@]HOST[:PORT], [USER@][IPV6][:PORT] or a bare IPv6 address. Host names are
 * letters, digits, '.', '-' and '_' (they end up in ProxyCommand's %h, run by a shell); user
 * names also allow '@' and '+'. false + err (VV_ERR_USAGE) naming the problem. */
bool sshcfg_parse_spec(const char *spec, struct sshcfg_spec *out, struct vv_error *err);

enum sshcfg_strict {
    SSHCFG_STRICT_ASK = 0, /* OpenSSH's default: ask, refuse when nobody can answer */
    SSHCFG_STRICT_YES,
    SSHCFG_STRICT_NO,
    SSHCFG_STRICT_ACCEPT_NEW,
};

#define SSHCFG_MAX_IDENTITIES 8
#define SSHCFG_PATH_MAX 1024

struct sshcfg {
    enum sshcfg_strict strict;
    bool strict_set;
    bool hash_known_hosts;
    bool hash_set;
    int nidentities;
    char identities[SSHCFG_MAX_IDENTITIES][SSHCFG_PATH_MAX]; /* as written, unexpanded */
    char known_hosts[SSHCFG_PATH_MAX];                       /* first file; "" = default */
};

/* Applies the blocks of file path that match host (the name as given, as OpenSSH matches) to
 * cfg, keeping values already set. home is used for ~ and relative Includes (system: true for
 * /etc/ssh/ssh_config, whose relative Includes are under /etc/ssh). A missing file is no
 * error; an unreadable one is (VV_ERR_IO). */
bool sshcfg_read(struct sshcfg *cfg, const char *path, const char *host, const char *home,
                 bool system, struct vv_error *err);

/* OpenSSH wildcard match: '*' any run, '?' one character; case-insensitive. */
bool sshcfg_match_pattern(const char *s, const char *pattern);
/* A Host line's or known_hosts' list: patterns separated by sep (' ' or ','), '!' negates;
 * true if one pattern matches and no negated one does. */
bool sshcfg_match_list(const char *s, const char *list, char sep);

/* Expands a leading ~ and the escapes %d (home) %u (local user) %r (remote user) %h (host)
 * %p (port) %% into out. false if it does not fit or an escape is unknown. */
struct sshcfg_vars {
    const char *home, *local_user, *remote_user, *host;
    int port;
};
bool sshcfg_expand(const char *in, const struct sshcfg_vars *v, char *out, size_t size);

/* $HOME, else the password database's home directory, into out. false if neither. */
bool sshcfg_home(char *out, size_t size);

#endif
