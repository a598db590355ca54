/*
 * test_serve_settings.c - the settings sections of comradarr-serve's API
 * over real HTTP against a real database: notification channels (their
 * credentials never in an answer; a test message to the real loopback
 * receiver of tests/notify/receiver.py, its signature checked there),
 * backups (create, list, download, verify; path tricks refused) and the
 * log level changed at run time, each with the access levels it needs.
 */
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include <check.h>
#include <jansson.h>

#include "clitest.h"
#include "pgtest.h"
#include "proc.h"
#include "servectl.h"

#define ADMIN_PW "correct horse battery staple"
#define USER_PW "a user password of some length"
#define RO_PW "a reader's long enough password"
#define HMAC "hmac-secret-of-the-receiver-0123"
#define HOOK_SECRET "hook-path-secret-4711xyzw"

static struct pgtest T;
static struct servectl S;
static pid_t recv_pid = -1;
static int recv_port;
static char recv_dir[128];

/* The receiver: python3 tests/notify/receiver.py LOG SECRET, its port on
 * the first line of its standard output. */
static void
receiver_start(void)
{
	char log[192], portf[192], buf[32] = "";
	int fd;

	snprintf(recv_dir, sizeof(recv_dir), "/tmp/comradarr-recv-XXXXXX");
	ck_assert_ptr_nonnull(mkdtemp(recv_dir));
	snprintf(log, sizeof(log), "%s/log", recv_dir);
	snprintf(portf, sizeof(portf), "%s/port", recv_dir);
	recv_pid = fork();
	ck_assert_int_ge(recv_pid, 0);
	if (recv_pid == 0) {
		fd = open(portf, O_WRONLY | O_CREAT | O_TRUNC, 0600);
		if (fd < 0 || dup2(fd, 1) < 0)
			_exit(127);
		execlp("python3", "python3", "tests/notify/receiver.py", log, HMAC, (char *)NULL);
		_exit(127);
	}
	for (int i = 0; i < 200 && atoi(buf) <= 0; i++) {
		FILE *f = fopen(portf, "r");

		if (f != NULL) {
			if (fgets(buf, sizeof(buf), f) == NULL)
				buf[0] = '\0';
			fclose(f);
		}
		if (atoi(buf) <= 0)
			usleep(50000);
	}
	recv_port = atoi(buf);
	ck_assert_msg(recv_port > 0, "the receiver did not start");
}

static void
receiver_stop(void)
{
	char cmd[256];

	if (recv_pid > 0) {
		kill(recv_pid, SIGTERM);
		waitpid(recv_pid, NULL, 0);
		recv_pid = -1;
	}
	if (recv_dir[0] != '\0') {
		snprintf(cmd, sizeof(cmd), "rm -rf '%s'", recv_dir);
		if (system(cmd) != 0)
			fprintf(stderr, "could not remove %s\n", recv_dir);
		recv_dir[0] = '\0';
	}
}

/* The receiver's log: one JSON object per request. */
static json_t *
receiver_log(void)
{
	char path[192];
	json_t *a = json_array(), *j;
	FILE *f;
	char *line = NULL;
	size_t cap = 0;

	snprintf(path, sizeof(path), "%s/log", recv_dir);
	f = fopen(path, "r");
	if (f == NULL)
		return a;
	while (getline(&line, &cap, f) > 0)
		if ((j = json_loads(line, 0, NULL)) != NULL)
			json_array_append_new(a, j);
	free(line);
	fclose(f);
	return a;
}

static void
setup(void)
{
	struct err e = ERR_INIT;
	const char *const args[] = { "--threads", "4", NULL };

	pgtest_create(&T, "serveset");
	clitest_add_user("admin", "admin", ADMIN_PW);
	clitest_add_user("ursula", "user", USER_PW);
	clitest_add_user("rita", "readonly", RO_PW);
	ck_assert_msg(servectl_start(&S, args, &e) == 0, "%s", e.msg);
	receiver_start();
}

