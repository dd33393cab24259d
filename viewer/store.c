/* The per-user SQLite store: where it lives, private permissions, schema version and migrations,
 * and errors that say which file is wrong and what to do. */
#include "store.h"

#include "log.h"

#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <pthread.h>
#include <pwd.h>
#include <sqlite3.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

struct store {
    sqlite3 *db;
    char *path;
};

/* migrations[v] takes a store from schema version v to v + 1 (0 = empty file). Constant SQL
 * only; the version row is written by migrate(). Append, never edit a released step. */
static const char *const migrations[STORE_SCHEMA_VERSION] = {
    "CREATE TABLE meta(key TEXT PRIMARY KEY NOT NULL, value);"
    "CREATE TABLE pins(host TEXT NOT NULL, port INTEGER NOT NULL, fingerprint TEXT NOT NULL,"
    " subject TEXT NOT NULL DEFAULT '', added INTEGER NOT NULL, PRIMARY KEY(host, port));",
};

/* Closing any descriptor of a file drops every POSIX lock this process holds on it, including
 * SQLite's locks of another open store. So we never open a descriptor on an existing store (mode
 * checks go by path), and the one we open to create the file is closed before any other thread
 * can get past this lock to open the new file in SQLite. */
static pthread_mutex_t prepare_lock = PTHREAD_MUTEX_INITIALIZER;

const char *store_default_path(char *buf, size_t size)
{
    const char *v = getenv("VNCVIEW_STORE");
    int n;
    if (v && *v) {
        n = snprintf(buf, size, "%s", v);
    } else if ((v = getenv("XDG_DATA_HOME")) && v[0] == '/') {
        /* The XDG spec says a relative value is invalid and must be ignored. */
        n = snprintf(buf, size, "%s/vncview/store.db", v);
    } else {
        const char *home = getenv("HOME");
        struct passwd pw, *res = NULL;
        char pwbuf[1024];
        if ((!home || !*home) && getpwuid_r(getuid(), &pw, pwbuf, sizeof pwbuf, &res) == 0 && res)
            home = res->pw_dir;
        if (!home || !*home)
            return NULL;
        n = snprintf(buf, size, "%s/.local/share/vncview/store.db", home);
    }
    return n > 0 && (size_t)n < size ? buf : NULL;
}

static bool fail_untouched(const char *path, const char *problem, const char *detail,
                           const char *todo, struct vv_error *err)
{
    vv_error_set(err, VV_ERR_STORE, "the vncview store %s %s (%s): it was left untouched; %s", path,
                 problem, detail, todo);
    return false;
}

static bool damaged(const char *path, const char *detail, struct vv_error *err)
{
    return fail_untouched(path, "is damaged", detail, "move it away to start with an empty store",
                          err);
}

static bool unreadable(const char *path, int e, struct vv_error *err)
{
    return fail_untouched(path, "cannot be opened", strerror(e),
                          "check that it and its directory belong to you (the file should have "
                          "mode 600), or move it away to start with an empty store",
                          err);
}

/* mkdir -p of the directory part of path; directories we make get 0700 whatever the umask. */
static bool make_parents(const char *path, struct vv_error *err)
{
    char dir[PATH_MAX];
    if (snprintf(dir, sizeof dir, "%s", path) >= (int)sizeof dir)
        return fail_untouched(path, "cannot be created", "path too long",
                              "set VNCVIEW_STORE to a shorter path", err);
    char *slash = strrchr(dir, '/');
    if (!slash || slash == dir)
        return true;
    *slash = '\0';
    for (char *p = dir + 1;; p++) {
        if (*p != '/' && *p != '\0')
            continue;
        char c = *p;
        *p = '\0';
        struct stat st;
        if (mkdir(dir, 0700) == 0) {
            if (chmod(dir, 0700) != 0)
                log_warn("cannot make %s private: %s", dir, strerror(errno));
        } else if (errno != EEXIST || stat(dir, &st) != 0 || !S_ISDIR(st.st_mode)) {
            int e = errno == EEXIST ? ENOTDIR : errno;
            char detail[PATH_MAX + 64];
            snprintf(detail, sizeof detail, "cannot create the directory %s: %s", dir, strerror(e));
            return fail_untouched(path, "cannot be created", detail,
                                  "check the permissions of that directory, or set "
                                  "VNCVIEW_STORE to a file elsewhere",
                                  err);
        }
        *p = c;
        if (c == '\0')
            return true;
    }
}

