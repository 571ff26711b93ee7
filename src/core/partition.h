/* Partition objects, the partition tree and the id index (SPEC 1, 4). */
#ifndef OHV_PARTITION_H
#define OHV_PARTITION_H

#include "internal.h"

/* The live partition with that id; NULL for 0, SELF and dead ids. */
static inline struct partition *partition_get(const struct ohv *hv,
					      uint64_t id)
{
	return idmap_get(&hv->ids, id);
}

/* As partition_get, with HV_PARTITION_ID_SELF meaning the caller. */
static inline struct partition *partition_resolve(const struct ohv *hv,
						  struct partition *caller,
						  uint64_t id)
{
	return id == HV_PARTITION_ID_SELF ? caller : partition_get(hv, id);
}

/*
 * A new partition object holding every host resource it needs (its slot
 * and id index entries reserved), so that linking it in cannot fail; NULL
 * when the host refuses.  partition_free frees one never linked, or one
 * unlinked.
 */
struct partition *partition_alloc(struct ohv *hv);
void partition_free(struct partition *p);

/* Give p its id and slot and make it parent's last child; undo that. */
void partition_link(struct ohv *hv, struct partition *parent,
		    struct partition *p);
void partition_unlink(struct ohv *hv, struct partition *p);

/* Create the root partition at ohv_open: 0 or -ENOMEM. */
int partition_create_root(struct ohv *hv);

/* Free every partition (ohv_close). */
void partition_destroy_all(struct ohv *hv);

/* The VP with that index, or NULL. */
struct vp *partition_vp(const struct partition *p, uint32_t index);

#endif /* OHV_PARTITION_H */
