/*
 * notify_channel.c - a channel as people see it, and its test message:
 * what `comradarr channel` and the web API share (see notify.h).
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <sodium.h>

#include "crypto/mask.h"
#include "db/notify.h"
#include "notify/notify.h"
#include "stage/notify.h"
#include "core/banned.h"

/* Each stored credential as {name, masked}: a list, not an object, because
 * a member named "token" would be redacted whole by the JSON-lines writer. */
static json_t *
masked_secrets(const struct secret_key *k, const struct notify_channel *c)
{
	json_t *s = NULL, *out = json_array(), *v;
	struct err e = ERR_INIT;
	const char *key;

	if (c->secret_enc == NULL || c->secret_enc_len == 0)
		return out;
	if (k == NULL || db_notify_channel_secrets(k, c, &s, &e) < 0) {
		json_array_append_new(out, json_pack("{s:s}", "error", "cannot decrypt: encryption "
						     "key mismatch or moved address?"));
		return out;
	}
	json_object_foreach(s, key, v) {
		char *m = secret_mask(json_string_value(v));

		json_array_append_new(out, json_pack("{s:s, s:s}", "name", key, "masked", m ? m : "?"));
		free(m);
	}
	notify_secrets_free(s);
	return out;
}

json_t *
notify_channel_json(PGconn *db, const struct secret_key *k, const struct notify_channel *c)
{
	json_t *o = json_object();
	long counts[4];
	struct err e = ERR_INIT;

	json_object_set_new(o, "channel", json_string(c->name));
	json_object_set_new(o, "id", json_integer(c->id));
	json_object_set_new(o, "type", json_string(c->type));
	json_object_set_new(o, "enabled", json_boolean(c->enabled));
	json_object_set_new(o, "config", json_deep_copy(c->config));
	json_object_set_new(o, "secrets_masked", masked_secrets(k, c));
	json_object_set_new(o, "events", c->events ? json_deep_copy(c->events) :
			    json_string("default"));
	json_object_set_new(o, "min_severity", json_string(notify_severity_name(c->min_severity)));
	json_object_set_new(o, "connectors", c->connectors ? json_deep_copy(c->connectors) :
			    json_string("all"));
	json_object_set_new(o, "batch_window_s", json_integer(c->batch_window_s));
	if (c->quiet.enabled) {
		char q[64];

		snprintf(q, sizeof(q), "%02d:%02d-%02d:%02d", c->quiet.start_min / 60,
			 c->quiet.start_min % 60, c->quiet.end_min / 60, c->quiet.end_min % 60);
		json_object_set_new(o, "quiet_hours", json_string(q));
		json_object_set_new(o, "quiet_tz", json_string(c->quiet_tz));
		json_object_set_new(o, "quiet_mode", json_string(c->quiet_drop ? "drop" : "hold"));
	}
	json_object_set_new(o, "max_per_hour", json_integer(c->max_per_hour));
	json_object_set_new(o, "templates", c->templates ? json_deep_copy(c->templates) :
			    json_object());
	if (c->stopped_reason)
		json_object_set_new(o, "stopped_reason", json_string(c->stopped_reason));
	if (db != NULL && db_notify_channel_stats(db, c->id, counts, &e) == 0) {
		json_object_set_new(o, "waiting", json_integer(counts[0]));
		json_object_set_new(o, "pending", json_integer(counts[1]));
		json_object_set_new(o, "sent", json_integer(counts[2]));
		json_object_set_new(o, "failed", json_integer(counts[3]));
	}
	return o;
}

void
notify_secrets_free(json_t *secrets)
{
	const char *key;
	json_t *v;

	if (secrets == NULL)
		return;
	/* jansson keeps its own copies; overwrite them before freeing */
	json_object_foreach(secrets, key, v) {
		if (json_is_string(v))
			sodium_memzero((char *)json_string_value(v), json_string_length(v));
	}
	json_decref(secrets);
}

int
notify_channel_test(const struct secret_key *k, const struct notify_channel *c,
		    struct notify_answer *ans, struct err *e)
{
	struct notify_message m;
	json_t *secrets = NULL;
	char body[256];
	int ret;

	memset(ans, 0, sizeof(*ans));
	if (k == NULL)
		return err_set(e, ERR_CONFIG, "no secret key: the channel's credentials cannot be "
			       "opened");
	if (c->secret_enc != NULL && db_notify_channel_secrets(k, c, &secrets, e) < 0)
		return -1;
	if (secrets == NULL)
		secrets = json_object();
	snprintf(body, sizeof(body), "This is a test message from Comradarr's channel '%s' (%s). "
		 "If you read this, notifications reach you.", c->name, c->type);
	memset(&m, 0, sizeof(m));
	m.kind = "test";
	m.severity = NOTIFY_INFO;
	m.title = "Comradarr: test message";
	m.body = body;
	m.nevents = 0;
	m.channel = c->name;
	ret = notify_send(c->type, c->config, secrets, &m, ans, e);
	notify_secrets_free(secrets);
	return ret;
}
