/* The per-user store: one SQLite file (certificate pins now; bookmarks and history later) with
 * private permissions, a schema version with migrations, and messages that name the file. A
 * damaged store is never written, truncated or deleted. No SDL. */
#ifndef VV_STORE_H
#define VV_STORE_H

#include <stdbool.h>
#include <stddef.h>

#include "error.h"

/* The schema this build writes; a store with a higher version is refused, untouched. */
#define STORE_SCHEMA_VERSION 1
/* How long a statement waits for another process (a second viewer) to finish writing. */
#define STORE_BUSY_TIMEOUT_MS 5000

struct store;
struct sqlite3;

/* Where the store lives: $VNCVIEW_STORE if set and not empty, else
 * $XDG_DATA_HOME/vncview/store.db (when absolute), else $HOME/.local/share/vncview/store.db
 * (the password database's home directory when HOME is unset). Returns buf, or NULL when no
 * location is known or it does not fit in size. */
const char *store_default_path(char *buf, size_t size);

/* Opens the store at path (NULL = store_default_path()), checks it and brings its schema up to
 * STORE_SCHEMA_VERSION (in a transaction; safe against a second process doing the same).
 * create true: a missing store is made (directories 0700, file 0600, whatever the umask).
 * create false: a missing or still empty store is not an error: returns NULL with err->code
 *   VV_OK, meaning "nothing stored yet" (so pass a non-NULL err to tell it from a failure).
 * An existing store open to group or others is made private (0600), with a warning in the log,
 * once it is known to be a vncview store.
 * Failures return NULL + VV_ERR_STORE with a sentence naming the file and what to do: not a
 * database, damaged, from a newer vncview, not readable. Caller closes with store_close(). */
struct store *store_open(const char *path, bool create, struct vv_error *err);
/* NULL is allowed. */
void store_close(struct store *s);
/* The file the store was opened from (owned by s). */
const char *store_path(const struct store *s);

/* For modules that keep tables in the store (trust.c; later bookmarks and history). They use
 * prepared statements with bound parameters only, and wrap writes in store_begin/commit. */
struct sqlite3 *store_db(struct store *s);
/* BEGIN IMMEDIATE: takes the write lock at once (waiting up to STORE_BUSY_TIMEOUT_MS), so two
 * writers queue instead of failing half-way. */
bool store_begin(struct store *s, struct vv_error *err);
bool store_commit(struct store *s, struct vv_error *err);
/* Harmless when no transaction is open. */
void store_rollback(struct store *s);
/* Turns SQLite result rc (from an operation on s) into VV_ERR_STORE with a sentence naming the
 * file, what went wrong and what to do. Always returns false. */
bool store_fail(struct store *s, int rc, struct vv_error *err);

#endif
