/* known_hosts files as OpenSSH writes them: the entries for a host (names, wildcard patterns,
 * hashed |1|salt|hash names, "[host]:port" for ports other than 22, @revoked markers) with
 * their line numbers, which libssh does not give; and adding an entry, hashed or not.
 * No libssh here; HMAC-SHA1 and randomness come from GnuTLS. */
#ifndef VV_SSHKH_H
#define VV_SSHKH_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "error.h"

/* The name a host goes by in known_hosts: "host" on port 22, else "[host]:port". */
void sshkh_name(const char *host, int port, char *out, size_t size);

struct sshkh_result {
    int line;         /* entry for the host with the key's type (else any type); 0 = none */
    char type[64];    /* that entry's key type ("ssh-ed25519") */
    int same_line;    /* entry for the host holding exactly this key; 0 = none */
    int revoked_line; /* @revoked entry holding this key; 0 = none */
};

/* Looks for name (from sshkh_name) and the key (type as "ssh-ed25519", base64 blob) in path.
 * A missing file is an empty one. false only if the file exists and cannot be read. */
bool sshkh_lookup(const char *path, const char *name, const char *type, const char *b64,
                  struct sshkh_result *res);

/* Appends "name type b64" to path (name hashed when hash, as HashKnownHosts does), creating
 * the file, and its directory with mode 0700, if needed. false + err (VV_ERR_IO). */
bool sshkh_add(const char *path, const char *name, const char *type, const char *b64, bool hash,
               struct vv_error *err);

/* True if the known_hosts host field "|1|salt|hash" is name hashed. */
bool sshkh_hashed_matches(const char *field, const char *name);

/* Standard base64; encode returns the length written (0 if it does not fit), with or without
 * '=' padding; decode returns the byte count or -1 (bad input, or more than size bytes). */
size_t sshkh_b64_encode(const uint8_t *in, size_t n, char *out, size_t size, bool pad);
int sshkh_b64_decode(const char *in, size_t len, uint8_t *out, size_t size);

#endif
