/*
 * backup_job.c - the web API's background backup (see backup_job.h).
 */
#include <errno.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "core/clock.h"
#include "core/log.h"
#include "db/db.h"
#include "stage/backup.h"
#include "web/backup_job.h"
#include "core/banned.h"

enum job_state { JOB_IDLE = 0, JOB_RUNNING, JOB_DONE, JOB_FAILED, JOB_SKIPPED };

static const char *const state_names[] = { "idle", "running", "done", "failed", "skipped" };

struct web_backup_job {
	const struct config *cfg;
	pthread_mutex_t mu;
	pthread_cond_t changed;
	pthread_t thread;
	int joinable;			/* a thread was started and not joined */
	int cancelled;
	PGconn *db;			/* the running job's, for PQcancel */
	/* what the thread works from and reports into (under mu) */
	enum job_state state;
	char dir[1024];
	char file[BACKUP_NAME_MAX + 1];
	char by[80];
	int no_mirror;
	int64_t started_s, finished_s;
	struct backup_report report;
	char error[512];
};

struct web_backup_job *
web_backup_job_new(const struct config *cfg)
{
	struct web_backup_job *j = calloc(1, sizeof(*j));

	if (j == NULL)
		return NULL;
	j->cfg = cfg;
	pthread_mutex_init(&j->mu, NULL);
	pthread_cond_init(&j->changed, NULL);
	return j;
}

static void
finish(struct web_backup_job *j, enum job_state st, const struct backup_report *r,
       const char *error)
{
	pthread_mutex_lock(&j->mu);
	j->state = st;
	j->finished_s = clock_now_us() / 1000000;
	if (r != NULL)
		j->report = *r;
	snprintf(j->error, sizeof(j->error), "%s", error ? error : "");
	pthread_cond_broadcast(&j->changed);
	pthread_mutex_unlock(&j->mu);
}

static void *
run(void *arg)
{
	struct web_backup_job *j = arg;
	struct backup_opts bo;
	struct backup_report r;
	struct err e = ERR_INIT;
	PGconn *db = NULL;
	char *path = NULL;
	int rc;

	memset(&bo, 0, sizeof(bo));
	memset(&r, 0, sizeof(r));
	bo.no_mirror = j->no_mirror;
	if (db_connect(j->cfg, "comradarr-serve backup", &db, &e) < 0) {
		log_warn("backup", "the backup could not start: %s", e.msg);
		finish(j, JOB_FAILED, NULL, "the database is not reachable; see the server log");
		return NULL;
	}
	pthread_mutex_lock(&j->mu);
	j->db = db;
	rc = j->cancelled;
	pthread_mutex_unlock(&j->mu);
	if (rc) {
		finish(j, JOB_FAILED, NULL, "cancelled: the server is stopping");
		goto out;
	}
	rc = db_try_lock(db, DB_LOCK_BACKUP, 0, &e);
	if (rc <= 0) {
		if (rc < 0)
			log_warn("backup", "the backup lock: %s", e.msg);
		finish(j, rc == 0 ? JOB_SKIPPED : JOB_FAILED, NULL, rc == 0 ?
		       "another backup or restore is running" : "the database refused the lock");
		goto out;
	}
	if (asprintf(&path, "%s/%s", j->dir, j->file) < 0) {
		path = NULL;
		finish(j, JOB_FAILED, NULL, "out of memory");
		goto out;
	}
	log_info("backup", "backing up into %s (asked by %s)", path, j->by);
	if (backup_create_file(db, path, &bo, &r, &e) < 0) {
		/* the file system's message names our own path, never a secret */
		log_warn("backup", "the backup into %s failed: %s", path, e.msg);
		finish(j, JOB_FAILED, NULL, j->cancelled ? "cancelled: the server is stopping" :
		       e.kind == ERR_DB ? "the database failed during the backup; see the server log" :
		       e.msg);
		goto out;
	}
	log_info("backup", "backup %s written: %d tables, %lld rows, %lld bytes", j->file, r.tables,
		 (long long)r.rows, (long long)r.bytes);
	finish(j, JOB_DONE, &r, NULL);
out:
	pthread_mutex_lock(&j->mu);
	j->db = NULL;
	pthread_mutex_unlock(&j->mu);
	PQfinish(db);	/* the session's lock goes with it */
	free(path);
	return NULL;
}

