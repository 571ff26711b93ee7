#include "idmap.h"

#include <errno.h>
#include <sys/random.h>
#include <time.h>

#include "alloc.h"

/*
 * The home slot of a key: a keyed mix (murmur3's 64-bit finalizer with
 * the secret xored in first and a secret multiplier in the middle), so
 * that which ids collide depends on the instance's key.  Two multiplies:
 * a few nanoseconds, on every lookup.
 */
static size_t home(const struct idmap *m, uint64_t key)
{
	uint64_t h = key ^ m->hkey->k0;

	h ^= h >> 33;
	h *= m->hkey->k1;
	h ^= h >> 29;
	h *= 0xC4CEB9FE1A85EC53ull;
	h ^= h >> 32;
	return (size_t)h & (m->cap - 1);
}

static uint64_t splitmix(uint64_t *s)
{
	uint64_t z = (*s += 0x9E3779B97F4A7C15ull);

	z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9ull;
	z = (z ^ (z >> 27)) * 0x94D049BB133111EBull;
	return z ^ (z >> 31);
}

void idmap_key_new(struct idmap_key *k)
{
	uint64_t v[2];

	if (getrandom(v, sizeof(v), GRND_NONBLOCK) != (ssize_t)sizeof(v)) {
		struct timespec ts;
		uint64_t s;

		clock_gettime(CLOCK_MONOTONIC, &ts);
		s = (uint64_t)ts.tv_nsec ^ ((uint64_t)ts.tv_sec << 32) ^
		    (uint64_t)(uintptr_t)k ^ (uint64_t)(uintptr_t)&ts;
		v[0] = splitmix(&s);
		v[1] = splitmix(&s);
	}
	k->k0 = v[0];
	k->k1 = v[1] | 1;
}

void idmap_init(struct idmap *m, const struct idmap_key *hkey)
{
	m->tab = NULL;
	m->cap = 0;
	m->count = 0;
	m->hkey = hkey;
}

void idmap_fini(struct idmap *m)
{
	ohv_free(m->tab);
	m->tab = NULL;
	m->cap = 0;
	m->count = 0;
}

void **idmap_ref(const struct idmap *m, uint64_t key)
{
	if (!m->cap || !key)
		return NULL;
	for (size_t i = home(m, key);; i = (i + 1) & (m->cap - 1)) {
		if (m->tab[i].key == key)
			return &m->tab[i].value;
		if (!m->tab[i].key)
			return NULL;
	}
}

void *idmap_get(const struct idmap *m, uint64_t key)
{
	void **v = idmap_ref(m, key);

	return v ? *v : NULL;
}

static void insert(const struct idmap *m, uint64_t key, void *value)
{
	size_t i = home(m, key);

	while (m->tab[i].key)
		i = (i + 1) & (m->cap - 1);
	m->tab[i].key = key;
	m->tab[i].value = value;
}

int idmap_reserve(struct idmap *m)
{
	/* Keep the load factor at or below 1/2. */
	if ((m->count + 1) * 2 <= m->cap)
		return 0;
	struct idmap bigger = {
		.cap = m->cap ? m->cap * 2 : 16,
		.count = m->count,
		.hkey = m->hkey,
	};

	bigger.tab = ohv_calloc(bigger.cap, sizeof(*bigger.tab));
	if (!bigger.tab)
		return -ENOMEM;
	for (size_t i = 0; i < m->cap; i++)
		if (m->tab[i].key)
			insert(&bigger, m->tab[i].key, m->tab[i].value);
	ohv_free(m->tab);
	*m = bigger;
	return 0;
}

void idmap_put(struct idmap *m, uint64_t key, void *value)
{
	insert(m, key, value);
	m->count++;
}

void *idmap_del(struct idmap *m, uint64_t key)
{
	if (!m->cap || !key)
		return NULL;
	size_t mask = m->cap - 1, i = home(m, key);

	while (m->tab[i].key != key) {
		if (!m->tab[i].key)
			return NULL;
		i = (i + 1) & mask;
	}
	void *value = m->tab[i].value;

	/* Backward shift: pull later members of the cluster into the hole
	 * when the hole lies between their home and their position. */
	for (size_t j = (i + 1) & mask; m->tab[j].key; j = (j + 1) & mask) {
		size_t h = home(m, m->tab[j].key);

		if (((j - h) & mask) >= ((j - i) & mask)) {
			m->tab[i] = m->tab[j];
			i = j;
		}
	}
	m->tab[i].key = 0;
	m->tab[i].value = NULL;
	m->count--;
	return value;
}
