#include "idmap.h"

#include <errno.h>

#include "alloc.h"

static size_t home(const struct idmap *m, uint64_t key)
{
	/* Fibonacci hashing: sequential ids spread over the table. */
	return (size_t)((key * 0x9E3779B97F4A7C15ull) >> 32) & (m->cap - 1);
}

void idmap_init(struct idmap *m)
{
	m->tab = NULL;
	m->cap = 0;
	m->count = 0;
}

void idmap_fini(struct idmap *m)
{
	ohv_free(m->tab);
	idmap_init(m);
}

void *idmap_get(const struct idmap *m, uint64_t key)
{
	if (!m->cap || !key)
		return NULL;
	for (size_t i = home(m, key);; i = (i + 1) & (m->cap - 1)) {
		if (m->tab[i].key == key)
			return m->tab[i].value;
		if (!m->tab[i].key)
			return NULL;
	}
}

static void insert(struct idmap_slot *tab, size_t cap, uint64_t key,
		   void *value)
{
	struct idmap m = { .tab = tab, .cap = cap };
	size_t i = home(&m, key);

	while (tab[i].key)
		i = (i + 1) & (cap - 1);
	tab[i].key = key;
	tab[i].value = value;
}

int idmap_reserve(struct idmap *m)
{
	/* Keep the load factor at or below 1/2. */
	if ((m->count + 1) * 2 <= m->cap)
		return 0;
	size_t cap = m->cap ? m->cap * 2 : 16;
	struct idmap_slot *tab = ohv_calloc(cap, sizeof(*tab));

	if (!tab)
		return -ENOMEM;
	for (size_t i = 0; i < m->cap; i++)
		if (m->tab[i].key)
			insert(tab, cap, m->tab[i].key, m->tab[i].value);
	ohv_free(m->tab);
	m->tab = tab;
	m->cap = cap;
	return 0;
}

void idmap_put(struct idmap *m, uint64_t key, void *value)
{
	insert(m->tab, m->cap, key, value);
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
