/*
 * password.h - Argon2id password hashes (Req 10.2).
 *
 * Parameters follow the OWASP Password Storage Cheat Sheet's first Argon2id
 * configuration: m=47104 KiB (46 MiB), t=1, p=1, with a 16-byte random salt
 * and a 32-byte hash (https://cheatsheetseries.owasp.org/cheatsheets/
 * Password_Storage_Cheat_Sheet.html#argon2id).  On this project's reference
 * machines one hash or verify costs about 70 ms, inside the ~150 ms a login
 * may take (DESIGN.md); test_crypto measures it.  Both use 46 MiB for that
 * time, so the web server should bound concurrent logins.
 * Hashes are stored as PHC strings:
 *	$argon2id$v=19$m=47104,t=1,p=1$<salt b64>$<hash b64>
 * so a later change of parameters still verifies old hashes;
 * password_needs_rehash() tells the login code to store a fresh one.
 */
#ifndef COMRADARR_CRYPTO_PASSWORD_H
#define COMRADARR_CRYPTO_PASSWORD_H

#include "core/err.h"

#define PASSWORD_M_COST_KIB	47104
#define PASSWORD_T_COST		1
#define PASSWORD_PARALLELISM	1
#define PASSWORD_SALT_BYTES	16
#define PASSWORD_HASH_BYTES	32
/* Longest password accepted, in bytes: a bound, not a policy. */
#define PASSWORD_MAX_BYTES	1024

/* Hash password into a PHC string; *encoded is malloc'd, caller frees. */
int password_hash(const char *password, char **encoded, struct err *e);

/*
 * Does password match the stored PHC string?  Returns 1 on a match, 0 when it
 * does not match, -1 (e filled) when encoded is not an Argon2id string this
 * code accepts or its parameters are beyond sane bounds (a corrupt row must
 * not make a login allocate gigabytes).  The comparison is constant-time.
 */
int password_verify(const char *encoded, const char *password, struct err *e);

/* 1 when encoded was made with other parameters than the current ones (or
 * cannot be parsed), else 0. */
int password_needs_rehash(const char *encoded);

#endif
