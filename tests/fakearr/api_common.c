/*
 * api_common.c - what every app answers: /api, system/status, health,
 * qualityprofile, command; and Prowlarr's indexer endpoints.
 */
#include <stdio.h>
#include <string.h>

#include <microhttpd.h>

#include "fakearr.h"
#include "core/banned.h"

static const char *
app_name(const struct fa_state *st)
{
	switch (st->o.app) {
	case FA_SONARR: return "Sonarr";
	case FA_RADARR: return "Radarr";
	case FA_WHISPARR2:
	case FA_WHISPARR3: return "Whisparr";
	case FA_PROWLARR: return "Prowlarr";
	}
	return "Sonarr";
}

void
fa_render_status(struct fa_state *st, struct jw *w)
{
	/* Both Whisparr specs type the *Version members as objects: leave
	 * them out there rather than send what those specs forbid. */
	int versions_are_strings = st->o.app != FA_WHISPARR2 && st->o.app != FA_WHISPARR3;

	jw_obj(w, NULL);
	jw_str(w, "appName", app_name(st));
	jw_str(w, "instanceName", app_name(st));
	jw_str(w, "version", st->o.version);
	jw_time(w, "buildTime", st->start_us - 30LL * 86400 * 1000000);
	jw_bool(w, "isDebug", 0);
	jw_bool(w, "isProduction", 1);
	jw_bool(w, "isAdmin", 0);
	jw_bool(w, "isUserInteractive", 0);
	jw_str(w, "startupPath", "/app/bin");
	jw_str(w, "appData", "/config");
	jw_str(w, "osName", "debian");
	jw_str(w, "osVersion", "12");
	jw_bool(w, "isNetCore", 1);
	jw_bool(w, "isLinux", 1);
	jw_bool(w, "isOsx", 0);
	jw_bool(w, "isWindows", 0);
	jw_bool(w, "isDocker", 1);
	jw_str(w, "mode", "console");
	jw_str(w, "branch", st->o.app == FA_WHISPARR3 ? "eros" :
	       st->o.app == FA_SONARR ? "main" : st->o.app == FA_WHISPARR2 ? "develop" : "master");
	jw_str(w, "authentication", "forms");
	if (st->o.app == FA_SONARR)
		jw_str(w, "sqliteVersion", "3.46.1");
	jw_int(w, "migrationVersion", 215);
	jw_str(w, "urlBase", "");
	if (versions_are_strings)
		jw_str(w, "runtimeVersion", "8.0.12");
	jw_str(w, "runtimeName", ".NET");
	jw_time(w, "startTime", st->start_us);
	jw_str(w, "packageVersion", st->o.version);
	jw_str(w, "packageAuthor", "fakearr");
	jw_str(w, "packageUpdateMechanism", "docker");
	if (versions_are_strings)
		jw_str(w, "databaseVersion", "3.46.1");
	jw_str(w, "databaseType", "sqLite");
	jw_end_obj(w);
}

static void
prowlarr_indexers(struct fa_state *st, struct fa_reply *rp)
{
	struct jw w;
	int i;
	char name[32];

	(void)st;
	fa_reply_jw(rp, &w, MHD_HTTP_OK);
	jw_arr(&w, NULL);
	for (i = 1; i <= 3; i++) {
		snprintf(name, sizeof(name), "Indexer %d", i);
		jw_obj(&w, NULL);
		jw_int(&w, "id", i);
		jw_str(&w, "name", name);
		jw_arr(&w, "fields");
		jw_end_arr(&w);
		jw_str(&w, "implementationName", "Newznab");
		jw_str(&w, "implementation", "Newznab");
		jw_str(&w, "configContract", "NewznabSettings");
		jw_arr(&w, "tags");
		jw_end_arr(&w);
		jw_bool(&w, "enable", 1);
		jw_bool(&w, "redirect", 0);
		jw_bool(&w, "supportsRss", 1);
		jw_bool(&w, "supportsSearch", 1);
		jw_str(&w, "protocol", "usenet");
		jw_str(&w, "privacy", "private");
		jw_int(&w, "priority", 25);
		jw_int(&w, "appProfileId", 1);
		jw_time(&w, "added", st->start_us - 86400LL * 1000000);
		jw_end_obj(&w);
	}
	jw_end_arr(&w);
}

int
fa_api_common(struct fa_state *st, struct fa_req *r, struct fa_reply *rp)
{
	const char *p = r->path;
	const char *base = st->o.app == FA_PROWLARR ? "/api/v1" : "/api/v3";
	size_t bl = strlen(base);
	struct jw w;

	if (strcmp(p, "/api") == 0 || strcmp(p, "/api/") == 0) {
		fa_reply_json(rp, MHD_HTTP_OK, json_pack("{s:s, s:[]}", "current",
			      st->o.app == FA_PROWLARR ? "v1" : "v3", "deprecated"));
		return 1;
	}
	if (fa_api_command(st, r, rp))
		return 1;
	if (strncmp(p, base, bl) != 0 || strcmp(r->method, "GET") != 0)
		return 0;
	p += bl;
	if (strcmp(p, "/system/status") == 0) {
		fa_reply_jw(rp, &w, MHD_HTTP_OK);
		fa_render_status(st, &w);
		return 1;
	}
	if (strcmp(p, "/health") == 0) {
		fa_reply_json(rp, MHD_HTTP_OK, json_deep_copy(st->health));
		return 1;
	}
	if (st->o.app == FA_PROWLARR) {
		if (strcmp(p, "/indexerstatus") == 0) {
			fa_reply_json(rp, MHD_HTTP_OK, json_deep_copy(st->indexerstatus));
			return 1;
		}
		if (strcmp(p, "/indexer") == 0) {
			prowlarr_indexers(st, rp);
			return 1;
		}
		return 0;
	}
	if (strcmp(p, "/qualityprofile") == 0) {
		fa_reply_jw(rp, &w, MHD_HTTP_OK);
		fa_render_profiles(st, &w);
		return 1;
	}
	return 0;
}
