/*
 * password.c - Argon2id hashing with libargon2 (see password.h).
 *
 * We drive argon2id_ctx() ourselves rather than argon2id_hash_encoded() and
 * argon2id_verify() for one reason: memory.  libargon2 gets its 46 MiB from
 * malloc, which (being above glibc's mmap threshold) maps fresh pages every
 * time and takes a page fault on each first touch.  On this project's
 * machines the faults cost more than the hashing: ~160 ms per hash against
 * ~68 ms when the mapping is populated up front with MAP_POPULATE.  The
 * encoded form is still the standard PHC string, and the tests check it
 * against libargon2's own encoder and verifier.
 */
#include <errno.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>

#include <argon2.h>
#include <sodium.h>

#include "crypto/password.h"
#include "core/banned.h"

/* Bounds on a stored hash's parameters: well above what we write, far below
 * what would let one corrupt row exhaust memory or CPU at login. */
#define VERIFY_MAX_M_KIB	(256 * 1024)
#define VERIFY_MAX_T		16
#define VERIFY_MAX_P		16
#define PHC_MAX_SALT		64
#define PHC_MAX_HASH		64
#define B64_VARIANT		sodium_base64_VARIANT_ORIGINAL_NO_PADDING

struct phc {
	unsigned long version, m, t, p;
	unsigned char salt[PHC_MAX_SALT];
	size_t salt_len;
	unsigned char hash[PHC_MAX_HASH];
	size_t hash_len;
};

/* libargon2 wipes the memory before handing it back (clear_internal_memory). */
static int
argon_alloc(uint8_t **memory, size_t bytes)
{
	void *p = mmap(NULL, bytes, PROT_READ | PROT_WRITE,
		       MAP_PRIVATE | MAP_ANONYMOUS | MAP_POPULATE, -1, 0);

	if (p == MAP_FAILED)
		return ARGON2_MEMORY_ALLOCATION_ERROR;
	*memory = p;
	return ARGON2_OK;
}

static void
argon_free(uint8_t *memory, size_t bytes)
{
	munmap(memory, bytes);
}

/* Parse the number at *s, which must be followed by `stop`. */
static int
parse_num(const char **s, char stop, unsigned long *out)
{
	char *end = NULL;
	unsigned long v;

	if (**s < '0' || **s > '9')
		return -1;
	errno = 0;
	v = strtoul(*s, &end, 10);
	if (errno != 0 || end == *s || *end != stop || v > UINT32_MAX)
		return -1;
	*out = v;
	*s = end + 1;
	return 0;
}

/* Decode base64 (no padding) from s up to `stop` into buf. */
static int
parse_b64(const char **s, char stop, unsigned char *buf, size_t size, size_t *len)
{
	const char *end = strchr(*s, stop);

	if (end == NULL || end == *s)
		return -1;
	if (sodium_base642bin(buf, size, *s, (size_t)(end - *s), NULL, len, NULL,
			      B64_VARIANT) != 0)
		return -1;
	*s = end + (stop != '\0');
	return 0;
}

/*
 * Parse "$argon2id$v=19$m=M,t=T,p=P$salt$hash".  With params_only the salt
 * and hash are not decoded (password_needs_rehash needs only the numbers).
 */
static int
phc_parse(const char *encoded, struct phc *pp, int params_only)
{
	static const char prefix[] = "$argon2id$v=";
	const char *s = encoded;

	if (encoded == NULL || strncmp(s, prefix, sizeof(prefix) - 1) != 0)
		return -1;
	s += sizeof(prefix) - 1;
	if (parse_num(&s, '$', &pp->version) < 0 || strncmp(s, "m=", 2) != 0)
		return -1;
	s += 2;
	if (parse_num(&s, ',', &pp->m) < 0 || strncmp(s, "t=", 2) != 0)
		return -1;
	s += 2;
	if (parse_num(&s, ',', &pp->t) < 0 || strncmp(s, "p=", 2) != 0)
		return -1;
	s += 2;
	if (parse_num(&s, '$', &pp->p) < 0)
		return -1;
	if (params_only)
		return 0;
	if (parse_b64(&s, '$', pp->salt, sizeof(pp->salt), &pp->salt_len) < 0 ||
	    parse_b64(&s, '\0', pp->hash, sizeof(pp->hash), &pp->hash_len) < 0)
		return -1;
	if (pp->salt_len < ARGON2_MIN_SALT_LENGTH || pp->hash_len < ARGON2_MIN_OUTLEN)
		return -1;
	return 0;
}

/* Run Argon2id over password with pp's parameters and salt into out. */
static int
argon_run(const struct phc *pp, const char *password, size_t pwlen,
	  unsigned char *out, size_t out_len)
{
	argon2_context ctx;

	memset(&ctx, 0, sizeof(ctx));
	ctx.out = out;
	ctx.outlen = (uint32_t)out_len;
	ctx.pwd = (uint8_t *)(uintptr_t)password;	/* not written: no CLEAR_PASSWORD flag */
	ctx.pwdlen = (uint32_t)pwlen;
	ctx.salt = (uint8_t *)(uintptr_t)pp->salt;
	ctx.saltlen = (uint32_t)pp->salt_len;
	ctx.t_cost = (uint32_t)pp->t;
	ctx.m_cost = (uint32_t)pp->m;
	ctx.lanes = (uint32_t)pp->p;
	ctx.threads = (uint32_t)pp->p;
	ctx.version = (uint32_t)pp->version;
	ctx.allocate_cbk = argon_alloc;
	ctx.free_cbk = argon_free;
	ctx.flags = ARGON2_DEFAULT_FLAGS;
	return argon2id_ctx(&ctx);
}

