/* lib/db against a real PostgreSQL: migrations, connectors with encrypted
 * keys (Req 1.1, 36.1-36.2), cascades from the mirror (Req 11.4), and the
 * constraints later stages rely on. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include <check.h>
#include <sodium.h>

#include "crypto/secretbox.h"
#include "db/connectors.h"
#include "db/db.h"
#include "db/migrate.h"
#include "pgtest.h"

static struct pgtest T;
static struct secret_key K;

static void
setup(void)
{
	struct err e = ERR_INIT;

	pgtest_create(&T, "db");
	ck_assert_msg(secret_key_parse(getenv("SECRET_KEY"), &K, &e) == 0, "%s", e.msg);
}

static void
teardown(void)
{
	pgtest_drop(&T);
}

static int64_t
add_connector(const char *name, const char *type, const char *key)
{
	struct connector c;
	struct err e = ERR_INIT;
	int64_t id;

	memset(&c, 0, sizeof(c));
	snprintf(c.name, sizeof(c.name), "%s", name);
	snprintf(c.type, sizeof(c.type), "%s", type);
	c.url = strdup("http://127.0.0.1:8989/");
	c.enabled = 1;
	c.tls_verify = 1;
	ck_assert_msg(db_connector_add(T.conn, &K, &c, key, &e) == 0, "add: %s", e.msg);
	id = c.id;
	connector_release(&c);
	return id;
}

START_TEST(migrate_is_idempotent_and_recorded)
{
	struct err e = ERR_INIT;
	int n = -1, pending = -1;

	ck_assert_int_eq(db_migrate(T.conn, NULL, NULL, &n, &e), 0);
	ck_assert_int_eq(n, 0);
	ck_assert_int_eq(db_migrate_status(T.conn, NULL, NULL, &pending, &e), 0);
	ck_assert_int_eq(pending, 0);
	ck_assert_int_eq(pgtest_count(&T, "SELECT count(*) FROM schema_migrations"),
			 (long long)db_migrations_count);
}
END_TEST

START_TEST(changed_migration_is_refused)
{
	struct err e = ERR_INIT;

	pgtest_exec(&T, "UPDATE schema_migrations SET checksum = 'x' WHERE version = 1");
	ck_assert_int_lt(db_migrate(T.conn, NULL, NULL, NULL, &e), 0);
	ck_assert_msg(strstr(e.msg, "changed after it was applied") != NULL, "got: %s", e.msg);
}
END_TEST

START_TEST(newer_database_is_refused)
{
	struct err e = ERR_INIT;

	pgtest_exec(&T, "INSERT INTO schema_migrations (version, name, checksum) "
			"VALUES (9999, '9999_future', 'x')");
	ck_assert_int_lt(db_migrate(T.conn, NULL, NULL, NULL, &e), 0);
	ck_assert_msg(strstr(e.msg, "newer version") != NULL, "got: %s", e.msg);
}
END_TEST

/* Several processes migrating one empty database at once: exactly one
 * applies each migration, none fails. */
START_TEST(concurrent_migrate_is_safe)
{
	enum { N = 6 };
	pid_t pids[N];

	pgtest_exec(&T, "DROP SCHEMA public CASCADE");
	pgtest_exec(&T, "CREATE SCHEMA public");
	for (int i = 0; i < N; i++) {
		pids[i] = fork();
		ck_assert_int_ge(pids[i], 0);
		if (pids[i] == 0) {
			struct err e = ERR_INIT;
			PGconn *c = NULL;

			if (db_connect(&T.cfg, "comradarr-test", &c, &e) < 0)
				_exit(2);
			_exit(db_migrate(c, NULL, NULL, NULL, &e) == 0 ? 0 : 1);
		}
	}
	for (int i = 0; i < N; i++) {
		int st;

		ck_assert_int_eq(waitpid(pids[i], &st, 0), pids[i]);
		ck_assert_msg(WIFEXITED(st) && WEXITSTATUS(st) == 0, "migrator %d failed", i);
	}
	ck_assert_int_eq(pgtest_count(&T, "SELECT count(*) FROM schema_migrations"),
			 (long long)db_migrations_count);
}
END_TEST

