#!/bin/sh
# Only lib/db speaks SQL: no string literal in cmd/, lib/stage, lib/policy,
# lib/arr or lib/core holds an SQL statement, and only lib/db calls libpq's
# query functions or db_query()/db_exec().  A statement outside lib/db is
# a rule said in a second place (README, "Rules that keep it simple").
set -u
cd "$(dirname "$0")/../.." || exit 1
pass=0
fail=0
files=$(find cmd lib/stage lib/policy lib/arr lib/core lib/crypto -name '*.[ch]' | sort)
[ -n "$files" ] || { echo "FAIL: no sources found outside lib/db"; echo "layers: 0 passed, 1 failed"; exit 1; }

# SQL keywords at the start of a string literal, or the statement shapes
# anywhere inside one (a statement split over literals starts with one).
sql='"[[:space:]]*(SELECT|INSERT[[:space:]]+INTO|UPDATE[[:space:]]+[a-z_]+[[:space:]]+SET|DELETE[[:space:]]+FROM|WITH[[:space:]]+[a-z_]+[[:space:]]+AS|LOCK[[:space:]]+TABLE|ANALYZE|TRUNCATE|CREATE[[:space:]]+(TABLE|INDEX|VIEW|FUNCTION)|ALTER[[:space:]]+TABLE|BEGIN|COMMIT|ROLLBACK)\b'
shape='"[^"]*\b(FROM[[:space:]]+[a-z_]+[[:space:]]+(WHERE|JOIN)|ON[[:space:]]+CONFLICT|RETURNING[[:space:]]+[a-z_*])'
calls='\b(db_query|db_exec|PQexec|PQexecParams|PQprepare|PQsendQuery|PQsendQueryParams)[[:space:]]*\('
for f in $files; do
	hits=$(grep -nE "$sql|$shape" "$f" | grep -vE '^[0-9]+:[[:space:]]*(\*|/\*|//)')
	if [ -n "$hits" ]; then
		fail=$((fail + 1))
		echo "FAIL: $f has SQL outside lib/db; put it behind a lib/db function:"
		echo "$hits" | sed 's/^/  | /' | cut -c1-160
	else
		pass=$((pass + 1))
	fi
	hits=$(grep -nE "$calls" "$f" | grep -vE '^[0-9]+:[[:space:]]*(\*|/\*|//)')
	if [ -n "$hits" ]; then
		fail=$((fail + 1))
		echo "FAIL: $f sends SQL itself; only lib/db may:"
		echo "$hits" | sed 's/^/  | /' | cut -c1-160
	else
		pass=$((pass + 1))
	fi
done
echo "layers: $pass passed, $fail failed"
[ "$fail" -eq 0 ]
