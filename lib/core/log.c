#include <ctype.h>
#include <pthread.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <unistd.h>

#include <sodium.h>

#include "core/buf.h"
#include "core/clock.h"
#include "core/jsonl.h"
#include "core/log.h"
#include "core/banned.h"

#define MAX_SECRETS 64

static struct {
	pthread_mutex_t lock;
	const char *tool;
	enum log_level level;
	enum log_format format;
	FILE *stream;
	char correlation_id[64];
	char *secrets[MAX_SECRETS];
	int nsecrets;
} L = {
	.lock = PTHREAD_MUTEX_INITIALIZER,
	.tool = "comradarr",
	.level = LOG_LEVEL_INFO,
	.format = LOG_FORMAT_AUTO,
};

static const char *const level_names[] = {
	"error", "warn", "info", "debug", "trace"
};

void
log_init(const char *tool, enum log_level level, enum log_format format)
{
	const char *f = getenv("LOG_FORMAT");

	L.tool = tool;
	L.level = level;
	L.format = format;
	if (format == LOG_FORMAT_AUTO && f != NULL) {
		if (strcmp(f, "json") == 0)
			L.format = LOG_FORMAT_JSON;
		else if (strcmp(f, "human") == 0)
			L.format = LOG_FORMAT_HUMAN;
	}
}

void
log_set_level(enum log_level level)
{
	__atomic_store_n(&L.level, level, __ATOMIC_RELAXED);
}

enum log_level
log_get_level(void)
{
	return __atomic_load_n(&L.level, __ATOMIC_RELAXED);
}

int
log_enabled(enum log_level level)
{
	return level <= log_get_level();
}

void
log_set_stream(FILE *stream)
{
	L.stream = stream;
}

int
log_level_parse(const char *name, enum log_level *out)
{
	for (size_t i = 0; i < sizeof(level_names) / sizeof(level_names[0]); i++) {
		if (name != NULL && strcasecmp(name, level_names[i]) == 0) {
			*out = (enum log_level)i;
			return 0;
		}
	}
	if (name != NULL && strcasecmp(name, "warning") == 0) {
		*out = LOG_LEVEL_WARN;
		return 0;
	}
	return -1;
}

const char *
log_level_name(enum log_level level)
{
	if ((int)level < 0 || level > LOG_LEVEL_TRACE)
		return "info";
	return level_names[level];
}

void
log_set_correlation_id(const char *id)
{
	pthread_mutex_lock(&L.lock);
	snprintf(L.correlation_id, sizeof(L.correlation_id), "%s", id ? id : "");
	pthread_mutex_unlock(&L.lock);
}

const char *
log_get_correlation_id(void)
{
	return L.correlation_id;
}

void
log_new_correlation_id(char *buf, size_t size)
{
	unsigned char raw[8];

	randombytes_buf(raw, sizeof(raw));
	if (size >= sizeof(raw) * 2 + 1)
		sodium_bin2hex(buf, size, raw, sizeof(raw));
	else if (size > 0)
		buf[0] = '\0';
}

void
log_secret_add(const char *secret)
{
	if (secret == NULL || strlen(secret) < 4)
		return;
	pthread_mutex_lock(&L.lock);
	for (int i = 0; i < L.nsecrets; i++) {
		if (strcmp(L.secrets[i], secret) == 0)
			goto out;
	}
	if (L.nsecrets == MAX_SECRETS) {
		/* forget the oldest: a long-running -serve rotates through keys */
		sodium_memzero(L.secrets[0], strlen(L.secrets[0]));
		free(L.secrets[0]);
		memmove(L.secrets, L.secrets + 1, sizeof(L.secrets[0]) * (MAX_SECRETS - 1));
		L.nsecrets--;
	}
	L.secrets[L.nsecrets] = strdup(secret);
	if (L.secrets[L.nsecrets] != NULL)
		L.nsecrets++;
out:
	pthread_mutex_unlock(&L.lock);
}

void
log_secret_clear(void)
{
	pthread_mutex_lock(&L.lock);
	for (int i = 0; i < L.nsecrets; i++) {
		sodium_memzero(L.secrets[i], strlen(L.secrets[i]));
		free(L.secrets[i]);
		L.secrets[i] = NULL;
	}
	L.nsecrets = 0;
	pthread_mutex_unlock(&L.lock);
}

static const char *const secret_names[] = {
	"apikey", "api_key", "x-api-key", "password", "passwd", "pass",
	"token", "secret", "authorization", "cookie", "set-cookie",
	"secret_key", "bot_token", "webhook_url", "session",
};

int
log_field_is_secret(const char *name)
{
	char lower[64];
	size_t i;

	for (i = 0; name[i] != '\0' && i < sizeof(lower) - 1; i++)
		lower[i] = (char)tolower((unsigned char)name[i]);
	lower[i] = '\0';
	for (i = 0; i < sizeof(secret_names) / sizeof(secret_names[0]); i++) {
		const char *s = secret_names[i];
		size_t n = strlen(s), m = strlen(lower);

		/* exact, or as a suffix after '_' or '-' (admin_password) */
		if (strcmp(lower, s) == 0)
			return 1;
		if (m > n && strcmp(lower + m - n, s) == 0 &&
		    (lower[m - n - 1] == '_' || lower[m - n - 1] == '-'))
			return 1;
	}
	return 0;
}