int
web_backup_job_start(struct web_backup_job *j, const char *dir, int no_mirror, const char *user,
		     int wait_ms, struct err *e)
{
	struct timespec until;
	int rc;

	if (strlen(dir) >= sizeof(j->dir))
		return err_set(e, ERR_CONFIG, "the backup directory's path is too long");
	pthread_mutex_lock(&j->mu);
	if (j->state == JOB_RUNNING) {
		pthread_mutex_unlock(&j->mu);
		return err_set(e, ERR_CONFLICT, "a backup is being made (%s); wait for it to end",
			       j->file);
	}
	if (j->joinable) {
		/* the last thread has ended (its state is final): reap it */
		pthread_join(j->thread, NULL);
		j->joinable = 0;
	}
	memset(&j->report, 0, sizeof(j->report));
	j->error[0] = '\0';
	snprintf(j->dir, sizeof(j->dir), "%s", dir);
	snprintf(j->by, sizeof(j->by), "%s", user ? user : "");
	j->no_mirror = no_mirror;
	j->started_s = clock_now_us() / 1000000;
	j->finished_s = 0;
	backup_name_new(j->started_s, j->file, sizeof(j->file));
	j->state = JOB_RUNNING;
	rc = pthread_create(&j->thread, NULL, run, j);
	if (rc != 0) {
		j->state = JOB_FAILED;
		snprintf(j->error, sizeof(j->error), "no thread for the backup");
		pthread_mutex_unlock(&j->mu);
		return err_set(e, ERR_INTERNAL, "cannot start the backup: %s", strerror(rc));
	}
	j->joinable = 1;
	clock_gettime(CLOCK_REALTIME, &until);
	until.tv_sec += wait_ms / 1000;
	until.tv_nsec += (long)(wait_ms % 1000) * 1000000L;
	if (until.tv_nsec >= 1000000000L) {
		until.tv_sec++;
		until.tv_nsec -= 1000000000L;
	}
	while (j->state == JOB_RUNNING)
		if (pthread_cond_timedwait(&j->changed, &j->mu, &until) == ETIMEDOUT)
			break;
	pthread_mutex_unlock(&j->mu);
	return 0;
}

json_t *
web_backup_job_state(struct web_backup_job *j)
{
	json_t *o;

	pthread_mutex_lock(&j->mu);
	o = json_pack("{s:s}", "state", state_names[j->state]);
	if (j->state != JOB_IDLE) {
		json_object_set_new(o, "file", json_string(j->file));
		json_object_set_new(o, "by", json_string(j->by));
		json_object_set_new(o, "no_mirror", json_boolean(j->no_mirror));
		json_object_set_new(o, "started_at", json_integer(j->started_s));
		json_object_set_new(o, "finished_at", j->finished_s ? json_integer(j->finished_s) :
				    json_null());
	}
	if (j->state == JOB_DONE) {
		json_object_set_new(o, "bytes", json_integer(j->report.bytes));
		json_object_set_new(o, "tables", json_integer(j->report.tables));
		json_object_set_new(o, "rows", json_integer(j->report.rows));
		json_object_set_new(o, "schema_version", json_integer(j->report.schema_version));
	}
	if (j->error[0] != '\0')
		json_object_set_new(o, "error", json_string(j->error));
	pthread_mutex_unlock(&j->mu);
	return o;
}

void
web_backup_job_free(struct web_backup_job *j)
{
	if (j == NULL)
		return;
	pthread_mutex_lock(&j->mu);
	j->cancelled = 1;
	if (j->state == JOB_RUNNING && j->db != NULL) {
		PGcancel *c = PQgetCancel(j->db);
		char msg[256];

		if (c != NULL) {
			(void)PQcancel(c, msg, sizeof(msg));
			PQfreeCancel(c);
		}
	}
	pthread_mutex_unlock(&j->mu);
	if (j->joinable)
		pthread_join(j->thread, NULL);
	pthread_cond_destroy(&j->changed);
	pthread_mutex_destroy(&j->mu);
	free(j);
}