START_TEST(api_key_is_never_stored_in_clear)
{
	const char *key = "5f2d9c1be0a84f37a6c1d2e3f4a5b6c7";
	char sql[512];

	add_connector("tv", "sonarr", key);
	/* not in any text rendering of any column of the row */
	snprintf(sql, sizeof(sql),
		 "SELECT count(*) FROM connectors c WHERE c::text LIKE '%%%s%%' "
		 "OR encode(api_key_enc, 'escape') LIKE '%%%.8s%%'", key, key);
	ck_assert_int_eq(pgtest_count(&T, sql), 0);
}
END_TEST

START_TEST(api_key_round_trips_and_is_bound_to_its_row)
{
	struct connector a, b;
	struct err e = ERR_INIT;
	char *key = NULL;

	add_connector("tv", "sonarr", "aaaaaaaaaaaaaaaaaaaaaaaaaaaa1111");
	add_connector("films", "radarr", "bbbbbbbbbbbbbbbbbbbbbbbbbbbb2222");
	ck_assert_int_eq(db_connector_get(T.conn, "tv", &a, &e), 0);
	ck_assert_int_eq(db_connector_api_key(&K, &a, &key, &e), 0);
	ck_assert_str_eq(key, "aaaaaaaaaaaaaaaaaaaaaaaaaaaa1111");
	free(key);
	/* copy tv's box onto films: it must not open there */
	pgtest_exec(&T, "UPDATE connectors SET api_key_enc = "
			"(SELECT api_key_enc FROM connectors WHERE name = 'tv') WHERE name = 'films'");
	ck_assert_int_eq(db_connector_get(T.conn, "films", &b, &e), 0);
	ck_assert_int_lt(db_connector_api_key(&K, &b, &key, &e), 0);
	ck_assert_ptr_null(key);
	connector_release(&a);
	connector_release(&b);
}
END_TEST

START_TEST(wrong_secret_key_says_key_mismatch)
{
	struct secret_key other;
	struct connector c;
	struct err e = ERR_INIT;
	char *key = NULL;

	add_connector("tv", "sonarr", "aaaaaaaaaaaaaaaaaaaaaaaaaaaa1111");
	ck_assert_int_eq(secret_key_parse("ffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffff",
					  &other, &e), 0);
	ck_assert_int_eq(db_connector_get(T.conn, "tv", &c, &e), 0);
	ck_assert_int_lt(db_connector_api_key(&other, &c, &key, &e), 0);
	ck_assert_msg(strstr(e.msg, "encryption key mismatch") != NULL, "got: %s", e.msg);
	connector_release(&c);
}
END_TEST

START_TEST(duplicate_and_invalid_connectors_write_nothing)
{
	struct connector c;
	struct err e = ERR_INIT;

	add_connector("tv", "sonarr", "aaaaaaaaaaaaaaaaaaaaaaaaaaaa1111");
	memset(&c, 0, sizeof(c));
	snprintf(c.name, sizeof(c.name), "tv");
	snprintf(c.type, sizeof(c.type), "radarr");
	c.url = strdup("http://x:7878");
	ck_assert_int_lt(db_connector_add(T.conn, &K, &c, "bbbbbbbbbbbbbbbbbbbbbbbbbbbb2222", &e), 0);
	ck_assert_int_eq(e.kind, ERR_CONFLICT);
	snprintf(c.name, sizeof(c.name), "films");
	snprintf(c.type, sizeof(c.type), "plex");
	ck_assert_int_lt(db_connector_add(T.conn, &K, &c, "bbbbbbbbbbbbbbbbbbbbbbbbbbbb2222", &e), 0);
	ck_assert_int_eq(e.kind, ERR_USAGE);
	snprintf(c.type, sizeof(c.type), "radarr");
	free(c.url);
	c.url = strdup("http://user:pw@host:7878");
	ck_assert_int_lt(db_connector_add(T.conn, &K, &c, "bbbbbbbbbbbbbbbbbbbbbbbbbbbb2222", &e), 0);
	ck_assert_ptr_nonnull(strstr(e.msg, "credentials"));
	ck_assert_int_eq(pgtest_count(&T, "SELECT count(*) FROM connectors"), 1);
	connector_release(&c);
}
END_TEST

