/*
 * backup_job.h - a backup made for the web API without holding its
 * request: one background thread at a time, with its state for the API
 * and the backups page to show.
 *
 * The job runs what `comradarr-backup create` runs (lib/stage/backup.h)
 * on a connection of its own (not one of the request pool's), under the
 * same DB_LOCK_BACKUP: while a backup or restore runs anywhere (a timer,
 * a shell, another server), a new job ends at once as "skipped".  The
 * archive is written beside its final name and linked into place only
 * when complete, so the directory never lists half a backup.
 *
 * State (web_backup_job_state): {"state": "idle" | "running" | "done" |
 * "failed" | "skipped", "file", "by", "started_at", "finished_at"
 * (seconds since the epoch), "bytes", "tables", "rows", "schema_version",
 * "error"}.  Kept in memory: a restart forgets the last job, not the
 * backups (the directory is the list).
 */
#ifndef COMRADARR_WEB_BACKUP_JOB_H
#define COMRADARR_WEB_BACKUP_JOB_H

#include <jansson.h>

#include "core/config.h"
#include "core/err.h"

struct web_backup_job;

/* cfg is kept by pointer (the connection is opened from it). */
struct web_backup_job *web_backup_job_new(const struct config *cfg);

/* Cancel a backup in flight (its partial file is removed) and wait for
 * the thread; then free. */
void web_backup_job_free(struct web_backup_job *j);

/*
 * Start a backup into dir (made when missing) as user, and wait up to
 * wait_ms for it to end (a small database is done by then).  0 started
 * (the state says how far it got); -1 with ERR_CONFLICT when a job of
 * this server is still running, or another error.
 */
int web_backup_job_start(struct web_backup_job *j, const char *dir, int no_mirror,
			 const char *user, int wait_ms, struct err *e);

/* The state now (a new object). */
json_t *web_backup_job_state(struct web_backup_job *j);

#endif