int
password_hash(const char *password, char **encoded, struct err *e)
{
	struct phc pp;
	char salt64[sodium_base64_ENCODED_LEN(PASSWORD_SALT_BYTES, B64_VARIANT)];
	char hash64[sodium_base64_ENCODED_LEN(PASSWORD_HASH_BYTES, B64_VARIANT)];
	char *out = NULL;
	size_t pwlen, len;
	int rc, ret = -1;

	*encoded = NULL;
	memset(&pp, 0, sizeof(pp));
	if (sodium_init() < 0) {
		err_set(e, ERR_CRYPTO, "cannot initialise libsodium");
		goto out;
	}
	if (password == NULL) {
		err_set(e, ERR_USAGE, "no password to hash");
		goto out;
	}
	pwlen = strlen(password);
	if (pwlen > PASSWORD_MAX_BYTES) {
		err_set(e, ERR_USAGE, "password longer than %d bytes; choose a shorter one",
			PASSWORD_MAX_BYTES);
		goto out;
	}
	pp.version = ARGON2_VERSION_13;
	pp.m = PASSWORD_M_COST_KIB;
	pp.t = PASSWORD_T_COST;
	pp.p = PASSWORD_PARALLELISM;
	pp.salt_len = PASSWORD_SALT_BYTES;
	pp.hash_len = PASSWORD_HASH_BYTES;
	randombytes_buf(pp.salt, pp.salt_len);
	rc = argon_run(&pp, password, pwlen, pp.hash, pp.hash_len);
	if (rc != ARGON2_OK) {
		err_set(e, rc == ARGON2_MEMORY_ALLOCATION_ERROR ? ERR_NOMEM : ERR_CRYPTO,
			"argon2id hashing failed: %s", argon2_error_message(rc));
		goto out;
	}
	sodium_bin2base64(salt64, sizeof(salt64), pp.salt, pp.salt_len, B64_VARIANT);
	sodium_bin2base64(hash64, sizeof(hash64), pp.hash, pp.hash_len, B64_VARIANT);
	len = argon2_encodedlen(PASSWORD_T_COST, PASSWORD_M_COST_KIB, PASSWORD_PARALLELISM,
				PASSWORD_SALT_BYTES, PASSWORD_HASH_BYTES, Argon2_id);
	out = malloc(len);
	if (out == NULL) {
		err_set(e, ERR_NOMEM, "out of memory hashing a password");
		goto out;
	}
	rc = snprintf(out, len, "$argon2id$v=%lu$m=%lu,t=%lu,p=%lu$%s$%s", pp.version, pp.m,
		      pp.t, pp.p, salt64, hash64);
	if (rc < 0 || (size_t)rc >= len) {
		err_set(e, ERR_INTERNAL, "encoded password hash does not fit %zu bytes", len);
		goto out;
	}
	*encoded = out;
	out = NULL;
	ret = 0;
out:
	free(out);
	sodium_memzero(&pp, sizeof(pp));
	return ret;
}

int
password_verify(const char *encoded, const char *password, struct err *e)
{
	struct phc pp;
	unsigned char got[PHC_MAX_HASH];
	size_t pwlen;
	int rc, ret = -1;

	memset(&pp, 0, sizeof(pp));
	if (encoded == NULL || password == NULL) {
		err_set(e, ERR_USAGE, "no password or stored hash to verify");
		goto out;
	}
	if (phc_parse(encoded, &pp, 0) < 0) {
		err_set(e, ERR_CRYPTO, "stored password hash is not an argon2id string; "
			"reset the password");
		goto out;
	}
	if (pp.version != ARGON2_VERSION_13 || pp.m > VERIFY_MAX_M_KIB ||
	    pp.t > VERIFY_MAX_T || pp.p > VERIFY_MAX_P) {
		err_set(e, ERR_CRYPTO, "stored password hash has unsupported parameters "
			"(v=%lu m=%lu t=%lu p=%lu); reset the password",
			pp.version, pp.m, pp.t, pp.p);
		goto out;
	}
	pwlen = strlen(password);
	/* Longer than anything password_hash() accepts: it cannot match. */
	if (pwlen > PASSWORD_MAX_BYTES) {
		ret = 0;
		goto out;
	}
	rc = argon_run(&pp, password, pwlen, got, pp.hash_len);
	if (rc != ARGON2_OK) {
		err_set(e, rc == ARGON2_MEMORY_ALLOCATION_ERROR ? ERR_NOMEM : ERR_CRYPTO,
			"cannot verify password against the stored hash: %s",
			argon2_error_message(rc));
		goto out;
	}
	/* constant time: how much of a guess matched must not show */
	ret = sodium_memcmp(got, pp.hash, pp.hash_len) == 0;
out:
	sodium_memzero(got, sizeof(got));
	sodium_memzero(&pp, sizeof(pp));
	return ret;
}

int
password_needs_rehash(const char *encoded)
{
	struct phc pp;

	if (phc_parse(encoded, &pp, 1) < 0)
		return 1;
	return pp.version != ARGON2_VERSION_13 || pp.m != PASSWORD_M_COST_KIB ||
	       pp.t != PASSWORD_T_COST || pp.p != PASSWORD_PARALLELISM;
}