START_TEST(update_rename_and_remove)
{
	struct connector c;
	struct err e = ERR_INIT;
	char *key = NULL;

	add_connector("tv", "sonarr", "aaaaaaaaaaaaaaaaaaaaaaaaaaaa1111");
	ck_assert_int_eq(db_connector_get(T.conn, "tv", &c, &e), 0);
	snprintf(c.name, sizeof(c.name), "shows");
	c.enabled = 0;
	ck_assert_int_eq(db_connector_update(T.conn, &K, &c, "cccccccccccccccccccccccccccc3333", &e), 0);
	connector_release(&c);
	ck_assert_int_lt(db_connector_get(T.conn, "tv", &c, &e), 0);
	ck_assert_int_eq(e.kind, ERR_NOTFOUND);
	ck_assert_int_eq(db_connector_get(T.conn, "shows", &c, &e), 0);
	ck_assert_int_eq(c.enabled, 0);
	ck_assert_int_eq(db_connector_api_key(&K, &c, &key, &e), 0);
	ck_assert_str_eq(key, "cccccccccccccccccccccccccccc3333");
	free(key);
	connector_release(&c);
	ck_assert_int_eq(db_connector_remove(T.conn, "shows", &e), 0);
	ck_assert_int_lt(db_connector_remove(T.conn, "shows", &e), 0);
	ck_assert_int_eq(e.kind, ERR_NOTFOUND);
}
END_TEST

/* Req 11.4: deleting mirror rows deletes their search state. */
START_TEST(mirror_delete_cascades_to_search_state)
{
	int64_t id = add_connector("tv", "sonarr", "aaaaaaaaaaaaaaaaaaaaaaaaaaaa1111");
	char sql[1024];

	snprintf(sql, sizeof(sql),
		 "INSERT INTO series (connector_id, arr_id, title, monitored) VALUES (%lld, 1, 'S', true);"
		 "INSERT INTO episodes (connector_id, series_id, arr_id, season_number, episode_number, "
		 " monitored, has_file) SELECT %lld, id, g, 1, g, true, false FROM series, "
		 " generate_series(1, 5) g;"
		 "INSERT INTO search_registry (connector_id, episode_id, search_type) "
		 " SELECT %lld, id, 'gap' FROM episodes;"
		 "INSERT INTO movies (connector_id, arr_id, title, monitored, has_file) "
		 " VALUES (%lld, 7, 'M', true, false);"
		 "INSERT INTO search_registry (connector_id, movie_id, search_type) "
		 " SELECT %lld, id, 'gap' FROM movies;",
		 (long long)id, (long long)id, (long long)id, (long long)id, (long long)id);
	pgtest_exec(&T, sql);
	ck_assert_int_eq(pgtest_count(&T, "SELECT count(*) FROM search_registry"), 6);
	pgtest_exec(&T, "DELETE FROM series");
	ck_assert_int_eq(pgtest_count(&T, "SELECT count(*) FROM episodes"), 0);
	ck_assert_int_eq(pgtest_count(&T, "SELECT count(*) FROM search_registry"), 1);
	pgtest_exec(&T, "DELETE FROM movies");
	ck_assert_int_eq(pgtest_count(&T, "SELECT count(*) FROM search_registry"), 0);
}
END_TEST

/* Episodes and files reach their connector through series only (0005):
 * removing a connector still removes every row mirrored from it. */
START_TEST(removing_a_connector_removes_its_whole_mirror)
{
	int64_t id = add_connector("tv", "sonarr", "aaaaaaaaaaaaaaaaaaaaaaaaaaaa1111");
	struct err e = ERR_INIT;
	char sql[1024];

	snprintf(sql, sizeof(sql),
		 "INSERT INTO series (connector_id, arr_id, title, monitored) VALUES (%lld, 1, 'S', true);"
		 "INSERT INTO episode_files (connector_id, series_id, arr_id, season_number, quality_id, "
		 " quality_name) SELECT %lld, id, 9, 1, 7, 'Bluray-1080p' FROM series;"
		 "INSERT INTO episodes (connector_id, series_id, arr_id, season_number, episode_number, "
		 " monitored, has_file) SELECT %lld, id, g, 1, g, true, g = 1 FROM series, "
		 " generate_series(1, 3) g;"
		 "INSERT INTO search_registry (connector_id, episode_id, search_type) "
		 " SELECT %lld, id, 'gap' FROM episodes WHERE NOT has_file;",
		 (long long)id, (long long)id, (long long)id, (long long)id);
	pgtest_exec(&T, sql);
	ck_assert_int_eq(db_connector_remove(T.conn, "tv", &e), 0);
	ck_assert_int_eq(pgtest_count(&T, "SELECT (SELECT count(*) FROM series) + (SELECT count(*) "
				      "FROM episodes) + (SELECT count(*) FROM episode_files) + "
				      "(SELECT count(*) FROM search_registry)"), 0);
}
END_TEST

