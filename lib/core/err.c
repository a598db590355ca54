#include <stdio.h>
#include <string.h>

#include "core/err.h"
#include "core/banned.h"

static const char *const kind_names[ERR_KIND_MAX] = {
	[ERR_NONE] = "none",
	[ERR_USAGE] = "usage",
	[ERR_CONFIG] = "config",
	[ERR_DB] = "db",
	[ERR_IO] = "io",
	[ERR_NOMEM] = "nomem",
	[ERR_CRYPTO] = "crypto",
	[ERR_CONFLICT] = "conflict",
	[ERR_NOTFOUND] = "not_found",
	[ERR_NET_REFUSED] = "net_refused",
	[ERR_NET_DNS] = "net_dns",
	[ERR_NET_TIMEOUT] = "net_timeout",
	[ERR_NET_TLS] = "net_tls",
	[ERR_NET] = "net",
	[ERR_AUTH] = "auth",
	[ERR_RATELIMIT] = "rate_limited",
	[ERR_STARTING] = "starting",
	[ERR_SERVER] = "server",
	[ERR_HTTP] = "http",
	[ERR_PARSE] = "parse",
	[ERR_INTERNAL] = "internal",
};

int
err_setv(struct err *e, enum err_kind kind, const char *fmt, va_list ap)
{
	if (e == NULL)
		return -1;
	e->kind = kind;
	vsnprintf(e->msg, sizeof(e->msg), fmt, ap);
	return -1;
}

int
err_set(struct err *e, enum err_kind kind, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	err_setv(e, kind, fmt, ap);
	va_end(ap);
	return -1;
}

int
err_prefix(struct err *e, const char *fmt, ...)
{
	char prefix[256], old[sizeof(e->msg)];
	va_list ap;

	if (e == NULL)
		return -1;
	va_start(ap, fmt);
	vsnprintf(prefix, sizeof(prefix), fmt, ap);
	va_end(ap);
	memcpy(old, e->msg, sizeof(old));
	/* truncation is fine: a long message loses its tail, never its start */
	if (snprintf(e->msg, sizeof(e->msg), "%s: ", prefix) < (int)sizeof(e->msg)) {
		size_t used = strlen(e->msg);

		memcpy(e->msg + used, old, sizeof(e->msg) - used - 1);
		e->msg[sizeof(e->msg) - 1] = '\0';
	}
	return -1;
}

void
err_clear(struct err *e)
{
	if (e == NULL)
		return;
	e->kind = ERR_NONE;
	e->http_status = 0;
	e->retry_after_ms = -1;
	e->msg[0] = '\0';
}

const char *
err_kind_name(enum err_kind kind)
{
	if ((int)kind < 0 || kind >= ERR_KIND_MAX || kind_names[kind] == NULL)
		return "unknown";
	return kind_names[kind];
}

int
err_kind_retryable(enum err_kind kind)
{
	switch (kind) {
	case ERR_NET_REFUSED:
	case ERR_NET_TIMEOUT:
	case ERR_NET:
	case ERR_RATELIMIT:
	case ERR_STARTING:
	case ERR_SERVER:
		return 1;
	default:
		return 0;
	}
}
