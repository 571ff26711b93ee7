#include "gpa.h"

#include "partition.h"

bool gpa_lookup(const struct ohv *hv, const struct partition *p,
		uint64_t gpa_page, uint32_t *frame, unsigned *rights)
{
	if (!is_root(hv, p)) {
		/* A child's GPA space holds only what its parent mapped with
		 * HvMapGpaPages (SPEC 6), which this version does not offer:
		 * it is empty. */
		return false;
	}
	/* The root: identity map of the machine frames, minus deposited
	 * frames and the rights it gave up on its own map. */
	if (gpa_page >= hv->cfg.memory_pages)
		return false;
	const struct frame *f = &hv->frames[gpa_page];

	if (f->state != FRAME_GPA)
		return false;
	unsigned r = GPA_RWX & ~(unsigned)f->root_deny;

	if (!r)
		return false;
	*frame = (uint32_t)gpa_page;
	*rights = r;
	return true;
}

void *gpa_ptr(const struct ohv *hv, const struct partition *p, uint64_t gpa,
	      size_t len, unsigned need)
{
	if (!len)
		len = 1;
	if (gpa + len < gpa)
		return NULL;
	uint64_t first = gpa >> HV_PAGE_SHIFT;
	uint64_t last = (gpa + len - 1) >> HV_PAGE_SHIFT;
	uint32_t frame0 = 0;

	for (uint64_t page = first; page <= last; page++) {
		uint32_t frame;
		unsigned rights;

		if (!gpa_lookup(hv, p, page, &frame, &rights))
			return NULL;
		if ((rights & need) != need)
			return NULL;
		if (page == first)
			frame0 = frame;
		else if (frame != frame0 + (page - first))
			return NULL;
	}
	return (uint8_t *)frame_ptr(hv, frame0) + (gpa & (HV_PAGE_SIZE - 1));
}

void *ohv_gpa(struct ohv *hv, uint64_t partition_id, uint64_t gpa, size_t len)
{
	if (!hv)
		return NULL;
	void *ptr = NULL;

	pthread_mutex_lock(&hv->lock);
	struct partition *p = partition_get(hv, partition_id);

	if (p)
		ptr = gpa_ptr(hv, p, gpa, len, 0);
	pthread_mutex_unlock(&hv->lock);
	return ptr;
}
