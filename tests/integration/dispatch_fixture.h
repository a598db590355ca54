/*
 * dispatch_fixture.h - what the dispatch suites share: a migrated database,
 * a fake Sonarr, a connector pointing at it, a throttle profile, and a queue
 * of EpisodeSearch batches made with SQL (the contract with enqueue is the
 * schema: request_queue, request_queue_items, search_registry).
 * Static functions: included by tests/integration/test_dispatch*.c only.
 */
#ifndef COMRADARR_TESTS_DISPATCH_FIXTURE_H
#define COMRADARR_TESTS_DISPATCH_FIXTURE_H

#include <check.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "fakearr_ctl.h"
#include "pgtest.h"
#include "core/clock.h"
#include "db/connectors.h"
#include "db/throttle.h"

struct fx {
	struct pgtest t;
	struct fakearr fa;
	struct secret_key k;
	int64_t connector_id;
	int fa_started;
};

static inline void
fx_start(struct fx *x, const char *suite, const char *const fake_args[])
{
	struct err e = ERR_INIT;
	struct connector c;
	int generated = 0;
	char path[512];

	memset(x, 0, sizeof(*x));
	pgtest_create(&x->t, suite);
	ck_assert_msg(fakearr_start(&x->fa, NULL, fake_args, &e) == 0, "fakearr_start: %s", e.msg);
	x->fa_started = 1;
	snprintf(path, sizeof(path), "%s/secret.key", x->t.home);
	ck_assert_msg(secret_key_load(x->t.cfg.secret_key, path, &x->k, &generated, &e) == 0,
		      "secret key: %s", e.msg);
	memset(&c, 0, sizeof(c));
	snprintf(c.name, sizeof(c.name), "tv");
	snprintf(c.type, sizeof(c.type), "sonarr");
	c.url = strdup(x->fa.url);
	c.enabled = 1;
	c.tls_verify = 1;
	c.timeout_ms = 5000;
	ck_assert_msg(db_connector_add(x->t.conn, &x->k, &c, x->fa.api_key, &e) == 0,
		      "connector add: %s", e.msg);
	x->connector_id = c.id;
	connector_release(&c);
	ck_assert_msg(db_throttle_seed_presets(x->t.conn, &e) == 0, "seed: %s", e.msg);
}

static inline void
fx_stop(struct fx *x)
{
	if (x->fa_started)
		fakearr_stop(&x->fa);
	secret_key_wipe(&x->k);
	pgtest_drop(&x->t);
	clock_set_fake(-1);
}

/* A custom profile assigned to "tv". */
static inline void
fx_profile(struct fx *x, int rpm, int batch, int daily, int conc, int max_attempts)
{
	struct db_throttle_profile p;
	struct err e = ERR_INIT;

	memset(&p, 0, sizeof(p));
	throttle_preset_get(THROTTLE_MODERATE, &p.p);
	snprintf(p.p.name, sizeof(p.p.name), "test");
	p.p.requests_per_minute = rpm;
	p.p.batch_size = batch;
	p.p.daily_budget = daily;
	p.p.max_concurrent = conc;
	p.max_attempts = max_attempts;
	ck_assert_msg(db_throttle_profile_add(x->t.conn, &p, &e) == 0, "profile add: %s", e.msg);
	ck_assert_msg(db_throttle_assign(x->t.conn, "tv", "test", &e) == 0, "assign: %s", e.msg);
}

/*
 * n episodes with *arr ids 1..n (missing, monitored), each a queued gap
 * entry, in EpisodeSearch batches of `batch` ids; batch k (from 0) gets
 * priority 100000 - k so the order is known.
 */
static inline void
fx_queue_from(struct fx *x, int first, int n, int batch)
{
	char sql[2048];

	snprintf(sql, sizeof(sql),
		 "INSERT INTO series (connector_id, arr_id, title, monitored) VALUES (%lld, 1, 'Show', true) "
		 "ON CONFLICT DO NOTHING;"
		 "INSERT INTO episodes (connector_id, series_id, arr_id, season_number, episode_number, "
		 "monitored, has_file) SELECT %lld, s.id, g, 1, g, true, false FROM series s, "
		 "generate_series(%d, %d) g WHERE s.connector_id = %lld;"
		 "INSERT INTO search_registry (connector_id, episode_id, search_type, state) "
		 "SELECT %lld, e.id, 'gap', 'queued' FROM episodes e WHERE e.connector_id = %lld;"
		 "WITH b AS (SELECT (arr_id - %d) / %d AS k, array_agg(arr_id ORDER BY arr_id) AS ids "
		 "FROM episodes WHERE connector_id = %lld GROUP BY 1), "
		 "q AS (INSERT INTO request_queue (connector_id, command, arr_ids, indexer_queries, priority, "
		 "scheduled_at) SELECT %lld, 'EpisodeSearch', ids, cardinality(ids), 100000 - k, "
		 "now() - interval '1 hour' FROM b RETURNING id, arr_ids) "
		 "INSERT INTO request_queue_items (registry_id, queue_id) SELECT r.id, q.id FROM q, "
		 "unnest(q.arr_ids) u(a) JOIN episodes e ON e.connector_id = %lld AND e.arr_id = u.a "
		 "JOIN search_registry r ON r.episode_id = e.id;",
		 (long long)x->connector_id, (long long)x->connector_id, first, first + n - 1,
		 (long long)x->connector_id, (long long)x->connector_id, (long long)x->connector_id,
		 first, batch,
		 (long long)x->connector_id, (long long)x->connector_id, (long long)x->connector_id);
	pgtest_exec(&x->t, sql);
}

static inline void
fx_queue(struct fx *x, int n, int batch)
{
	fx_queue_from(x, 1, n, batch);
}

/* The largest number of indexer queries our ledger holds in any 60 s window. */
static inline long long
fx_max_window(struct fx *x)
{
	return pgtest_count(&x->t, "SELECT coalesce(max(s), 0) FROM (SELECT (SELECT sum(b.cost) "
			    "FROM throttle_ledger b WHERE b.connector_id = a.connector_id AND "
			    "b.at >= a.at AND b.at < a.at + interval '60 seconds') AS s "
			    "FROM throttle_ledger a) w");
}

/* The fake's ledger of commands received. */
static inline json_t *
fx_ledger(struct fx *x)
{
	struct err e = ERR_INIT;
	json_t *l = NULL;

	ck_assert_msg(fakearr_call(&x->fa, "GET", "/__fake/ledger", NULL, &l, &e) == 0,
		      "ledger: %s", e.msg);
	return l;
}

/* Commands in the fake's ledger whose body appears more than once. */
static inline int
fx_ledger_repeats(json_t *ledger)
{
	size_t i, j;
	int rep = 0;

	for (i = 0; i < json_array_size(ledger); i++) {
		json_t *a = json_object_get(json_array_get(ledger, i), "body");

		for (j = i + 1; j < json_array_size(ledger); j++)
			if (json_equal(a, json_object_get(json_array_get(ledger, j), "body")))
				rep++;
	}
	return rep;
}

#endif