static void
teardown(void)
{
	char *err;

	receiver_stop();
	servectl_stop(&S);
	err = servectl_output(&S, 1);
	ck_assert_msg(strstr(err, "Sanitizer") == NULL && strstr(err, "runtime error") == NULL,
		      "comradarr-serve: %s", err);
	free(err);
	servectl_cleanup(&S);
	pgtest_drop(&T);
}

/* A request; the status is checked and the body must not hold any secret. */
static json_t *
call(const char *method, const char *path, const char *const hdrs[], const char *body,
     long want)
{
	struct http_resp r;
	json_t *j;

	ck_assert_msg(http_do(&S, method, path, hdrs, body, &r) == 0, "%s %s: no answer",
		      method, path);
	ck_assert_msg(r.status == want, "%s %s: status %ld, wanted %ld: %s", method, path,
		      r.status, want, r.body);
	ck_assert_msg(strstr(r.body, HOOK_SECRET) == NULL && strstr(r.body, HMAC) == NULL,
		      "%s %s: a secret in the answer: %s", method, path, r.body);
	j = json_loads(r.body, 0, NULL);
	ck_assert_msg(j != NULL, "%s %s: not JSON: %s", method, path, r.body);
	http_resp_free(&r);
	return j;
}

static const char *
jstr(const json_t *o, const char *k)
{
	return json_string_value(json_object_get(o, k));
}

/* ------------------------------------------------------------ channels */

