/*
 * ui_assets.c - look up the embedded static files (see ui_assets.h).
 */
#include <string.h>

#include "web/ui_assets.h"
#include "core/banned.h"

#define ASSET_PREFIX "/assets/"

const struct ui_asset *
ui_asset_by_name(const char *name)
{
	size_t i;

	if (name == NULL)
		return NULL;
	for (i = 0; i < ui_assets_count; i++)
		if (strcmp(ui_assets[i].name, name) == 0)
			return &ui_assets[i];
	return NULL;
}

const struct ui_asset *
ui_asset_by_path(const char *path, int *immutable)
{
	size_t i;

	if (path == NULL || strncmp(path, ASSET_PREFIX, strlen(ASSET_PREFIX)) != 0)
		return NULL;
	for (i = 0; i < ui_assets_count; i++) {
		if (strcmp(ui_assets[i].url, path) == 0) {
			if (immutable != NULL)
				*immutable = 1;
			return &ui_assets[i];
		}
		if (strcmp(ui_assets[i].plain, path) == 0) {
			if (immutable != NULL)
				*immutable = 0;
			return &ui_assets[i];
		}
	}
	return NULL;
}

const char *
ui_asset_url(const char *name)
{
	const struct ui_asset *a = ui_asset_by_name(name);

	return a != NULL ? a->url : "";
}

/* The opaque part of an entity tag starting at p ("..." after an optional
 * W/), its length in *len; NULL when p does not start a valid tag. */
static const char *
tag_at(const char *p, size_t *len)
{
	const char *q;

	if (p[0] == 'W' && p[1] == '/')
		p += 2;
	if (*p != '"')
		return NULL;
	q = strchr(p + 1, '"');
	if (q == NULL)
		return NULL;
	*len = (size_t)(q - p) + 1;
	return p;
}

int
ui_etag_matches(const char *inm, const char *etag)
{
	const char *p = inm, *tag;
	size_t elen, tlen;

	if (inm == NULL || etag == NULL)
		return 0;
	elen = strlen(etag);
	while (*p != '\0') {
		while (*p == ' ' || *p == '\t' || *p == ',')
			p++;
		if (*p == '\0')
			break;
		if (*p == '*')
			return 1;
		tag = tag_at(p, &tlen);
		if (tag == NULL)
			return 0;	/* malformed: no match, the full answer is safe */
		if (tlen == elen && memcmp(tag, etag, elen) == 0)
			return 1;
		p = tag + tlen;
	}
	return 0;
}
