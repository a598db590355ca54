/*
 * whisparr.h - Whisparr, which is two different apps under one name.
 *
 * Whisparr v2 is built on Sonarr: series and episodes ("scenes") that have
 * a releaseDate instead of airDateUtc, no episodeNumber, and the year as
 * seasonNumber; use sonarr.h.  Whisparr v3 is built on Radarr: movies with
 * an itemType (movie | scene) and no /wanted endpoints; use radarr.h.  Both
 * report appName "Whisparr", so the version major decides.
 */
#ifndef COMRADARR_ARR_WHISPARR_H
#define COMRADARR_ARR_WHISPARR_H

#include "arr/model.h"

/* Version major -> ARR_DIALECT_WHISPARR_V2 (<= 2) or _V3 (>= 3).  Pure. */
enum arr_dialect arr_whisparr_dialect(int version_major);

/* The date that orders an episode: airDateUtc, or releaseDate on v2. */
int64_t arr_whisparr_episode_date(const struct arr_episode *ep);

#endif