/* An item can sit in only one queued batch: the schema, not the code, says so. */
START_TEST(registry_entry_cannot_be_queued_twice)
{
	int64_t id = add_connector("films", "radarr", "aaaaaaaaaaaaaaaaaaaaaaaaaaaa1111");
	char sql[1024];
	PGresult *r;

	snprintf(sql, sizeof(sql),
		 "INSERT INTO movies (connector_id, arr_id, title, monitored, has_file) "
		 " VALUES (%lld, 7, 'M', true, false);"
		 "INSERT INTO search_registry (connector_id, movie_id, search_type) "
		 " SELECT %lld, id, 'gap' FROM movies;"
		 "INSERT INTO request_queue (connector_id, command, arr_ids, indexer_queries, priority) "
		 " VALUES (%lld, 'MoviesSearch', '{7}', 1, 10), (%lld, 'MoviesSearch', '{7}', 1, 10);"
		 "INSERT INTO request_queue_items SELECT r.id, min(q.id) FROM search_registry r, "
		 " request_queue q GROUP BY r.id;",
		 (long long)id, (long long)id, (long long)id, (long long)id);
	pgtest_exec(&T, sql);
	r = PQexec(T.conn, "INSERT INTO request_queue_items SELECT r.id, max(q.id) FROM "
			   "search_registry r, request_queue q GROUP BY r.id");
	ck_assert_int_eq(PQresultStatus(r), PGRES_FATAL_ERROR);
	ck_assert_str_eq(PQresultErrorField(r, PG_DIAG_SQLSTATE), "23505");
	PQclear(r);
	/* and more than 10 ids in one command is refused (Req 29.4-29.5) */
	snprintf(sql, sizeof(sql), "INSERT INTO request_queue (connector_id, command, arr_ids, "
		 "indexer_queries, priority) VALUES (%lld, 'MoviesSearch', "
		 "'{1,2,3,4,5,6,7,8,9,10,11}', 11, 1)", (long long)id);
	r = PQexec(T.conn, sql);
	ck_assert_int_eq(PQresultStatus(r), PGRES_FATAL_ERROR);
	PQclear(r);
}
END_TEST

/* Run sql and expect SQLSTATE state. */
static void
expect_sqlstate(const char *sql, const char *state)
{
	PGresult *r = PQexec(T.conn, sql);
	const char *got = PQresultErrorField(r, PG_DIAG_SQLSTATE);

	ck_assert_msg(PQresultStatus(r) == PGRES_FATAL_ERROR && got != NULL &&
		      strcmp(got, state) == 0, "'%s': expected SQLSTATE %s, got %s (%s)", sql,
		      state, got ? got : "success", PQresultErrorMessage(r));
	PQclear(r);
}

/*
 * 0007 keeps the registry's and the queue items' foreign-key rules with
 * statement triggers: a reference to nothing is refused with the foreign
 * key's SQLSTATE, deletes and truncates cascade, an entry keeps its item.
 */
