/*
 * router.c - the route table (see web.h).
 *
 * A table of a few dozen routes is matched by a linear walk: measured, it
 * is noise next to one PostgreSQL round trip, and a walk in registration
 * order is easy to reason about.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "web/path.h"
#include "web/web.h"
#include "core/banned.h"

struct web_router {
	struct web_route *routes;
	size_t n, alloc;
	const char *login_page;
};

struct web_router *
web_router_new(const char *login_page)
{
	struct web_router *r = calloc(1, sizeof(*r));

	if (r != NULL)
		r->login_page = login_page ? login_page : "/login";
	return r;
}

void
web_router_free(struct web_router *r)
{
	if (r == NULL)
		return;
	free(r->routes);
	free(r);
}

const char *
web_router_login_page(const struct web_router *r)
{
	return r->login_page;
}

static int
method_known(const char *m)
{
	static const char *const known[] = { "GET", "POST", "PUT", "PATCH", "DELETE", NULL };

	for (int i = 0; known[i] != NULL; i++)
		if (strcmp(m, known[i]) == 0)
			return 1;
	return 0;
}

/* Split "/a/{b}/c" into segments; -1 when over WEB_MAX_SEGMENTS. */
static int
split(const char *path, const char *seg[WEB_MAX_SEGMENTS], size_t len[WEB_MAX_SEGMENTS])
{
	int n = 0;
	const char *p = path;

	if (strcmp(path, "/") == 0)
		return 0;
	while (*p == '/') {
		const char *end = strchr(p + 1, '/');

		if (n == WEB_MAX_SEGMENTS)
			return -1;
		seg[n] = p + 1;
		len[n] = end ? (size_t)(end - p - 1) : strlen(p + 1);
		n++;
		if (end == NULL)
			break;
		p = end;
	}
	return n;
}

static int
is_capture(const char *s, size_t len)
{
	return len >= 3 && s[0] == '{' && s[len - 1] == '}';
}

/* A pattern must be its own normal form, with captures as whole segments. */
static int
pattern_ok(const char *pattern, int *captures, struct err *e)
{
	char norm[WEB_PATH_MAX + 1];
	const char *why, *seg[WEB_MAX_SEGMENTS];
	size_t len[WEB_MAX_SEGMENTS];
	int n;

	*captures = 0;
	if (pattern == NULL || web_path_normalise(pattern, norm, sizeof(norm), &why) < 0)
		return err_set(e, ERR_USAGE, "route pattern '%s' is not a normalised path: %s",
			       pattern ? pattern : "(null)", pattern && why ? why : "missing");
	if (strcmp(norm, pattern) != 0)
		return err_set(e, ERR_USAGE, "route pattern '%s' is not in normalised form", pattern);
	n = split(pattern, seg, len);
	if (n < 0)
		return err_set(e, ERR_USAGE, "route pattern '%s' has too many segments", pattern);
	for (int i = 0; i < n; i++) {
		const char *open = memchr(seg[i], '{', len[i]), *close = memchr(seg[i], '}', len[i]);

		if (is_capture(seg[i], len[i])) {
			if (++*captures > WEB_MAX_PARAMS)
				return err_set(e, ERR_USAGE, "route pattern '%s' has too many captures",
					       pattern);
		} else if (open != NULL || close != NULL) {
			return err_set(e, ERR_USAGE, "route pattern '%s': a capture must be a whole "
				       "segment", pattern);
		}
	}
	return 0;
}

int
web_router_add(struct web_router *r, const struct web_route *route, struct err *e)
{
	int captures;

	if (route->access <= WEB_ACCESS_UNSET || route->access > WEB_HOOK)
		return err_set(e, ERR_USAGE, "route %s '%s' has no access level",
			       route->method ? route->method : "?",
			       route->pattern ? route->pattern : "?");
	if (route->method == NULL || !method_known(route->method))
		return err_set(e, ERR_USAGE, "route '%s': unknown method",
			       route->pattern ? route->pattern : "?");
	if (pattern_ok(route->pattern, &captures, e) < 0)
		return -1;
	switch (route->kind) {
	case WEB_ROUTE_API:
	case WEB_ROUTE_PAGE:
		if (route->handler == NULL)
			return err_set(e, ERR_USAGE, "route %s '%s' has no handler", route->method,
				       route->pattern);
		break;
	case WEB_ROUTE_ASSET:
		if (strcmp(route->method, "GET") != 0 || route->body == NULL ||
		    route->content_type == NULL || captures > 0)
			return err_set(e, ERR_USAGE, "asset '%s' needs GET, bytes, a content type "
				       "and no captures", route->pattern);
		break;
	default:
		return err_set(e, ERR_USAGE, "route '%s' has an unknown kind", route->pattern);
	}
	for (size_t i = 0; i < r->n; i++)
		if (strcmp(r->routes[i].method, route->method) == 0 &&
		    strcmp(r->routes[i].pattern, route->pattern) == 0)
			return err_set(e, ERR_USAGE, "route %s '%s' is registered twice",
				       route->method, route->pattern);
	if (r->n == r->alloc) {
		size_t na = r->alloc ? r->alloc * 2 : 32;
		struct web_route *nr = realloc(r->routes, na * sizeof(*nr));

		if (nr == NULL)
			return err_set(e, ERR_NOMEM, "out of memory");
		r->routes = nr;
		r->alloc = na;
	}
	r->routes[r->n++] = *route;
	return 0;
}

