/*
 * api_backups.c - /api/backups: the archives of the backup directory
 * ($COMRADARR_HOME/backups, as comradarr-backup(1) makes them): list,
 * create (a background job, backup_job.h), download, verify.  Every route
 * is for administrators: an archive holds the whole database (its secrets
 * sealed, but its users, history and settings readable).
 *
 * A name from the request reaches the file system only through
 * backup_open(): a name of the directory's own pattern, a regular file
 * directly in it, never a link; the router has already refused "..",
 * encoded dots and slashes.  There is no upload and no restore here on
 * purpose: a restore replaces the database under a running server, so it
 * stays a shell act (comradarr-backup restore FILE).
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "core/log.h"
#include "db/uisettings.h"
#include "stage/backup.h"
#include "web/api.h"
#include "web/app.h"
#include "web/backup_job.h"
#include "web/server.h"
#include "core/banned.h"

/* How long a create request waits for its job before answering 202. */
#define CREATE_WAIT_MS 3000

static char *
dir_of(struct web_req *req, int make, struct err *e)
{
	const struct web_app *app = req->app;

	return backup_dir_path(app->cfg, NULL, make, e);
}

/* One archive of the list: what its manifest says, its size, and whether
 * the recorded check is of the file as it is now. */
static json_t *
item(const char *dir, const char *name, const json_t *checks)
{
	struct stat st;
	struct err e = ERR_INIT;
	json_t *o = json_pack("{s:s}", "name", name), *m = NULL;
	const json_t *c = json_object_get(checks, name);
	char *path = NULL;
	int fd;

	if (backup_open(dir, name, &fd, &st, &e) < 0) {
		json_object_set_new(o, "problem", json_string(e.msg));
		return o;
	}
	close(fd);
	json_object_set_new(o, "bytes", json_integer((json_int_t)st.st_size));
	json_object_set_new(o, "modified_at", json_integer((json_int_t)st.st_mtime));
	if (asprintf(&path, "%s/%s", dir, name) >= 0 && backup_read_manifest(path, &m, &e) == 0) {
		json_object_set_new(o, "created_at", json_copy(json_object_get(m, "created_at")));
		json_object_set_new(o, "schema_version",
				    json_copy(json_object_get(m, "schema_version")));
		json_object_set_new(o, "app_version", json_copy(json_object_get(m, "app_version")));
		json_object_set_new(o, "no_mirror",
				    json_boolean(json_is_true(json_object_get(m, "no_mirror"))));
	} else {
		/* a damaged file is listed as such, not hidden */
		json_object_set_new(o, "problem", json_string(e.msg[0] ? e.msg : "unreadable"));
	}
	json_decref(m);
	free(path);
	if (c != NULL && json_integer_value(json_object_get(c, "bytes")) == (json_int_t)st.st_size &&
	    json_integer_value(json_object_get(c, "mtime_us")) ==
	    (json_int_t)st.st_mtim.tv_sec * 1000000 + st.st_mtim.tv_nsec / 1000)
		json_object_set_new(o, "verified", json_pack("{s:O, s:O, s:O, s:O}", "ok",
				    json_object_get(c, "ok"), "at", json_object_get(c, "at"),
				    "by", json_object_get(c, "checked_by"),
				    "detail", json_object_get(c, "detail")));
	else
		json_object_set_new(o, "verified", json_null());
	return o;
}

int
api_backups_list(struct web_req *req, struct web_resp *resp)
{
	const struct web_app *app = req->app;
	struct err e = ERR_INIT;
	char **names = NULL, *dir;
	size_t n = 0;
	json_t *items, *checks = NULL, *o;
	PGconn *db;

	if ((dir = dir_of(req, 0, &e)) == NULL)
		return web_resp_err(resp, &e);
	if (backup_list_dir(dir, &names, &n, &e) < 0) {
		free(dir);
		return web_resp_err(resp, &e);
	}
	if ((db = web_req_db(req, resp)) == NULL || db_backup_checks(db, &checks, &e) < 0) {
		if (db != NULL)
			web_resp_err(resp, &e);
		backup_names_free(names, n);
		free(dir);
		return -1;
	}
	items = json_array();
	for (size_t i = 0; i < n; i++)
		json_array_append_new(items, item(dir, names[i], checks));
	o = json_pack("{s:o, s:s}", "items", items, "dir", dir);
	json_object_set_new(o, "job", app->backup_job ? web_backup_job_state(app->backup_job) :
			    json_null());
	json_decref(checks);
	backup_names_free(names, n);
	free(dir);
	return web_resp_json(resp, 200, o);
}

