/* Placeholder until the libssh transport lands: --ssh is refused with a clear message. */
#include "ssh.h"

bool ssh_spec_check(const char *spec, struct vv_error *err)
{
    (void)spec;
    vv_error_set(err, VV_ERR_USAGE, "--ssh: SSH tunnelling is not available in this build yet");
    return false;
}

struct transport *ssh_tunnel_open(const struct ssh_params *p, const char *dest_host, int dest_port,
                                  const struct prompter *pr, int timeout_ms, int cancel_fd,
                                  struct ssh_info *info, struct vv_error *err)
{
    (void)p, (void)dest_host, (void)dest_port, (void)pr, (void)timeout_ms, (void)cancel_fd;
    (void)info;
    vv_error_set(err, VV_ERR_USAGE, "SSH tunnelling is not available in this build yet");
    return NULL;
}
