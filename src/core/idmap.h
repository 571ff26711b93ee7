/*
 * A map from nonzero 64-bit ids to pointers: open addressing, linear
 * probing, backward-shift deletion (no tombstones), so lookups stay O(1)
 * however many ids come and go.
 *
 * Guests choose many of the ids (port and connection ids, GPA regions), so
 * the hash is keyed with a secret of the instance (struct idmap_key, from
 * getrandom at ohv_open): without it a guest cannot pick ids that pile up
 * in one cluster (SPEC 2 work bounds).
 */
#ifndef OHV_IDMAP_H
#define OHV_IDMAP_H

#include <stddef.h>
#include <stdint.h>

struct idmap_key {
	uint64_t k0;		/* xored into every id                      */
	uint64_t k1;		/* odd multiplier                           */
};

struct idmap_slot {
	uint64_t key;		/* 0 = empty */
	void *value;
};

struct idmap {
	struct idmap_slot *tab;
	size_t cap;		/* power of two, or 0 */
	size_t count;
	const struct idmap_key *hkey;	/* the instance's, never NULL in use */
};

/* An empty map hashing with hkey (which must outlive it). */
void idmap_init(struct idmap *m, const struct idmap_key *hkey);
/* Free the table; the map stays usable, empty, with the same key. */
void idmap_fini(struct idmap *m);
void *idmap_get(const struct idmap *m, uint64_t key);
/* Where the value of a present key is kept, or NULL when absent. */
void **idmap_ref(const struct idmap *m, uint64_t key);
/* Make room for one more key: 0 or -ENOMEM.  After it succeeds the next
 * idmap_put of a new key cannot fail. */
int idmap_reserve(struct idmap *m);
/* Insert a key not present yet; idmap_reserve must have succeeded. */
void idmap_put(struct idmap *m, uint64_t key, void *value);
/* Remove a key; returns its value or NULL when absent. */
void *idmap_del(struct idmap *m, uint64_t key);

/* A fresh secret key: getrandom, or the clock and addresses when the
 * kernel has no entropy to give yet. */
void idmap_key_new(struct idmap_key *k);

#endif /* OHV_IDMAP_H */