/*
 * Patterns masked inside free text: the value after these markers, up to a
 * delimiter, becomes [REDACTED].  Case-insensitive.
 */
static const struct {
	const char *marker;
	int to_eol;	/* 1: a header value: may hold spaces ("Bearer abc"), mask it all;
			   2: only a token follows (see looks_like_token) */
} text_markers[] = {
	{ "apikey=", 0 }, { "api_key=", 0 }, { "x-api-key:", 1 }, { "x-api-key=", 0 },
	{ "password=", 0 }, { "token=", 0 }, { "bearer ", 2 }, { "authorization:", 1 },
	{ "cookie:", 1 }, { "\"apikey\":", 0 }, { "\"password\":", 0 }, { "\"token\":", 0 },
	{ "secret=", 0 },
};

/*
 * After "Bearer ", only a token is a secret: "The Bearer of Bad News" stays
 * as it is.  A token is a run of RFC 6750 token68 characters at least 16
 * long, or at least 8 long with a digit in it; the marker itself must start
 * a word.
 */
static int
looks_like_token(const char *start, const char *p)
{
	size_t n = 0;
	int digit = 0;

	if (p > start && isalnum((unsigned char)p[-1]))
		return 0;
	p += strlen("bearer ");
	while (*p == ' ')
		p++;
	for (; *p != '\0' && (isalnum((unsigned char)*p) || strchr("-._~+/=", *p) != NULL); p++, n++)
		digit |= isdigit((unsigned char)*p) != 0;
	return n >= 16 || (n >= 8 && digit);
}

static int
is_value_end(char c)
{
	return c == '\0' || c == '&' || c == ' ' || c == '\t' || c == '\n' ||
	       c == '\r' || c == '"' || c == '\'' || c == ',' || c == ';' ||
	       c == '}' || c == ')' || c == '>';
}

/* Whether a marker can start at c: most characters are copied without
 * trying 13 comparisons at each (that was a third of discover's CPU when
 * it writes 128,700 candidate lines). */
static int
marker_can_start(char c)
{
	int lc = tolower((unsigned char)c);

	for (size_t i = 0; i < sizeof(text_markers) / sizeof(text_markers[0]); i++)
		if (text_markers[i].marker[0] == lc)
			return 1;
	return 0;
}

/* The length of the marker that starts at p (setting *to_eol), or 0. */
static size_t
marker_at(const char *text, const char *p, int *to_eol)
{
	if (!marker_can_start(*p))
		return 0;
	for (size_t i = 0; i < sizeof(text_markers) / sizeof(text_markers[0]); i++) {
		size_t n = strlen(text_markers[i].marker);

		if (strncasecmp(p, text_markers[i].marker, n) != 0)
			continue;
		if (text_markers[i].to_eol == 2 && !looks_like_token(text, p))
			continue;
		*to_eol = text_markers[i].to_eol == 1;
		return n;
	}
	return 0;
}

char *
log_redact(const char *text)
{
	struct buf out = BUF_INIT;
	const char *p = text;
	char *copy = NULL;

	if (text == NULL)
		return strdup("");
	while (*p != '\0') {
		const char *q = p, *v, *end, *x;
		size_t matched;
		int to_eol = 0, dummy;

		while (*q != '\0' && !marker_can_start(*q))
			q++;
		if (q > p && buf_append(&out, p, (size_t)(q - p)) < 0)
			goto fail;
		p = q;
		if (*p == '\0')
			break;
		matched = marker_at(text, p, &to_eol);
		if (matched == 0) {
			if (buf_putc(&out, *p) < 0)
				goto fail;
			p++;
			continue;
		}
		v = p + matched;
		while (*v == ' ' || *v == '"')
			v++;
		/* "token": "Bearer abc": the scheme is not the secret, the word
		 * after it is (found by the redactor's fuzz target) */
		if (strncasecmp(v, "bearer ", 7) == 0 || strncasecmp(v, "basic ", 6) == 0) {
			v += strncasecmp(v, "bearer ", 7) == 0 ? 7 : 6;
			while (*v == ' ')
				v++;
		}
		end = v;
		while (!is_value_end(*end) || (to_eol && (*end == ' ' || *end == '\t')))
			end++;
		/* A marker inside what looks like the value (apikey= password=x) is
		 * the start of its own value: stop there and redact from it. */
		for (x = v > p + matched && v[-1] == '"' ? v - 1 : v; x < end; x++) {
			if (marker_at(text, x, &dummy) > 0) {
				end = x;
				break;
			}
		}
		if (end > v) {
			if (buf_append(&out, p, (size_t)(v - p)) < 0 ||
			    buf_append_str(&out, "[REDACTED]") < 0)
				goto fail;
			p = end;
		} else {
			/* nothing to redact before the next marker: copy up to it */
			if (buf_append(&out, p, (size_t)(end - p)) < 0)
				goto fail;
			p = end;
		}
	}
	copy = buf_detach(&out);
	if (copy == NULL)
		goto fail;

	/* Then every registered secret, wherever it stands. */
	pthread_mutex_lock(&L.lock);
	for (int i = 0; i < L.nsecrets; i++) {
		const char *s = L.secrets[i];
		size_t n = strlen(s);
		char *hit;

		while ((hit = strstr(copy, s)) != NULL) {
			struct buf nb = BUF_INIT;

			if (buf_append(&nb, copy, (size_t)(hit - copy)) < 0 ||
			    buf_append_str(&nb, "[REDACTED]") < 0 ||
			    buf_append_str(&nb, hit + n) < 0) {
				buf_release(&nb);
				pthread_mutex_unlock(&L.lock);
				goto fail;
			}
			sodium_memzero(copy, strlen(copy));
			free(copy);
			copy = buf_detach(&nb);
			if (copy == NULL) {
				pthread_mutex_unlock(&L.lock);
				goto fail;
			}
		}
	}
	pthread_mutex_unlock(&L.lock);
	return copy;
fail:
	buf_release_secret(&out);
	free(copy);
	return NULL;
}