START_TEST(channels_credentials_go_in_and_never_come_out)
{
	struct http_session s, us, rs;
	char body[1024], *rokey = clitest_add_key("read"), *fullkey = clitest_add_key("full"), rk[128], fk[128];
	json_t *j, *log, *x;
	size_t i;
	int signed_ok = 0;

	snprintf(rk, sizeof(rk), "X-Api-Key: %s", rokey);
	snprintf(fk, sizeof(fk), "X-Api-Key: %s", fullkey);
	ck_assert_int_eq(http_login(&S, "admin", ADMIN_PW, &s), 200);
	ck_assert_int_eq(http_login(&S, "ursula", USER_PW, &us), 200);
	ck_assert_int_eq(http_login(&S, "rita", RO_PW, &rs), 200);
	{
		const char *adm[] = { s.cookie, s.origin_hdr, s.csrf_hdr,
				      "Content-Type: application/json", NULL };
		const char *usr[] = { us.cookie, us.origin_hdr, us.csrf_hdr,
				      "Content-Type: application/json", NULL };
		const char *ro[] = { rs.cookie, rs.origin_hdr, rs.csrf_hdr,
				     "Content-Type: application/json", NULL };
		const char *rkh[] = { rk, "Content-Type: application/json", NULL };
		const char *fkh[] = { fk, "Content-Type: application/json", NULL };

		snprintf(body, sizeof(body), "{\"name\":\"hook\",\"type\":\"webhook\","
			 "\"events\":[\"search_outcome\",\"sweep_failed\"],\"batch_window_s\":0,"
			 "\"quiet_hours\":\"22:00-07:00\",\"quiet_tz\":\"Europe/Berlin\","
			 "\"secrets\":{\"url\":\"http://127.0.0.1:%d/webhook/in/" HOOK_SECRET "\","
			 "\"hmac_secret\":\"" HMAC "\"}}", recv_port);
		/* only administrators add channels: not a user, not any key */
		json_decref(call("POST", "/api/channels", usr, body, 403));
		json_decref(call("POST", "/api/channels", fkh, body, 403));
		json_decref(call("POST", "/api/channels", rkh, body, 403));
		j = call("POST", "/api/channels", adm, body, 201);
		ck_assert_str_eq(jstr(j, "channel"), "hook");
		ck_assert_str_eq(jstr(j, "quiet_hours"), "22:00-07:00");
		ck_assert_int_eq(json_array_size(json_object_get(j, "secrets_masked")), 2);
		json_array_foreach(json_object_get(j, "secrets_masked"), i, x) {
			const char *m = jstr(x, "masked");

			/* only the last 4 characters */
			ck_assert_ptr_nonnull(m);
			ck_assert_msg(strcmp(m + strlen(m) - 4, "xyzw") == 0 ||
				      strcmp(m + strlen(m) - 4, "0123") == 0, "masked: %s", m);
			ck_assert_int_eq(m[0], '*');
		}
		json_decref(j);
		/* a bad body is refused naming the field, and nothing is stored */
		json_decref(call("POST", "/api/channels", adm, "{\"name\":\"x\",\"type\":\"webhook\","
				 "\"secrets\":{\"url\":\"ftp://nowhere\",\"hmac_secret\":\"abcdefgh\"}}",
				 400));
		json_decref(call("POST", "/api/channels", adm, "{\"name\":\"y\",\"type\":\"ntfy\","
				 "\"config\":{\"url\":\"https://ntfy.sh\",\"topic\":\"t\",\"bogus\":1}}",
				 400));
		ck_assert_int_eq(pgtest_count(&T, "SELECT count(*) FROM notify_channels"), 1);
		/* reading: any login and a read key; never a credential */
		j = call("GET", "/api/channels", rkh, NULL, 200);
		ck_assert_int_eq(json_array_size(json_object_get(j, "items")), 1);
		ck_assert(json_is_null(json_object_get(json_array_get(json_object_get(j, "items"), 0),
						       "last")));
		json_decref(j);
		json_decref(call("GET", "/api/channels/hook", ro, NULL, 200));
		json_decref(call("GET", "/api/channels/nope", ro, NULL, 404));
		/* an edit with the credentials left empty keeps them */
		j = call("PATCH", "/api/channels/hook", adm, "{\"events\":\"all\",\"secrets\":"
			 "{\"url\":\"\",\"hmac_secret\":\"\"},\"max_per_hour\":30}", 200);
		ck_assert_int_eq(json_integer_value(json_object_get(j, "max_per_hour")), 30);
		ck_assert_int_eq(json_array_size(json_object_get(j, "secrets_masked")), 2);
		json_decref(j);
		/* the test message: the user may, a read key and a reader may not */
		json_decref(call("POST", "/api/channels/hook/test", rkh, NULL, 403));
		json_decref(call("POST", "/api/channels/hook/test", ro, NULL, 403));
		j = call("POST", "/api/channels/hook/test", usr, NULL, 200);
		ck_assert_msg(json_is_true(json_object_get(j, "ok")), "test: %s", jstr(j, "error"));
		ck_assert_int_eq(json_integer_value(json_object_get(j, "status")), 200);
		json_decref(j);
		/* the receiver got it at the secret URL, signed with the secret */
		log = receiver_log();
		json_array_foreach(log, i, x) {
			if (strcmp(jstr(x, "service"), "webhook") == 0 &&
			    json_array_size(json_object_get(x, "problems")) == 0 &&
			    strstr(jstr(x, "path"), HOOK_SECRET) != NULL)
				signed_ok++;
		}
		json_decref(log);
		ck_assert_int_eq(signed_ok, 1);
		/* a refused send: the outcome and the receiver's status, no secret */
		{
			char ctl[256];
			struct http_resp r;
			struct servectl R = S;

			snprintf(R.url, sizeof(R.url), "http://127.0.0.1:%d", recv_port);
			snprintf(ctl, sizeof(ctl), "{\"prefix\":\"/webhook/\",\"answers\":[401]}");
			ck_assert_int_eq(http_do(&R, "POST", "/_control", NULL, ctl, &r), 0);
			http_resp_free(&r);
		}
		j = call("POST", "/api/channels/hook/test", adm, NULL, 200);
		ck_assert(json_is_false(json_object_get(j, "ok")));
		ck_assert_int_eq(json_integer_value(json_object_get(j, "status")), 401);
		ck_assert_ptr_nonnull(jstr(j, "error"));
		json_decref(j);
		/* moving the channel needs its credentials again (or the say-so) */
		json_decref(call("PATCH", "/api/channels/hook", adm,
				 "{\"config\":{\"tls_verify\":false}}", 400));
		json_decref(call("PATCH", "/api/channels/hook", adm,
				 "{\"config\":{\"tls_verify\":false},\"move_credentials\":true}", 200));
		/* enable, disable, remove: administrators only */
		json_decref(call("POST", "/api/channels/hook/disable", usr, NULL, 403));
		j = call("POST", "/api/channels/hook/disable", adm, NULL, 200);
		ck_assert(json_is_false(json_object_get(j, "enabled")));
		json_decref(j);
		j = call("POST", "/api/channels/hook/enable", adm, NULL, 200);
		ck_assert(json_is_true(json_object_get(j, "enabled")));
		json_decref(j);
		json_decref(call("DELETE", "/api/channels/hook", fkh, NULL, 403));
		json_decref(call("DELETE", "/api/channels/hook", adm, NULL, 200));
		json_decref(call("GET", "/api/channels/hook", adm, NULL, 404));
	}
	/* every change is in the audit log, without a credential */
	ck_assert_int_eq(pgtest_count(&T, "SELECT count(*) FROM audit_log WHERE action LIKE "
				      "'channel.%'"), 8);
	ck_assert_int_eq(pgtest_count(&T, "SELECT count(*) FROM audit_log WHERE detail::text LIKE "
				      "'%" HOOK_SECRET "%' OR detail::text LIKE '%" HMAC "%'"), 0);
	free(rokey);
	free(fullkey);
}
END_TEST

