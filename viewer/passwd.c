/* VNC password files (vncpasswd's DES obfuscation, decrypted with GnuTLS) and $VNC_PASSWORD. */
#include "passwd.h"

#include <errno.h>
#include <fcntl.h>
#include <gnutls/crypto.h>
#include <gnutls/gnutls.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "plat.h"

/* The fixed key every VNC implementation uses to obfuscate stored passwords. It is public: the
 * file only keeps the password from being read at a glance. */
static const uint8_t vnc_obfuscation_key[8] = {23, 82, 107, 6, 35, 78, 88, 7};

/* A vncpasswd file is 8 bytes, or 16 with a view-only password. Anything bigger is something
 * else (typically a plain-text password), and decrypting it would only give garbage. */
#define VNCPASSWD_MIN 8
#define VNCPASSWD_MAX 16

/* VNC's DES code (d3des) takes key bits starting from the least significant bit of each byte;
 * standard DES starts from the most significant one. Reversing the bits of each key byte lets a
 * standard DES produce the same result. */
static uint8_t reverse_bits(uint8_t b)
{
    uint8_t r = 0;
    for (int i = 0; i < 8; i++)
        if (b & (1u << i))
            r |= (uint8_t)(0x80u >> i);
    return r;
}

/* Decrypts one 8-byte block in place with single DES in ECB mode: CBC with a zero IV is the same
 * thing for a single block. Returns 0 or a GnuTLS error code. */
static int des_ecb_decrypt_block(uint8_t block[8])
{
    uint8_t key[8], iv[8] = {0};
    for (int i = 0; i < 8; i++)
        key[i] = reverse_bits(vnc_obfuscation_key[i]);
    gnutls_datum_t kd = {key, sizeof key}, ivd = {iv, sizeof iv};
    gnutls_cipher_hd_t h;
    int rc = gnutls_cipher_init(&h, GNUTLS_CIPHER_DES_CBC, &kd, &ivd);
    if (rc == 0) {
        rc = gnutls_cipher_decrypt(h, block, 8);
        gnutls_cipher_deinit(h); /* GnuTLS clears its key schedule here */
    }
    plat_wipe(key, sizeof key);
    return rc;
}

/* Reads up to n bytes, retrying short reads; returns the count or -1 with errno set. */
static ssize_t read_all(int fd, uint8_t *buf, size_t n)
{
    size_t got = 0;
    while (got < n) {
        ssize_t r = read(fd, buf + got, n - got);
        if (r < 0 && errno == EINTR)
            continue;
        if (r < 0)
            return -1;
        if (r == 0)
            break;
        got += (size_t)r;
    }
    return (ssize_t)got;
}

static void set_open_error(struct vv_error *err, const char *path, int e)
{
    const char *what = strerror(e);
    if (e == ENOENT)
        vv_error_set(err, VV_ERR_IO,
                     "cannot read VNC password file %s: %s; create it with: vncpasswd %s", path,
                     what, path);
    else if (e == EACCES || e == EPERM)
        vv_error_set(err, VV_ERR_IO,
                     "cannot read VNC password file %s: %s; make it readable by you (it should "
                     "be readable by nobody else: chmod 600 %s) or create it with: vncpasswd %s",
                     path, what, path, path);
    else
        vv_error_set(err, VV_ERR_IO,
                     "cannot read VNC password file %s: %s; it must be a file created with: "
                     "vncpasswd %s",
                     path, what, path);
}

char *passwd_read_vncpasswd_file(const char *path, struct vv_error *err)
{
    uint8_t buf[VNCPASSWD_MAX + 1];
    char *pw = NULL;

    int fd = open(path, O_RDONLY | O_CLOEXEC);
    if (fd < 0) {
        set_open_error(err, path, errno);
        return NULL;
    }
    ssize_t n = read_all(fd, buf, sizeof buf);
    int read_errno = errno;
    close(fd);
    if (n < 0) {
        set_open_error(err, path, read_errno);
        goto out;
    }
    if (n < VNCPASSWD_MIN) {
        vv_error_set(err, VV_ERR_IO,
                     "%s is too short to be a VNC password file (%zd bytes; vncpasswd writes 8, or "
                     "16 with a view-only password): create it with: vncpasswd %s",
                     path, n, path);
        goto out;
    }
    if (n > VNCPASSWD_MAX) {
        vv_error_set(err, VV_ERR_IO,
                     "%s is not a VNC password file (over 16 bytes; vncpasswd writes 8, or 16 with "
                     "a view-only password; a plain-text password does not work here): create it "
                     "with: vncpasswd %s",
                     path, path);
        goto out;
    }
    int rc = des_ecb_decrypt_block(buf);
    if (rc != 0) {
        vv_error_set(err, VV_ERR_GENERIC,
                     "cannot decrypt VNC password file %s: GnuTLS refused single DES (%s); is the "
                     "system in FIPS mode?",
                     path, gnutls_strerror(rc));
        goto out;
    }
    /* The password ends at the first NUL of the zero padding, or fills all 8 bytes. */
    size_t len = strnlen((const char *)buf, 8);
    pw = malloc(len + 1);
    if (!pw) {
        vv_error_set(err, VV_ERR_GENERIC, "out of memory reading %s", path);
        goto out;
    }
    memcpy(pw, buf, len);
    pw[len] = '\0';
out:
    plat_wipe(buf, sizeof buf);
    return pw;
}

void passwd_free(char *pw)
{
    if (!pw)
        return;
    plat_wipe(pw, strlen(pw));
    free(pw);
}

char *passwd_from_env(void)
{
    const char *v = getenv("VNC_PASSWORD");
    if (!v || !*v)
        return NULL;
    return strdup(v);
}
