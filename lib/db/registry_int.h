/*
 * registry_int.h - SQL pieces registry.c (discovery's writes) and
 * registry_eligible.c (enqueue's reads) share.  Not a public API.
 */
#ifndef COMRADARR_DB_REGISTRY_INT_H
#define COMRADARR_DB_REGISTRY_INT_H

/* A text parameter holding microseconds since the epoch, as a timestamp. */
#define TS(n) "('epoch'::timestamptz + (" n ")::bigint * interval '1 microsecond')"

/*
 * A timestamp as microseconds since the epoch (NULL stays NULL).  Through
 * float8, not extract()'s numeric: numeric arithmetic on four columns was
 * a quarter of the "top 500 eligible" query's time.  Exact: a float8
 * holds every microsecond count up to the year 2255, and round() takes
 * off the division's last-bit error.
 */
#define US(x) "round(date_part('epoch', " x ") * 1000000)::bigint"

/* When a movie counts as released: the first of its release dates known. */
#define MV_RELEASED "coalesce(m.digital_release, m.physical_release, m.release_date, m.in_cinemas)"

#endif
