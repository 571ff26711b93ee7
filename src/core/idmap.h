/*
 * A map from nonzero 64-bit ids to pointers: open addressing, linear
 * probing, backward-shift deletion (no tombstones), so lookups stay O(1)
 * however many ids come and go.
 */
#ifndef OHV_IDMAP_H
#define OHV_IDMAP_H

#include <stddef.h>
#include <stdint.h>

struct idmap_slot {
	uint64_t key;		/* 0 = empty */
	void *value;
};

struct idmap {
	struct idmap_slot *tab;
	size_t cap;		/* power of two, or 0 */
	size_t count;
};

void idmap_init(struct idmap *m);
void idmap_fini(struct idmap *m);
void *idmap_get(const struct idmap *m, uint64_t key);
/* Make room for one more key: 0 or -ENOMEM.  After it succeeds the next
 * idmap_put of a new key cannot fail. */
int idmap_reserve(struct idmap *m);
/* Insert a key not present yet; idmap_reserve must have succeeded. */
void idmap_put(struct idmap *m, uint64_t key, void *value);
/* Remove a key; returns its value or NULL when absent. */
void *idmap_del(struct idmap *m, uint64_t key);

#endif /* OHV_IDMAP_H */