void
log_redact_json(json_t *v)
{
	const char *key;
	json_t *val;
	size_t i;

	if (json_is_object(v)) {
		json_object_foreach(v, key, val) {
			if (log_field_is_secret(key) && !json_is_null(val))
				json_object_set_new(v, key, json_string("[REDACTED]"));
			else
				log_redact_json(val);
		}
	} else if (json_is_array(v)) {
		json_array_foreach(v, i, val)
			log_redact_json(val);
	} else if (json_is_string(v)) {
		char *r = log_redact(json_string_value(v));

		if (r != NULL && strcmp(r, json_string_value(v)) != 0)
			json_string_set(v, r);
		free(r);
	}
}

static int
use_human(void)
{
	FILE *s = L.stream ? L.stream : stderr;

	if (L.format == LOG_FORMAT_JSON)
		return 0;
	if (L.format == LOG_FORMAT_HUMAN)
		return 1;
	return isatty(fileno(s));
}

void
log_write(enum log_level level, const char *module, json_t *fields,
	  const char *fmt, ...)
{
	FILE *s = L.stream ? L.stream : stderr;
	char *raw = NULL, *msg = NULL, *text = NULL;
	json_t *rec = NULL;
	char ts[40];
	va_list ap;
	int n;

	if (!log_enabled(level))
		goto out;
	va_start(ap, fmt);
	n = vasprintf(&raw, fmt, ap);
	va_end(ap);
	if (n < 0) {
		raw = NULL;
		goto out;
	}
	msg = log_redact(raw);
	if (msg == NULL)
		goto out;
	jsonl_format_ts(clock_now_us(), ts, sizeof(ts));
	if (fields != NULL && json_is_object(fields))
		log_redact_json(fields);

	if (use_human()) {
		const char *key;
		json_t *val;
		struct buf line = BUF_INIT;

		buf_appendf(&line, "%s: %s%s%s", L.tool,
			    level <= LOG_LEVEL_WARN ? level_names[level] : "",
			    level <= LOG_LEVEL_WARN ? ": " : "", msg);
		if (fields != NULL && json_is_object(fields)) {
			json_object_foreach(fields, key, val) {
				char *v = json_is_string(val) ? strdup(json_string_value(val))
							      : json_dumps(val, JSON_ENCODE_ANY | JSON_COMPACT);

				buf_appendf(&line, " %s=%s", key, v ? v : "?");
				free(v);
			}
		}
		buf_putc(&line, '\n');
		if (line.data != NULL)
			fputs(line.data, s);
		buf_release(&line);
		goto out;
	}

	rec = json_object();
	if (rec == NULL)
		goto out;
	json_object_set_new(rec, "ts", json_string(ts));
	json_object_set_new(rec, "level", json_string(level_names[level]));
	json_object_set_new(rec, "tool", json_string(L.tool));
	json_object_set_new(rec, "module", json_string(module ? module : "main"));
	json_object_set_new(rec, "msg", json_string(msg));
	if (L.correlation_id[0] != '\0')
		json_object_set_new(rec, "correlation_id", json_string(L.correlation_id));
	if (fields != NULL && json_is_object(fields))
		json_object_update_missing(rec, fields);
	text = json_dumps(rec, JSON_COMPACT | JSON_ENSURE_ASCII);
	if (text != NULL) {
		/* one fputs of a whole line: records from threads never interleave */
		flockfile(s);
		fputs(text, s);
		fputc('\n', s);
		fflush(s);
		funlockfile(s);
	}
out:
	free(raw);
	free(msg);
	free(text);
	json_decref(rec);
	json_decref(fields);
}