START_TEST(trigger_kept_references_refuse_and_cascade_like_foreign_keys)
{
	int64_t id = add_connector("tv", "sonarr", "aaaaaaaaaaaaaaaaaaaaaaaaaaaa1111");
	char sql[1536];

	snprintf(sql, sizeof(sql),
		 "INSERT INTO series (connector_id, arr_id, title, monitored) VALUES (%lld, 1, 'S', true);"
		 "INSERT INTO episodes (connector_id, series_id, arr_id, season_number, episode_number, "
		 " monitored, has_file) SELECT %lld, id, g, 1, g, true, false FROM series, "
		 " generate_series(1, 4) g;"
		 "INSERT INTO movies (connector_id, arr_id, title, monitored, has_file) "
		 " VALUES (%lld, 7, 'M', true, false);"
		 "INSERT INTO search_registry (connector_id, episode_id, search_type) "
		 " SELECT %lld, id, 'gap' FROM episodes;"
		 "INSERT INTO search_registry (connector_id, movie_id, search_type) "
		 " SELECT %lld, id, 'gap' FROM movies;"
		 "INSERT INTO request_queue (connector_id, command, series_arr_id, arr_ids, "
		 " indexer_queries, priority) VALUES (%lld, 'EpisodeSearch', 1, '{1,2}', 2, 1), "
		 " (%lld, 'EpisodeSearch', 1, '{3,4}', 2, 1);"
		 "INSERT INTO request_queue_items SELECT r.id, (SELECT min(id) FROM request_queue) "
		 " FROM search_registry r JOIN episodes e ON e.id = r.episode_id WHERE e.arr_id <= 2;"
		 "INSERT INTO request_queue_items SELECT r.id, (SELECT max(id) FROM request_queue) "
		 " FROM search_registry r JOIN episodes e ON e.id = r.episode_id WHERE e.arr_id > 2;",
		 (long long)id, (long long)id, (long long)id, (long long)id, (long long)id,
		 (long long)id, (long long)id);
	pgtest_exec(&T, sql);
	ck_assert_int_eq(pgtest_count(&T, "SELECT count(*) FROM request_queue_items"), 4);

	/* references to nothing: refused, nothing written */
	expect_sqlstate("INSERT INTO search_registry (connector_id, episode_id, search_type) "
			"VALUES (1, 999999, 'upgrade')", "23503");
	expect_sqlstate("INSERT INTO search_registry (connector_id, movie_id, search_type) "
			"VALUES (1, 999999, 'upgrade')", "23503");
	expect_sqlstate("INSERT INTO request_queue_items VALUES (999999, "
			"(SELECT min(id) FROM request_queue))", "23503");
	expect_sqlstate("INSERT INTO request_queue_items SELECT id, 999999 FROM search_registry "
			"WHERE movie_id IS NOT NULL", "23503");
	expect_sqlstate("UPDATE request_queue_items SET queue_id = 999999", "23503");
	/* an entry never moves to another item */
	expect_sqlstate("UPDATE search_registry SET episode_id = episode_id + 1 "
			"WHERE episode_id IS NOT NULL", "23503");
	ck_assert_int_eq(pgtest_count(&T, "SELECT count(*) FROM search_registry"), 5);
	/* updating anything else is fine */
	pgtest_exec(&T, "UPDATE search_registry SET state = 'queued', priority = 5");

	/* a batch deleted: its items go, the entries stay */
	pgtest_exec(&T, "DELETE FROM request_queue WHERE id = (SELECT min(id) FROM request_queue)");
	ck_assert_int_eq(pgtest_count(&T, "SELECT count(*) FROM request_queue_items"), 2);
	ck_assert_int_eq(pgtest_count(&T, "SELECT count(*) FROM search_registry"), 5);
	/* an episode deleted: its entry and that entry's item go */
	pgtest_exec(&T, "DELETE FROM episodes WHERE arr_id = 3");
	ck_assert_int_eq(pgtest_count(&T, "SELECT count(*) FROM search_registry"), 4);
	ck_assert_int_eq(pgtest_count(&T, "SELECT count(*) FROM request_queue_items"), 1);
	/* a series deleted cascades to its episodes, and on through the triggers */
	pgtest_exec(&T, "DELETE FROM series");
	ck_assert_int_eq(pgtest_count(&T, "SELECT count(*) FROM search_registry "
				      "WHERE episode_id IS NOT NULL"), 0);
	ck_assert_int_eq(pgtest_count(&T, "SELECT count(*) FROM request_queue_items"), 0);
	/* truncating the movies empties their entries */
	pgtest_exec(&T, "TRUNCATE movies");
	ck_assert_int_eq(pgtest_count(&T, "SELECT count(*) FROM search_registry"), 0);
}
END_TEST

/*
 * The race a foreign key's row lock prevents: an entry created for an
 * episode a concurrent sync is deleting.  The registry check's SHARE lock
 * makes the delete wait for the entry's commit, and its cascade then
 * removes the entry: no orphan either way round.
 */
