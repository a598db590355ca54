#include "arr/whisparr.h"
#include "core/banned.h"

enum arr_dialect
arr_whisparr_dialect(int version_major)
{
	return version_major <= 2 ? ARR_DIALECT_WHISPARR_V2 : ARR_DIALECT_WHISPARR_V3;
}

int64_t
arr_whisparr_episode_date(const struct arr_episode *ep)
{
	return ep->air_date_utc != ARR_NO_TIME ? ep->air_date_utc : ep->release_date;
}
