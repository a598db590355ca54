/*
 * channel.c - what each channel type needs.  See notify.h.
 */
#include <string.h>

#include "notify/notify.h"
#include "core/banned.h"

struct type_spec {
	const char *type;
	const char *const *secrets;	/* required secrets */
	const char *const *config;	/* required config members */
	const char *scheme;		/* config.url must start with one of these */
};

static const char *const s_url[] = { "url", NULL };
static const char *const s_token[] = { "token", NULL };
static const char *const s_pushover[] = { "token", "user", NULL };
static const char *const s_webhook[] = { "url", "hmac_secret", NULL };
static const char *const s_none[] = { NULL };
static const char *const c_none[] = { NULL };
static const char *const c_telegram[] = { "chat_id", NULL };
static const char *const c_url[] = { "url", NULL };
static const char *const c_ntfy[] = { "url", "topic", NULL };
static const char *const c_email[] = { "url", "from", "to", NULL };

static const struct type_spec specs[] = {
	{ "discord", s_url, c_none, NULL },
	{ "slack", s_url, c_none, NULL },
	{ "telegram", s_token, c_telegram, "http" },
	{ "pushover", s_pushover, c_none, "http" },
	{ "gotify", s_token, c_url, "http" },
	{ "ntfy", s_none, c_ntfy, "http" },
	{ "email", s_none, c_email, "smtp" },
	{ "webhook", s_webhook, c_none, NULL },
	{ NULL, NULL, NULL, NULL }
};

/* The option of 'comradarr channel add' that sets a member. */
static const char *
option_for(const char *member, int secret)
{
	if (secret) {
		if (strcmp(member, "url") == 0)
			return "--webhook-url-file";
		if (strcmp(member, "user") == 0)
			return "--user-key-file";
		if (strcmp(member, "hmac_secret") == 0)
			return "--hmac-secret-file";
		return "--token-file";
	}
	if (strcmp(member, "chat_id") == 0)
		return "--chat-id";
	return strcmp(member, "url") == 0 ? "--url" : strcmp(member, "topic") == 0 ? "--topic" :
	       strcmp(member, "from") == 0 ? "--from" : strcmp(member, "to") == 0 ? "--to" : member;
}

static const struct type_spec *
spec(const char *type)
{
	for (const struct type_spec *s = specs; s->type != NULL; s++) {
		if (strcmp(s->type, type) == 0)
			return s;
	}
	return NULL;
}

int
notify_type_valid(const char *type)
{
	return spec(type) != NULL;
}

const char *const *
notify_type_secrets(const char *type)
{
	const struct type_spec *s = spec(type);

	return s ? s->secrets : s_none;
}

const char *
notify_channel_address(const json_t *config)
{
	const char *u = json_string_value(json_object_get(config, "url"));

	return u ? u : "";
}

static int
check_url(const char *what, const char *url, const char *scheme, struct err *e)
{
	size_t n = strlen(scheme);

	if (strncmp(url, scheme, n) != 0 || (strncmp(url + n, "://", 3) != 0 &&
					     strncmp(url + n, "s://", 4) != 0))
		return err_set(e, ERR_USAGE, "the %s must start with %s:// or %ss://", what, scheme,
			       scheme);
	for (const char *p = url; *p != '\0'; p++) {
		if ((unsigned char)*p <= ' ')
			return err_set(e, ERR_USAGE, "the %s contains spaces or control characters",
				       what);
	}
	return 0;
}

int
notify_channel_check(const char *type, const json_t *config, const json_t *secrets,
		     struct err *e)
{
	const struct type_spec *s = spec(type);
	json_t *v;

	if (s == NULL)
		return err_set(e, ERR_USAGE, "unknown channel type '%s': use discord, telegram, slack, "
			       "pushover, gotify, ntfy, email or webhook", type);
	for (const char *const *m = s->secrets; *m != NULL; m++) {
		const char *val = json_string_value(json_object_get(secrets, *m));

		if (val == NULL || val[0] == '\0')
			return err_set(e, ERR_USAGE, "a %s channel needs its %s (%s)", type, *m,
				       option_for(*m, 1));
	}
	for (const char *const *m = s->config; *m != NULL; m++) {
		v = json_object_get(config, *m);
		if (v == NULL || (json_is_string(v) && json_string_value(v)[0] == '\0') ||
		    (json_is_array(v) && json_array_size(v) == 0))
			return err_set(e, ERR_USAGE, "a %s channel needs its %s (%s)", type, *m,
				       option_for(*m, 0));
	}
	if (json_string_value(json_object_get(config, "url")) != NULL &&
	    check_url("--url", json_string_value(json_object_get(config, "url")),
		      s->scheme ? s->scheme : "http", e) < 0)
		return -1;
	if (json_string_value(json_object_get(secrets, "url")) != NULL &&
	    check_url("webhook URL", json_string_value(json_object_get(secrets, "url")), "http",
		      e) < 0)
		return -1;
	v = json_object_get(config, "priority");
	if (v != NULL && (!json_is_integer(v) || json_integer_value(v) < -2 ||
			  json_integer_value(v) > 5))
		return err_set(e, ERR_USAGE, "--priority must be -2..5 (Pushover -2..2, ntfy 1..5, "
			       "Gotify 0..10 is scaled)");
	if (strcmp(type, "email") == 0) {
		size_t i;

		json_array_foreach(json_object_get(config, "to"), i, v) {
			const char *a = json_string_value(v);

			if (a == NULL || strchr(a, '@') == NULL || strpbrk(a, " \r\n<>,") != NULL)
				return err_set(e, ERR_USAGE, "'%s' is not an e-mail address",
					       a ? a : "?");
		}
		{
			const char *f = json_string_value(json_object_get(config, "from"));

			if (f == NULL || strchr(f, '@') == NULL || strpbrk(f, " \r\n<>,") != NULL)
				return err_set(e, ERR_USAGE, "--from '%s' is not an e-mail address",
					       f ? f : "");
		}
	}
	return 0;
}