/* Makes sure path is a regular file, creating it (empty, mode 600) when asked. *exists is false
 * when it is missing and create is false. */
static bool prepare_file(const char *path, bool create, bool *exists, struct vv_error *err)
{
    struct stat st;
    bool ok = false;
    *exists = false;
    pthread_mutex_lock(&prepare_lock);
    if (stat(path, &st) != 0) {
        if (errno != ENOENT) {
            unreadable(path, errno, err);
            goto out;
        }
        if (!create) {
            ok = true;
            goto out;
        }
        if (!make_parents(path, err))
            goto out;
        /* O_EXCL: never truncate or take over a file that appeared meanwhile. */
        int fd = open(path, O_RDWR | O_CREAT | O_EXCL | O_CLOEXEC | O_NOCTTY, 0600);
        if (fd < 0 && errno != EEXIST) {
            fail_untouched(path, "cannot be created", strerror(errno),
                           "check the permissions of its directory, or set VNCVIEW_STORE to a "
                           "file elsewhere",
                           err);
            goto out;
        }
        if (fd >= 0) {
            if (fchmod(fd, 0600) != 0) /* the umask may have taken bits we need */
                log_warn("cannot set mode 600 on %s: %s", path, strerror(errno));
            close(fd);
        }
        if (stat(path, &st) != 0) {
            unreadable(path, errno, err);
            goto out;
        }
    }
    if (!S_ISREG(st.st_mode)) {
        fail_untouched(path, "cannot be used", "it is not a regular file",
                       "set VNCVIEW_STORE to a file, or move it away", err);
        goto out;
    }
    *exists = true;
    ok = true;
out:
    pthread_mutex_unlock(&prepare_lock);
    return ok;
}

bool store_fail(struct store *s, int rc, struct vv_error *err)
{
    const char *msg = s->db ? sqlite3_errmsg(s->db) : sqlite3_errstr(rc);
    int sys = s->db ? sqlite3_system_errno(s->db) : 0;
    switch (rc & 0xff) {
    case SQLITE_NOTADB:
    case SQLITE_CORRUPT:
    case SQLITE_FORMAT:
        return damaged(s->path, msg, err);
    case SQLITE_BUSY:
    case SQLITE_LOCKED:
        vv_error_set(err, VV_ERR_STORE,
                     "the vncview store %s is in use by another program for more than %d s (%s): "
                     "close other vncview windows and try again",
                     s->path, STORE_BUSY_TIMEOUT_MS / 1000, msg);
        return false;
    case SQLITE_CANTOPEN:
    case SQLITE_PERM:
    case SQLITE_AUTH:
        return unreadable(s->path, sys ? sys : EACCES, err);
    case SQLITE_READONLY:
        return fail_untouched(s->path, "cannot be written", msg,
                              "check that it and its directory belong to you and are writable",
                              err);
    case SQLITE_FULL:
        vv_error_set(err, VV_ERR_STORE,
                     "the vncview store %s cannot be written (%s): free some disk space and try "
                     "again",
                     s->path, msg);
        return false;
    default:
        return fail_untouched(s->path, "cannot be used", sys ? strerror(sys) : msg,
                              "move it away to start with an empty store if this persists", err);
    }
}

