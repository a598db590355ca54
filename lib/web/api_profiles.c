/*
 * api_profiles.c - GET /api/profiles: the throttle profiles, presets first
 * (Req 7.5-7.6).  The presets' numbers live in lib/policy; a database the
 * tools have not seeded yet still lists them, without a write on a GET.
 */
#include <stdlib.h>
#include <string.h>

#include "db/throttle.h"
#include "policy/throttle.h"
#include "web/app.h"
#include "web/server.h"
#include "core/banned.h"

static json_t *
profile_json(const struct throttle_profile *p, int preset, int max_attempts)
{
	return json_pack("{s:s,s:b,s:i,s:i,s:i,s:i,s:i,s:i,s:i,s:i,s:i}", "name", p->name,
			 "preset", preset, "requests_per_minute", p->requests_per_minute,
			 "batch_size", p->batch_size, "cooldown_minutes", p->cooldown_minutes,
			 "daily_budget", p->daily_budget,
			 "backoff_multiplier_pct", p->backoff_multiplier_pct,
			 "backoff_max_minutes", p->backoff_max_minutes,
			 "rate_limit_cooldown_minutes", p->rate_limit_cooldown_minutes,
			 "max_concurrent", p->max_concurrent, "max_attempts", max_attempts);
}

int
api_profiles(struct web_req *req, struct web_resp *resp)
{
	struct db_throttle_profile *list = NULL;
	struct err e = ERR_INIT;
	PGconn *db = web_req_db(req, resp);
	size_t n = 0;
	json_t *a;

	if (db == NULL)
		return -1;
	if (db_throttle_profile_list(db, &list, &n, &e) < 0)
		return web_resp_err(resp, &e);
	a = json_array();
	for (int k = 0; k < THROTTLE_PRESET_MAX; k++) {
		struct throttle_profile p;
		int stored = 0;

		throttle_preset_get((enum throttle_preset)k, &p);
		for (size_t i = 0; i < n; i++)
			stored |= list[i].preset && strcmp(list[i].p.name, p.name) == 0;
		if (!stored)
			json_array_append_new(a, profile_json(&p, 1, DB_THROTTLE_MAX_ATTEMPTS));
	}
	for (size_t i = 0; i < n; i++)
		json_array_append_new(a, profile_json(&list[i].p, list[i].preset,
						      list[i].max_attempts));
	free(list);
	return web_resp_json(resp, 200, json_pack("{s:o,s:s}", "items", a, "default",
						  DB_THROTTLE_DEFAULT));
}