/* ------------------------------------------------------------ backups */

/* The raw answer (a download), status checked. */
static struct http_resp
fetch(const char *path, const char *const hdrs[], long want)
{
	struct http_resp r;

	ck_assert_msg(http_do(&S, "GET", path, hdrs, NULL, &r) == 0, "GET %s: no answer", path);
	ck_assert_msg(r.status == want, "GET %s: status %ld, wanted %ld: %.300s", path, r.status,
		      want, r.body);
	return r;
}

START_TEST(backups_create_list_download_verify)
{
	struct http_session s, us;
	char *fullkey = clitest_add_key("full"), fk[128], path[1024], file[160], disp[256], want[256];
	const char *name;
	json_t *j, *it;
	struct http_resp r;
	struct stat st;
	FILE *f;
	char *disk;

	snprintf(fk, sizeof(fk), "X-Api-Key: %s", fullkey);
	ck_assert_int_eq(http_login(&S, "admin", ADMIN_PW, &s), 200);
	ck_assert_int_eq(http_login(&S, "ursula", USER_PW, &us), 200);
	{
		const char *adm[] = { s.cookie, s.origin_hdr, s.csrf_hdr,
				      "Content-Type: application/json", NULL };
		const char *usr[] = { us.cookie, us.origin_hdr, us.csrf_hdr,
				      "Content-Type: application/json", NULL };
		const char *fkh[] = { fk, "Content-Type: application/json", NULL };
		const char *state = NULL;

		/* administrators only, by session: not a user, not a full key */
		json_decref(call("GET", "/api/backups", usr, NULL, 403));
		json_decref(call("GET", "/api/backups", fkh, NULL, 403));
		json_decref(call("POST", "/api/backups", fkh, NULL, 403));
		j = call("GET", "/api/backups", adm, NULL, 200);
		ck_assert_int_eq(json_array_size(json_object_get(j, "items")), 0);
		ck_assert_str_eq(jstr(json_object_get(j, "job"), "state"), "idle");
		json_decref(j);
		/* while a shell's backup holds the lock, a new one is skipped: 409 */
		{
			PGconn *other = PQconnectdb(T.url);
			PGresult *res = PQexec(other, "SELECT pg_advisory_lock((x'436f6d72'::bigint << 32) | (6 << 24))");

			ck_assert_int_eq(PQresultStatus(res), PGRES_TUPLES_OK);
			PQclear(res);
			json_decref(call("POST", "/api/backups", adm, NULL, 409));
			PQfinish(other);
		}
		/* a small database is done within the request: 201, else 202 */
		{
			struct http_resp cr;

			ck_assert_int_eq(http_do(&S, "POST", "/api/backups", adm, "{\"no_mirror\":false}",
						 &cr), 0);
			ck_assert_msg(cr.status == 201 || cr.status == 202, "create: %ld %s", cr.status,
				      cr.body);
			http_resp_free(&cr);
		}
		for (int i = 0; i < 300; i++) {
			j = call("GET", "/api/backups", adm, NULL, 200);
			state = jstr(json_object_get(j, "job"), "state");
			if (strcmp(state, "running") != 0)
				break;
			json_decref(j);
			j = NULL;
			usleep(200000);
		}
		ck_assert_ptr_nonnull(j);
		ck_assert_str_eq(jstr(json_object_get(j, "job"), "state"), "done");
		ck_assert_int_eq(json_array_size(json_object_get(j, "items")), 1);
		it = json_array_get(json_object_get(j, "items"), 0);
		name = jstr(it, "name");
		snprintf(file, sizeof(file), "%s", name);
		ck_assert_msg(strncmp(file, "comradarr-", 10) == 0, "name %s", file);
		/* the schema the database is at, whatever migration is newest */
		ck_assert_int_eq(json_integer_value(json_object_get(it, "schema_version")),
				 pgtest_count(&T, "SELECT max(version) FROM schema_migrations"));
		ck_assert(json_is_null(json_object_get(it, "verified")));
		snprintf(path, sizeof(path), "%s/backups/%s", T.home, file);
		ck_assert_int_eq(stat(path, &st), 0);
		ck_assert_int_eq(json_integer_value(json_object_get(it, "bytes")), st.st_size);
		json_decref(j);

		/* download: the file as it is on disk, as an attachment */
		snprintf(path, sizeof(path), "/api/backups/%s/download", file);
		{
			const char *uh[] = { us.cookie, NULL };
			struct http_resp x = fetch(path, uh, 403);

			http_resp_free(&x);
		}
		r = fetch(path, adm, 200);
		ck_assert_uint_eq(r.body_len, (size_t)st.st_size);
		ck_assert_ptr_nonnull(http_header(&r, "Content-Disposition", disp, sizeof(disp)));
		snprintf(want, sizeof(want), "attachment; filename=\"%s\"", file);
		ck_assert_str_eq(disp, want);
		snprintf(path, sizeof(path), "%s/backups/%s", T.home, file);
		disk = malloc((size_t)st.st_size);
		f = fopen(path, "rb");
		ck_assert_ptr_nonnull(f);
		ck_assert_uint_eq(fread(disk, 1, (size_t)st.st_size, f), (size_t)st.st_size);
		fclose(f);
		ck_assert(memcmp(disk, r.body, (size_t)st.st_size) == 0);
		free(disk);
		http_resp_free(&r);

		/* verify: intact, and the list says so */
		snprintf(path, sizeof(path), "/api/backups/%s/verify", file);
		json_decref(call("POST", path, usr, NULL, 403));
		j = call("POST", path, adm, NULL, 200);
		ck_assert(json_is_true(json_object_get(j, "ok")));
		json_decref(j);
		j = call("GET", "/api/backups", adm, NULL, 200);
		it = json_array_get(json_object_get(j, "items"), 0);
		ck_assert(json_is_true(json_object_get(json_object_get(it, "verified"), "ok")));
		json_decref(j);
		/* a flipped byte: damaged, and the list no longer calls it verified */
		{
			char p2[1024];
			FILE *w;

			snprintf(p2, sizeof(p2), "%s/backups/%s", T.home, file);
			w = fopen(p2, "r+b");
			ck_assert_ptr_nonnull(w);
			fseek(w, 600, SEEK_SET);
			fputc('#', w);
			fclose(w);
		}
		j = call("GET", "/api/backups", adm, NULL, 200);
		it = json_array_get(json_object_get(j, "items"), 0);
		ck_assert(json_is_null(json_object_get(it, "verified")));
		json_decref(j);
		j = call("POST", path, adm, NULL, 200);
		ck_assert(json_is_false(json_object_get(j, "ok")));
		ck_assert_ptr_nonnull(jstr(j, "detail"));
		json_decref(j);
		ck_assert_int_eq(pgtest_count(&T, "SELECT count(*) FROM backup_checks WHERE NOT ok"), 1);

		/* path tricks: refused before or by the name check, never a file */
		{
			static const char *const tricks[] = {
				"/api/backups/..%2f..%2fsecret.key/download",
				"/api/backups/%2e%2e/download",
				"/api/backups/../secret.key/download",
				"/api/backups/comradarr-..%2fx.tar/download",
				"/api/backups/secret.key/download",
				"/api/backups/comradarr-x.tar%00/download",
				"/api/backups/comradarr-link.tar/download",
				"/api/backups/.comradarr-x.tar/download",
				"/api/backups/comradarr-x.tar.partial/download",
				NULL
			};
			char target[1024], link_path[1024];

			/* a link in the backup directory pointing outside it */
			snprintf(target, sizeof(target), "%s/secret.key", T.home);
			snprintf(link_path, sizeof(link_path), "%s/backups/comradarr-link.tar", T.home);
			ck_assert_int_eq(symlink("/etc/passwd", link_path), 0);
			for (int i = 0; tricks[i] != NULL; i++) {
				struct http_resp x;

				ck_assert_int_eq(http_do(&S, "GET", tricks[i], adm, NULL, &x), 0);
				ck_assert_msg(x.status == 400 || x.status == 404, "%s: %ld", tricks[i],
					      x.status);
				ck_assert_msg(strstr(x.body, "root:") == NULL, "%s served a file", tricks[i]);
				http_resp_free(&x);
			}
			(void)target;
		}
	}
	{
		char *a = pgtest_scalar(&T, "SELECT string_agg(action || ':' || outcome, ',' ORDER BY id) "
					"FROM audit_log WHERE action LIKE 'backup.%'");

		ck_assert_str_eq(a, "backup.create:refused,backup.create:ok,backup.download:ok,"
				 "backup.verify:ok,backup.verify:failed");
		free(a);
	}
	free(fullkey);
}
END_TEST

