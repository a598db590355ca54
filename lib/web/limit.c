/*
 * limit.c - token buckets in a fixed table (see limit.h).
 */
#include <pthread.h>
#include <stdlib.h>
#include <string.h>

#include <sodium.h>

#include "web/limit.h"
#include "core/banned.h"

struct slot {
	unsigned char id[16];		/* a keyed hash of the key */
	double tokens;
	int64_t at_us;
	int used;
};

struct web_limiter {
	pthread_mutex_t mu;
	struct slot *slots;
	unsigned n;
	double burst, per_us;
	unsigned char salt[crypto_shorthash_KEYBYTES];
};

struct web_limiter *
web_limiter_new(unsigned slots, double burst, double per_minute)
{
	struct web_limiter *l = calloc(1, sizeof(*l));

	if (l == NULL || sodium_init() < 0 || slots == 0) {
		free(l);
		return NULL;
	}
	l->slots = calloc(slots, sizeof(*l->slots));
	if (l->slots == NULL) {
		free(l);
		return NULL;
	}
	pthread_mutex_init(&l->mu, NULL);
	l->n = slots;
	l->burst = burst;
	l->per_us = per_minute / 60e6;
	/* a random key: nobody can pick addresses that collide on purpose */
	randombytes_buf(l->salt, sizeof(l->salt));
	return l;
}

void
web_limiter_free(struct web_limiter *l)
{
	if (l == NULL)
		return;
	pthread_mutex_destroy(&l->mu);
	free(l->slots);
	free(l);
}

long
web_limiter_take(struct web_limiter *l, const char *key, int64_t now_us)
{
	unsigned char id[16];
	struct slot *s;
	long wait = 0;

	crypto_generichash(id, sizeof(id), (const unsigned char *)key, strlen(key), l->salt,
			   sizeof(l->salt));
	pthread_mutex_lock(&l->mu);
	s = &l->slots[(((unsigned)id[0] << 24) | ((unsigned)id[1] << 16) |
		       ((unsigned)id[2] << 8) | id[3]) % l->n];
	if (!s->used || memcmp(s->id, id, sizeof(id)) != 0) {
		memcpy(s->id, id, sizeof(id));
		s->tokens = l->burst;
		s->at_us = now_us;
		s->used = 1;
	}
	if (now_us > s->at_us) {
		s->tokens += (double)(now_us - s->at_us) * l->per_us;
		if (s->tokens > l->burst)
			s->tokens = l->burst;
		s->at_us = now_us;
	}
	if (s->tokens >= 1.0) {
		s->tokens -= 1.0;
	} else {
		wait = l->per_us > 0 ? (long)((1.0 - s->tokens) / l->per_us / 1e6) + 1 : 3600;
	}
	pthread_mutex_unlock(&l->mu);
	return wait;
}