/* Reads the schema version: 0 for a file without tables (just created). */
static bool read_version(struct store *s, int *version, struct vv_error *err)
{
    sqlite3_stmt *st = NULL;
    int tables = 0, has_meta = 0, rc;
    *version = 0;
    rc = sqlite3_prepare_v2(s->db,
                            "SELECT count(*), count(CASE WHEN name = 'meta' THEN 1 END)"
                            " FROM sqlite_master WHERE type = 'table'",
                            -1, &st, NULL);
    if (rc == SQLITE_OK && (rc = sqlite3_step(st)) == SQLITE_ROW) {
        tables = sqlite3_column_int(st, 0);
        has_meta = sqlite3_column_int(st, 1);
        rc = SQLITE_OK;
    }
    sqlite3_finalize(st);
    if (rc != SQLITE_OK)
        return store_fail(s, rc, err);
    if (tables == 0)
        return true;
    if (!has_meta)
        return fail_untouched(s->path, "is not a vncview store",
                              "it holds tables but no schema version",
                              "set VNCVIEW_STORE to another file, or move it away", err);
    rc = sqlite3_prepare_v2(s->db, "SELECT value FROM meta WHERE key = 'schema_version'", -1, &st,
                            NULL);
    bool found = false;
    if (rc == SQLITE_OK && (rc = sqlite3_step(st)) == SQLITE_ROW) {
        found = sqlite3_column_type(st, 0) == SQLITE_INTEGER;
        *version = sqlite3_column_int(st, 0);
        rc = SQLITE_OK;
    } else if (rc == SQLITE_DONE) {
        rc = SQLITE_OK;
    }
    sqlite3_finalize(st);
    if (rc != SQLITE_OK)
        return store_fail(s, rc, err);
    if (!found || *version < 1)
        return damaged(s->path, "its schema version is missing or invalid", err);
    if (*version > STORE_SCHEMA_VERSION) {
        char detail[96];
        snprintf(detail, sizeof detail, "schema version %d; this vncview knows up to %d", *version,
                 STORE_SCHEMA_VERSION);
        return fail_untouched(s->path, "was written by a newer vncview", detail,
                              "use that newer vncview, or move it away to start with an empty "
                              "store",
                              err);
    }
    return true;
}

/* Reads every page, so that a truncated or scribbled-on file is refused before anything is
 * written to it (SQLite itself notices only on the pages a query happens to touch). */
static bool check_integrity(struct store *s, struct vv_error *err)
{
    sqlite3_stmt *st = NULL;
    char detail[200] = "";
    int rc = sqlite3_prepare_v2(s->db, "PRAGMA quick_check(1)", -1, &st, NULL);
    if (rc == SQLITE_OK && (rc = sqlite3_step(st)) == SQLITE_ROW) {
        const char *r = (const char *)sqlite3_column_text(st, 0);
        if (!r || strcmp(r, "ok") != 0)
            snprintf(detail, sizeof detail, "%s", r ? r : "integrity check failed");
        rc = SQLITE_OK;
    }
    sqlite3_finalize(st);
    if (rc != SQLITE_OK)
        return store_fail(s, rc, err);
    return detail[0] ? damaged(s->path, detail, err) : true;
}

static bool set_version(struct store *s, int version, struct vv_error *err)
{
    sqlite3_stmt *st = NULL;
    int rc = sqlite3_prepare_v2(
        s->db, "INSERT OR REPLACE INTO meta(key, value) VALUES('schema_version', ?1)", -1, &st,
        NULL);
    if (rc == SQLITE_OK)
        rc = sqlite3_bind_int(st, 1, version);
    if (rc == SQLITE_OK)
        rc = sqlite3_step(st);
    sqlite3_finalize(st);
    return rc == SQLITE_DONE ? true : store_fail(s, rc, err);
}

/* Brings the schema to STORE_SCHEMA_VERSION. The version is read again under the write lock:
 * another process may have migrated the file since we looked. */
static bool migrate(struct store *s, struct vv_error *err)
{
    int version;
    if (!store_begin(s, err))
        return false;
    if (!read_version(s, &version, err))
        goto fail;
    for (; version < STORE_SCHEMA_VERSION; version++) {
        int rc = sqlite3_exec(s->db, migrations[version], NULL, NULL, NULL);
        if (rc != SQLITE_OK) {
            store_fail(s, rc, err);
            goto fail;
        }
        if (!set_version(s, version + 1, err))
            goto fail;
    }
    if (store_commit(s, err))
        return true;
fail:
    store_rollback(s);
    return false;
}