int
api_backups_create(struct web_req *req, struct web_resp *resp)
{
	const struct web_app *app = req->app;
	struct err e = ERR_INIT;
	json_t *body = NULL, *st, *v;
	const char *state;
	char *dir;
	PGconn *db;
	int no_mirror = 0, status;

	if (app->backup_job == NULL)
		return web_resp_error(resp, 503, "unavailable", NULL, "backups cannot be made here");
	if (req->body.len > 0) {
		if ((body = web_req_json(req, resp)) == NULL)
			return -1;
		if ((v = json_object_get(body, "no_mirror")) != NULL && !json_is_boolean(v)) {
			json_decref(body);
			return web_resp_error(resp, 400, "invalid", "no_mirror",
					      "no_mirror is true or false");
		}
		no_mirror = json_is_true(v);
		json_decref(body);
	}
	if ((dir = dir_of(req, 1, &e)) == NULL)
		return web_resp_err(resp, &e);
	if (web_backup_job_start(app->backup_job, dir, no_mirror, req->who.user, CREATE_WAIT_MS,
				 &e) < 0) {
		free(dir);
		return web_resp_err(resp, &e);
	}
	free(dir);
	st = web_backup_job_state(app->backup_job);
	state = json_string_value(json_object_get(st, "state"));
	if ((db = web_req_db(req, resp)) != NULL)
		api_audit(db, req, "backup.create", json_string_value(json_object_get(st, "file")),
			  strcmp(state, "done") == 0 || strcmp(state, "running") == 0 ? "ok" :
			  strcmp(state, "skipped") == 0 ? "refused" : "failed",
			  json_pack("{s:s, s:b}", "state", state, "no_mirror", no_mirror));
	/* done: 201; still running: 202 (GET /api/backups follows it);
	 * another backup holds the lock: 409; failed: 500 with the reason */
	status = strcmp(state, "done") == 0 ? 201 : strcmp(state, "running") == 0 ? 202 :
		 strcmp(state, "skipped") == 0 ? 409 : 500;
	if (status >= 400) {
		char msg[512];

		snprintf(msg, sizeof(msg), "%s", json_string_value(json_object_get(st, "error")) ?
			 json_string_value(json_object_get(st, "error")) : state);
		json_decref(st);
		return web_resp_error(resp, status, status == 409 ? "conflict" : "backup_failed",
				      NULL, "the backup was not made: %s", msg);
	}
	return web_resp_json(resp, status, st);
}

int
api_backups_download(struct web_req *req, struct web_resp *resp)
{
	struct err e = ERR_INIT;
	const char *name = web_req_param(req, "name");
	char disp[BACKUP_NAME_MAX + 64], *dir;
	struct stat st;
	PGconn *db;
	int fd;

	if ((dir = dir_of(req, 0, &e)) == NULL)
		return web_resp_err(resp, &e);
	if (backup_open(dir, name, &fd, &st, &e) < 0) {
		free(dir);
		return web_resp_err(resp, &e);
	}
	free(dir);
	/* the name passed backup_name_valid: no quote, no CR/LF to inject */
	snprintf(disp, sizeof(disp), "attachment; filename=\"%s\"", name);
	web_resp_file(resp, 200, "application/x-tar", fd, (uint64_t)st.st_size);
	web_resp_header(resp, "Content-Disposition", disp);
	if ((db = web_req_db(req, resp)) == NULL)
		return -1;
	api_audit(db, req, "backup.download", name, "ok",
		  json_pack("{s:I}", "bytes", (json_int_t)st.st_size));
	return 0;
}

int
api_backups_verify(struct web_req *req, struct web_resp *resp)
{
	struct err e = ERR_INIT, ve = ERR_INIT;
	const char *name = web_req_param(req, "name");
	struct db_backup_check c;
	json_t *m = NULL, *o;
	struct stat st;
	char *dir;
	FILE *f;
	PGconn *db;
	int fd, ok;

	if ((dir = dir_of(req, 0, &e)) == NULL)
		return web_resp_err(resp, &e);
	if (backup_open(dir, name, &fd, &st, &e) < 0) {
		free(dir);
		return web_resp_err(resp, &e);
	}
	free(dir);
	if ((f = fdopen(fd, "rb")) == NULL) {
		close(fd);
		err_set(&e, ERR_IO, "cannot read '%s': %s", name, strerror(errno));
		return web_resp_err(resp, &e);
	}
	/* every member's digest, in this request: reading the archive once is
	 * what it costs (a few seconds for a large one, never unbounded memory) */
	ok = backup_verify(f, &m, &ve) == 0;
	fclose(f);
	memset(&c, 0, sizeof(c));
	c.name = name;
	c.bytes = (int64_t)st.st_size;
	c.mtime_us = (int64_t)st.st_mtim.tv_sec * 1000000 + st.st_mtim.tv_nsec / 1000;
	c.ok = ok;
	c.detail = ok ? NULL : ve.msg;
	c.schema_version = ok ? (int)json_integer_value(json_object_get(m, "schema_version")) : 0;
	c.checked_by = req->who.user[0] ? req->who.user : "anonymous";
	if ((db = web_req_db(req, resp)) == NULL) {
		json_decref(m);
		return -1;
	}
	if (db_backup_check_put(db, &c, &e) < 0) {
		json_decref(m);
		return web_resp_err(resp, &e);
	}
	api_audit(db, req, "backup.verify", name, ok ? "ok" : "failed",
		  ok ? NULL : json_pack("{s:s}", "detail", ve.msg));
	o = json_pack("{s:s, s:b, s:I}", "name", name, "ok", ok, "bytes", (json_int_t)st.st_size);
	if (ok) {
		json_object_set_new(o, "schema_version", json_copy(json_object_get(m, "schema_version")));
		json_object_set_new(o, "created_at", json_copy(json_object_get(m, "created_at")));
		json_object_set_new(o, "tables",
				    json_integer((json_int_t)json_array_size(json_object_get(m, "tables"))));
	} else {
		json_object_set_new(o, "detail", json_string(ve.msg));
	}
	json_decref(m);
	return web_resp_json(resp, 200, o);
}