START_TEST(an_entry_and_a_concurrent_episode_delete_leave_no_orphan)
{
	int64_t id = add_connector("tv", "sonarr", "aaaaaaaaaaaaaaaaaaaaaaaaaaaa1111");
	struct err e = ERR_INIT;
	PGconn *sync = NULL;
	PGresult *r;
	char sql[1024];

	snprintf(sql, sizeof(sql),
		 "INSERT INTO series (connector_id, arr_id, title, monitored) VALUES (%lld, 1, 'S', true);"
		 "INSERT INTO episodes (connector_id, series_id, arr_id, season_number, episode_number, "
		 " monitored, has_file) SELECT %lld, id, 1, 1, 1, true, false FROM series",
		 (long long)id, (long long)id);
	pgtest_exec(&T, sql);
	ck_assert_int_eq(db_connect(&T.cfg, "comradarr-test-sync", &sync, &e), 0);
	/* discover's side: the entry, not committed yet */
	pgtest_exec(&T, "BEGIN");
	snprintf(sql, sizeof(sql), "INSERT INTO search_registry (connector_id, episode_id, "
		 "search_type) SELECT %lld, id, 'gap' FROM episodes", (long long)id);
	pgtest_exec(&T, sql);
	/* sync's side: the delete must wait for the lock, not run past it */
	ck_assert_int_eq(PQsendQuery(sync, "DELETE FROM episodes"), 1);
	for (int i = 0; i < 50; i++) {
		ck_assert_int_eq(PQconsumeInput(sync), 1);
		ck_assert_msg(PQisBusy(sync), "the delete did not wait for the entry's commit");
		usleep(10000);
	}
	pgtest_exec(&T, "COMMIT");
	while ((r = PQgetResult(sync)) != NULL) {
		ck_assert_int_eq(PQresultStatus(r), PGRES_COMMAND_OK);
		PQclear(r);
	}
	ck_assert_int_eq(pgtest_count(&T, "SELECT count(*) FROM episodes"), 0);
	ck_assert_int_eq(pgtest_count(&T, "SELECT count(*) FROM search_registry"), 0);
	PQfinish(sync);
}
END_TEST

START_TEST(advisory_try_lock_excludes_a_second_session)
{
	struct err e = ERR_INIT;
	PGconn *other = NULL;

	ck_assert_int_eq(db_connect(&T.cfg, "comradarr-test2", &other, &e), 0);
	ck_assert_int_eq(db_try_lock(T.conn, DB_LOCK_SYNC, 42, &e), 1);
	ck_assert_int_eq(db_try_lock(other, DB_LOCK_SYNC, 42, &e), 0);
	ck_assert_int_eq(db_try_lock(other, DB_LOCK_SYNC, 43, &e), 1);
	ck_assert_int_eq(db_unlock(T.conn, DB_LOCK_SYNC, 42, &e), 0);
	ck_assert_int_eq(db_try_lock(other, DB_LOCK_SYNC, 42, &e), 1);
	/* the application name shows who holds what (STYLE 13) */
	ck_assert_int_ge(pgtest_count(&T, "SELECT count(*) FROM pg_stat_activity "
				      "WHERE application_name = 'comradarr-test2'"), 1);
	PQfinish(other);
}
END_TEST

int
main(void)
{
	Suite *s = suite_create("db");
	TCase *tc = tcase_create("db");
	SRunner *sr;
	int failed;

	if (!pgtest_available()) {
		printf("SKIPPED: no test PostgreSQL (run through tests/run.sh)\n");
		return 0;
	}
	if (sodium_init() < 0)
		return 1;
	tcase_set_timeout(tc, 60);
	tcase_add_checked_fixture(tc, setup, teardown);
	tcase_add_test(tc, migrate_is_idempotent_and_recorded);
	tcase_add_test(tc, changed_migration_is_refused);
	tcase_add_test(tc, newer_database_is_refused);
	tcase_add_test(tc, concurrent_migrate_is_safe);
	tcase_add_test(tc, api_key_is_never_stored_in_clear);
	tcase_add_test(tc, api_key_round_trips_and_is_bound_to_its_row);
	tcase_add_test(tc, wrong_secret_key_says_key_mismatch);
	tcase_add_test(tc, duplicate_and_invalid_connectors_write_nothing);
	tcase_add_test(tc, update_rename_and_remove);
	tcase_add_test(tc, mirror_delete_cascades_to_search_state);
	tcase_add_test(tc, removing_a_connector_removes_its_whole_mirror);
	tcase_add_test(tc, registry_entry_cannot_be_queued_twice);
	tcase_add_test(tc, trigger_kept_references_refuse_and_cascade_like_foreign_keys);
	tcase_add_test(tc, an_entry_and_a_concurrent_episode_delete_leave_no_orphan);
	tcase_add_test(tc, advisory_try_lock_excludes_a_second_session);
	suite_add_tcase(s, tc);
	sr = srunner_create(s);
	srunner_run_all(sr, CK_NORMAL);
	failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	return failed ? 1 : 0;
}
