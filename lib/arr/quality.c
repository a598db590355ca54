#include <string.h>

#include "arr/jget.h"
#include "arr/quality.h"
#include "core/banned.h"

json_t *
arr_quality_to_json(const struct arr_quality *q)
{
	json_t *j;

	j = json_pack("{s:{s:i, s:s, s:s, s:i}, s:{s:i, s:i, s:b}}",
		      "quality", "id", q->id, "name", q->name,
		      "source", q->source, "resolution", q->resolution,
		      "revision", "version", q->revision_version,
		      "real", q->revision_real, "isRepack", q->revision_is_repack);
	return j;
}

int
arr_quality_from_json(const json_t *j, struct arr_quality *q, struct err *e)
{
	const json_t *quality, *revision;

	memset(q, 0, sizeof(*q));
	if (!json_is_object(j))
		return err_set(e, ERR_PARSE, "quality is not a JSON object");
	quality = json_object_get(j, "quality");
	if (!json_is_object(quality))
		return err_set(e, ERR_PARSE, "quality has no 'quality' object");
	if (!jget_int(quality, "id", &q->id))
		return err_set(e, ERR_PARSE, "quality has no 'quality.id'");
	if (!jget_str(quality, "name", q->name, sizeof(q->name)))
		return err_set(e, ERR_PARSE, "quality %d has no 'quality.name'", q->id);
	jget_str(quality, "source", q->source, sizeof(q->source));
	jget_int(quality, "resolution", &q->resolution);
	revision = json_object_get(j, "revision");
	if (json_is_object(revision)) {
		jget_int(revision, "version", &q->revision_version);
		jget_int(revision, "real", &q->revision_real);
		jget_bool(revision, "isRepack", &q->revision_is_repack);
	}
	return 0;
}

int
arr_quality_equal(const struct arr_quality *a, const struct arr_quality *b)
{
	return a->id == b->id && strcmp(a->name, b->name) == 0 &&
	       strcmp(a->source, b->source) == 0 &&
	       a->resolution == b->resolution &&
	       a->revision_version == b->revision_version &&
	       a->revision_real == b->revision_real &&
	       a->revision_is_repack == b->revision_is_repack;
}
