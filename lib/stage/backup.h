/*
 * backup.h - comradarr-backup(1): one archive that holds the database, and
 * a restore that either brings all of it back or changes nothing (Req 33).
 *
 * The archive is a POSIX tar (core/tar.h) that any tar lists:
 *
 *   data/TABLE/000001.copy ...  each table's rows in COPY text format, in
 *                               members of at most BACKUP_CHUNK bytes (so
 *                               the archive streams, to a pipe too, in
 *                               bounded memory), tables in load order
 *   manifest.json               format, app and schema version, migrations,
 *                               created_at, the key id of the sealed values,
 *                               each table's columns and row count, each
 *                               sequence's value, and every data member's
 *                               size and SHA-256
 *   SHA256                      the manifest's SHA-256 ("HEX  manifest.json")
 *
 * The manifest comes last because it holds digests of what precedes it.
 * The digests detect damage (a flipped byte, a truncated copy, a member
 * added or taken away); they do not prove who wrote the file: whoever can
 * write a backup can write its digests too.  Keep backups where only the
 * service can write.
 *
 * Secrets stay sealed: the rows are copied as stored, so API keys and
 * passwords are in the archive only as AES-256-GCM boxes.  The secret key
 * is never put in the archive: a stolen backup without the key holds no
 * usable secret.  Keep $COMRADARR_HOME/secret.key (or SECRET_KEY) apart
 * from the backups; the manifest names the key's id so a restore with the
 * wrong key says which one it needs (Req 33.3).
 */
#ifndef COMRADARR_STAGE_BACKUP_H
#define COMRADARR_STAGE_BACKUP_H

#include <stdint.h>
#include <stdio.h>
#include <sys/stat.h>

#include <jansson.h>
#include <libpq-fe.h>

#include "core/err.h"
#include "core/jsonl.h"
#include "crypto/secretbox.h"

#define BACKUP_FORMAT		"comradarr-backup"
#define BACKUP_FORMAT_VERSION	1
#define BACKUP_CHUNK		(4u << 20)	/* rows per member, in bytes */
#define BACKUP_MANIFEST_MAX	(64u << 20)
#define BACKUP_MEMBERS_MAX	1000000
#define BACKUP_PREFIX		"comradarr-"	/* file names in the backup directory */
#define BACKUP_SUFFIX		".tar"

/* A human-format line (obj borrowed); NULL: JSON lines to out. */
typedef void (*backup_line_fn)(void *arg, const char *event, json_t *obj);

/* Progress of a long job: table `table`, `done` of `total` (tables for
 * create, data members for restore); for a terminal's progress line. */
typedef void (*backup_progress_fn)(void *arg, const char *table, size_t done, size_t total);

struct backup_opts {
	int no_mirror;		/* leave out the mirror and the search state on it */
	struct jsonl *out;
	backup_line_fn line;
	void *line_arg;
	backup_progress_fn progress;	/* may be NULL */
	void *progress_arg;
};

struct backup_report {
	int64_t rows;
	int64_t bytes;		/* of the archive */
	int tables;
	int schema_version;
	int migrated;		/* restore: migrations applied after loading */
	char key_id[17];	/* "" when the backup holds no secret */
};

/* Write the archive to out (a file or a pipe).  Runs in one snapshot. */
int backup_create(PGconn *db, FILE *out, const struct backup_opts *o, struct backup_report *r,
		  struct err *e);

/*
 * backup_create into path, atomically: a temporary file beside it (mode
 * 0600), fsync'd, renamed into place; never replaces an existing file.
 */
int backup_create_file(PGconn *db, const char *path, const struct backup_opts *o,
		       struct backup_report *r, struct err *e);

/*
 * Read the whole archive and check every header, every member against the
 * manifest and the manifest against its digest.  *manifest (may be NULL)
 * receives the parsed manifest (caller json_decref()s).
 */
int backup_verify(FILE *in, json_t **manifest, struct err *e);

/*
 * Restore path into db (Req 33.2-33.4): verify first; refuse a newer
 * schema, migrations that differ from this build's, and secrets sealed
 * under another key than k (k NULL: no key is set); then load it all in
 * one transaction (db/backup.h) and check the digests again while loading.
 * Takes DB_LOCK_BACKUP and DB_LOCK_MIGRATE.
 */
int backup_restore(PGconn *db, const char *path, const struct secret_key *k,
		   const struct backup_opts *o, struct backup_report *r, struct err *e);

/*
 * The manifest of one archive, read by skipping over the data (no digest
 * is checked: that is backup_verify()).
 */
int backup_read_manifest(const char *path, json_t **manifest, struct err *e);

/* The key ids a manifest names (0 to DB_KEY_IDS_MAX). */
size_t backup_manifest_key_ids(json_t *manifest, const char **ids, size_t max);

/*
 * The backups in dir (files BACKUP_PREFIX*BACKUP_SUFFIX), newest first:
 * *names is a malloc'd array of malloc'd base names (backup_names_free).
 */
int backup_list_dir(const char *dir, char ***names, size_t *n, struct err *e);
void backup_names_free(char **names, size_t n);

/*
 * Retention (Req 33.5): delete the backups in dir beyond the newest keep
 * (0: no count limit) and those older than days (0: no age limit); the
 * newest is always kept.  fn (may be NULL) hears of each file removed.
 */
typedef void (*backup_pruned_fn)(void *arg, const char *name, const char *why);
int backup_prune(const char *dir, long keep, long days, int64_t now_us, backup_pruned_fn fn,
		 void *arg, int *removed, struct err *e);

/*
 * Names in the backup directory.  A valid name is BACKUP_PREFIX, then
 * letters, digits, '.', '_' or '-' (starting with a letter or digit, no
 * "..") and BACKUP_SUFFIX, at most BACKUP_NAME_MAX bytes: never a path.
 * Whatever names a file from outside (the web API's download) is checked
 * with backup_name_valid() and opened with backup_open(), which refuses
 * anything but a regular file directly in dir (a symbolic link too).
 */
#define BACKUP_NAME_MAX 128
int backup_name_valid(const char *name);
/* The name a new backup gets: comradarr-YYYYmmddTHHMMSSZ.tar (UTC). */
void backup_name_new(int64_t now_s, char *out, size_t size);
/* Open name in dir for reading; *st is its status.  ERR_NOTFOUND for an
 * invalid name, a missing file, or anything but a regular file. */
int backup_open(const char *dir, const char *name, int *fd, struct stat *st, struct err *e);

/*
 * The backup directory: dir when given, else $COMRADARR_HOME/backups; with
 * make, created when missing (mode 0700, $COMRADARR_HOME too).  Malloc'd.
 */
struct config;
char *backup_dir_path(const struct config *cfg, const char *dir, int make, struct err *e);

#endif