/* Called once the file is known to be a vncview store: tightening the mode of some other
 * program's database that VNCVIEW_STORE happens to point at could break that program. By path,
 * not descriptor (see prepare_lock). */
static void make_private(const char *path)
{
    struct stat st;
    if (stat(path, &st) != 0 || !(st.st_mode & 077))
        return;
    mode_t tight = st.st_mode & 0700;
    if (chmod(path, tight) == 0)
        log_warn("the vncview store %s was open to other users (mode %03o); changed it to %03o",
                 path, (unsigned)(st.st_mode & 0777), (unsigned)tight);
    else
        log_warn("the vncview store %s is open to other users (mode %03o) and cannot be changed "
                 "(%s): run chmod 600 on it",
                 path, (unsigned)(st.st_mode & 0777), strerror(errno));
}

struct store *store_open(const char *path, bool create, struct vv_error *err)
{
    char defpath[PATH_MAX];
    vv_error_clear(err);
    if (!path && !(path = store_default_path(defpath, sizeof defpath))) {
        vv_error_set(err, VV_ERR_STORE,
                     "cannot tell where the vncview store belongs (HOME is not set): set "
                     "VNCVIEW_STORE to a file");
        return NULL;
    }
    if (!*path) {
        vv_error_set(err, VV_ERR_STORE,
                     "the vncview store path is empty: set VNCVIEW_STORE to "
                     "a file");
        return NULL;
    }
    bool exists;
    if (!prepare_file(path, create, &exists, err) || !exists)
        return NULL;

    struct store *s = calloc(1, sizeof *s);
    if (!s || !(s->path = strdup(path))) {
        free(s);
        vv_error_set(err, VV_ERR_STORE, "out of memory opening the vncview store %s", path);
        return NULL;
    }
    /* No SQLITE_OPEN_CREATE: prepare_file made it, with our permissions. "./": SQLite builds
     * that accept URIs (Debian's) would read a relative "file:..." as one. */
    char open_path[PATH_MAX + 2];
    snprintf(open_path, sizeof open_path, "%s%s", path[0] == '/' ? "" : "./", path);
    int rc = sqlite3_open_v2(open_path, &s->db, SQLITE_OPEN_READWRITE, NULL);
    if (rc != SQLITE_OK) {
        store_fail(s, rc, err);
        goto fail;
    }
    sqlite3_extended_result_codes(s->db, 1);
    sqlite3_busy_timeout(s->db, STORE_BUSY_TIMEOUT_MS);
    int version;
    if (!read_version(s, &version, err) || !check_integrity(s, err))
        goto fail;
    if (version == 0 && !create) {
        store_close(s); /* an empty file: nothing stored yet, and reading must not write */
        return NULL;
    }
    if (version < STORE_SCHEMA_VERSION && !migrate(s, err))
        goto fail;
    make_private(path);
    return s;
fail:
    store_close(s);
    return NULL;
}

void store_close(struct store *s)
{
    if (!s)
        return;
    if (s->db)
        sqlite3_close_v2(s->db);
    free(s->path);
    free(s);
}

const char *store_path(const struct store *s)
{
    return s->path;
}

struct sqlite3 *store_db(struct store *s)
{
    return s->db;
}

bool store_begin(struct store *s, struct vv_error *err)
{
    int rc = sqlite3_exec(s->db, "BEGIN IMMEDIATE", NULL, NULL, NULL);
    return rc == SQLITE_OK ? true : store_fail(s, rc, err);
}

bool store_commit(struct store *s, struct vv_error *err)
{
    int rc = sqlite3_exec(s->db, "COMMIT", NULL, NULL, NULL);
    return rc == SQLITE_OK ? true : store_fail(s, rc, err);
}

void store_rollback(struct store *s)
{
    if (!sqlite3_get_autocommit(s->db))
        sqlite3_exec(s->db, "ROLLBACK", NULL, NULL, NULL);
}