/* ------------------------------------------------------------ log level */

/* How many debug records of route the server has written so far. */
static int
debug_lines(const char *route)
{
	char *err = servectl_output(&S, 1), *p = err, *nl;
	int n = 0;

	while (p != NULL && *p != '\0') {
		nl = strchr(p, '\n');
		if (nl != NULL)
			*nl = '\0';
		if (strstr(p, "\"level\":\"debug\"") != NULL && strstr(p, route) != NULL)
			n++;
		p = nl ? nl + 1 : NULL;
	}
	free(err);
	return n;
}

START_TEST(log_level_changes_at_run_time)
{
	struct http_session s, us;
	char *fullkey = clitest_add_key("full"), fk[128];
	json_t *j;
	int n;

	snprintf(fk, sizeof(fk), "X-Api-Key: %s", fullkey);
	ck_assert_int_eq(http_login(&S, "admin", ADMIN_PW, &s), 200);
	ck_assert_int_eq(http_login(&S, "ursula", USER_PW, &us), 200);
	{
		const char *adm[] = { s.cookie, s.origin_hdr, s.csrf_hdr,
				      "Content-Type: application/json", NULL };
		const char *usr[] = { us.cookie, us.origin_hdr, us.csrf_hdr,
				      "Content-Type: application/json", NULL };
		const char *fkh[] = { fk, "Content-Type: application/json", NULL };

		json_decref(call("GET", "/api/channels", adm, NULL, 200));
		ck_assert_int_eq(debug_lines("/api/channels"), 0);
		/* administrators only; a bad name is refused with the choices */
		json_decref(call("PUT", "/api/settings/log.level", usr, "{\"value\":\"debug\"}", 403));
		json_decref(call("PUT", "/api/settings/log.level", fkh, "{\"value\":\"debug\"}", 403));
		j = call("PUT", "/api/settings/log.level", adm, "{\"value\":\"loud\"}", 400);
		ck_assert_ptr_nonnull(strstr(jstr(json_object_get(j, "error"), "message"), "debug"));
		json_decref(j);
		/* applied at once: the next request is traced */
		j = call("PUT", "/api/settings/log.level", adm, "{\"value\":\"debug\"}", 200);
		ck_assert_str_eq(jstr(j, "value"), "debug");
		json_decref(j);
		json_decref(call("GET", "/api/channels", adm, NULL, 200));
		ck_assert_int_eq(debug_lines("/api/channels"), 1);
		/* stored by name, with its event and audit line */
		ck_assert_int_eq(pgtest_count(&T, "SELECT count(*) FROM settings WHERE key = 'log.level' "
					      "AND value = '\"debug\"'::jsonb"), 1);
		ck_assert_int_eq(pgtest_count(&T, "SELECT count(*) FROM events WHERE kind = "
					      "'setting_changed' AND payload->>'value' = 'debug'"), 1);
		ck_assert_int_eq(pgtest_count(&T, "SELECT count(*) FROM audit_log WHERE action = "
					      "'setting.set' AND target = 'log.level'"), 1);
		/* set by another process: picked up within the server's poll */
		{
			const char *argv[] = { "comradarr", "settings", "set", "log.level", "warn", NULL };

			clitest_ok(argv, NULL);
		}
		n = debug_lines("/api/backups");
		for (int i = 0; i < 80; i++) {
			json_decref(call("GET", "/api/backups", adm, NULL, 200));
			if (debug_lines("/api/backups") == n)
				break;	/* this one was not traced: the level moved */
			n = debug_lines("/api/backups");
			usleep(100000);
		}
		json_decref(call("GET", "/api/backups", adm, NULL, 200));
		ck_assert_int_eq(debug_lines("/api/backups"), n);
		/* the other tools read it when they start: at warn, comradarr-backup's
		 * info line is not written; at its default it is */
		{
			const char *argv[] = { "comradarr-backup", "create", "--output", "-", NULL };
			struct proc_result r;

			ck_assert_int_eq(proc_run(argv, NULL, &r), 0);
			ck_assert_msg(r.status == 0, "backup: %s", r.err);
			ck_assert_msg(strstr(r.err, "archive written") == NULL, "info at warn: %s", r.err);
			proc_result_free(&r);
			pgtest_exec(&T, "DELETE FROM settings WHERE key = 'log.level'");
			ck_assert_int_eq(proc_run(argv, NULL, &r), 0);
			ck_assert_msg(strstr(r.err, "archive written") != NULL, "no info line: %s", r.err);
			proc_result_free(&r);
			pgtest_exec(&T, "INSERT INTO settings (key, value) VALUES ('log.level', '\"warn\"')");
		}
		/* a reset gives the environment's LOG_LEVEL back */
		j = call("PUT", "/api/settings/log.level", adm, "{\"value\":null}", 200);
		ck_assert(json_is_true(json_object_get(j, "default")));
		json_decref(j);
		ck_assert_int_eq(pgtest_count(&T, "SELECT count(*) FROM settings WHERE key = "
					      "'log.level'"), 0);
	}
	free(fullkey);
}
END_TEST

int
main(void)
{
	Suite *su = suite_create("serve_settings");
	TCase *tc = tcase_create("settings");
	SRunner *sr;
	int failed;

	if (!pgtest_available()) {
		printf("SKIPPED: no test PostgreSQL (run through tests/run.sh)\n");
		return 0;
	}
	tcase_add_checked_fixture(tc, setup, teardown);
	tcase_set_timeout(tc, 120);
	tcase_add_test(tc, channels_credentials_go_in_and_never_come_out);
	tcase_add_test(tc, backups_create_list_download_verify);
	tcase_add_test(tc, log_level_changes_at_run_time);
	suite_add_tcase(su, tc);
	sr = srunner_create(su);
	srunner_run_all(sr, CK_NORMAL);
	failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	return failed ? 1 : 0;
}