int
web_router_add_asset(struct web_router *r, const char *path, enum web_access access,
		     const char *content_type, const unsigned char *body, size_t len,
		     struct err *e)
{
	struct web_route route;

	memset(&route, 0, sizeof(route));
	route.method = "GET";
	route.pattern = path;
	route.access = access;
	route.kind = WEB_ROUTE_ASSET;
	route.content_type = content_type;
	route.body = body;
	route.len = len;
	return web_router_add(r, &route, e);
}

void
web_router_each(const struct web_router *r, void (*fn)(const struct web_route *, void *),
		void *arg)
{
	for (size_t i = 0; i < r->n; i++)
		fn(&r->routes[i], arg);
}

size_t
web_router_count(const struct web_router *r)
{
	return r->n;
}

/* Does the path's segment list fit the pattern's?  Captures into params. */
static int
fits(const char *pattern, const char *const pseg[], const size_t plen[], int pn,
     struct web_params *params)
{
	const char *seg[WEB_MAX_SEGMENTS];
	size_t len[WEB_MAX_SEGMENTS];
	int n = split(pattern, seg, len);

	if (n != pn)
		return 0;
	if (params != NULL)
		params->n = 0;
	for (int i = 0; i < n; i++) {
		if (is_capture(seg[i], len[i])) {
			if (plen[i] == 0 || plen[i] >= sizeof(params->value[0]))
				return 0;
			if (params != NULL) {
				/* the name points into the pattern: "{name}" without braces,
				 * compared by web_req_param with its length */
				params->name[params->n] = seg[i] + 1;
				memcpy(params->value[params->n], pseg[i], plen[i]);
				params->value[params->n][plen[i]] = '\0';
				params->n++;
			}
			continue;
		}
		if (len[i] != plen[i] || memcmp(seg[i], pseg[i], len[i]) != 0)
			return 0;
	}
	return 1;
}

enum web_match
web_router_match(const struct web_router *r, const char *method, const char *path,
		 const struct web_route **out, struct web_params *params, char *allow,
		 size_t allow_size)
{
	const char *pseg[WEB_MAX_SEGMENTS];
	size_t plen[WEB_MAX_SEGMENTS];
	int pn = split(path, pseg, plen), path_known = 0;
	const char *m = strcmp(method, "HEAD") == 0 ? "GET" : method;
	size_t used = 0;

	*out = NULL;
	if (allow != NULL && allow_size > 0)
		allow[0] = '\0';
	if (pn < 0)
		return WEB_MATCH_NOT_FOUND;
	/* A literal pattern wins over one with captures ("/api/queue/status"
	 * over "/api/queue/{id}"), whatever the order they were added in. */
	for (int pass = 0; pass < 2; pass++) {
		for (size_t i = 0; i < r->n; i++) {
			int literal = strchr(r->routes[i].pattern, '{') == NULL;

			if (literal != (pass == 0) || strcmp(r->routes[i].method, m) != 0 ||
			    !fits(r->routes[i].pattern, pseg, plen, pn, params))
				continue;
			*out = &r->routes[i];
			return WEB_MATCH_OK;
		}
	}
	for (size_t i = 0; i < r->n; i++) {
		if (!fits(r->routes[i].pattern, pseg, plen, pn, NULL))
			continue;
		path_known = 1;
		if (allow != NULL && allow_size > 0) {
			int k = snprintf(allow + used, allow_size - used, "%s%s", used ? ", " : "",
					 r->routes[i].method);

			if (k > 0 && (size_t)k < allow_size - used)
				used += (size_t)k;
		}
	}
	return path_known ? WEB_MATCH_BAD_METHOD : WEB_MATCH_NOT_FOUND;
}

int
web_access_allows(enum web_access need, const struct web_principal *who)
{
	switch (need) {
	case WEB_PUBLIC:
		return 1;
	case WEB_READ:
		return who->kind != WEB_ANON;
	case WEB_WRITE:
		if (who->kind == WEB_APIKEY)
			return strcmp(who->scope, "full") == 0;
		return who->kind == WEB_SESSION &&
		       (strcmp(who->role, "admin") == 0 || strcmp(who->role, "user") == 0);
	case WEB_ADMIN:
		return who->kind == WEB_SESSION && strcmp(who->role, "admin") == 0;
	case WEB_HOOK:
		return who->kind == WEB_HOOKCALL;
	case WEB_ACCESS_UNSET:
	default:
		return 0;
	}
}
