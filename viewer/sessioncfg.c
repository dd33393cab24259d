/* Session configuration from options (the stream guard's limits included). */
#include "sessioncfg.h"

#include "encodings.h"
#include "log.h"
#include "passwd.h"
#include "secpolicy.h"
#include "ssh.h"

#include <string.h>

bool sessioncfg_from_options(const struct vv_options *o, struct session_config *cfg,
                             char **password, struct vv_error *err)
{
    memset(cfg, 0, sizeof *cfg);
    *password = NULL;
    if (o->address && !addr_parse(o->address, &cfg->addr, err))
        return false;
    struct enc_list probe;
    if (!enc_parse(o->encodings, &probe, err))
        return false;
    if (o->address) {
        char name[300];
        addr_format(&cfg->addr, name, sizeof name);
        log_info("address '%s': %s; connecting to %s port %d", o->address, cfg->addr.note,
                 cfg->addr.host, cfg->addr.port);
    }
    cfg->timeout_ms = o->timeout_s * 1000;
    cfg->encodings = o->encodings;
    cfg->quality = o->quality >= 0 ? o->quality : 8;
    cfg->compress = o->compress >= 0 ? o->compress : 2;
    cfg->view_only = o->view_only;
    cfg->limits.max_width = o->max_desktop.w;
    cfg->limits.max_height = o->max_desktop.h;
    cfg->limits.max_cut_text = (uint32_t)o->max_clipboard;
    cfg->limits.max_cursor = o->max_cursor;
    cfg->shared = true;
    if (o->ssh && !ssh_spec_check(o->ssh, err))
        return false;
    if (!secpolicy_check(o->security, err))
        return false;
    cfg->ssh = o->ssh;
    cfg->ssh_config = o->ssh_config;
    cfg->ssh_key = o->ssh_key;
    cfg->sec.types = o->security;
    cfg->sec.user = o->user;
    cfg->sec.ca_file = o->ca;
    cfg->sec.insecure = o->insecure;
    if (o->passwd_file) {
        *password = passwd_read_vncpasswd_file(o->passwd_file, err);
        if (!*password)
            return false;
    } else {
        *password = passwd_from_env();
    }
    cfg->password = *password;
    return true;
}
