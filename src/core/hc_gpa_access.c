/* SPDX-License-Identifier: MIT */
/*
 * A parent's access to a child's memory (spec.md §10): HvReadGpa, HvWriteGpa,
 * HvTranslateVirtualAddress (the VP's page tables walked in the child's
 * GPA space), and the accessed/dirty state of GPA pages that
 * HvGetGpaPagesAccessStates reports (set by openhv's own writes into guest
 * memory; an execution backend adds the guest's through the seam).
 */
#include "handlers.h"
#include "surface.h"

#include <string.h>

#include "alloc.h"
#include "gpa.h"
#include "partition.h"
#include "seam.h"
#include "vp.h"

/* ---------------------------------------------------------------------- */
/* HvReadGpa, HvWriteGpa.                                                  */

struct gpa_io {
	uint64_t partition_id;
	uint32_t vp_index;
	uint32_t byte_count;
	uint64_t base_gpa;
	uint64_t control_flags;
};

/*
 * Check a read or write of [base, base + count) and find its pages' host
 * addresses (the range may span two pages).  The access result goes to
 * *result: a page unmapped, or without the right, is reported there with
 * SUCCESS, as the TLFS result codes say.
 */
static hv_status_t gpa_io_target(struct hvctx *cx, const struct gpa_io *in,
				  bool write, struct partition **t,
				  uint8_t *host[2], uint32_t *result)
{
	struct vp *vp;
	hv_status_t st = surface_child_vp(cx, in->partition_id, in->vp_index,
					  t, &vp);

	if (st)
		return st;
	if (!in->byte_count || in->byte_count > HV_READ_WRITE_GPA_MAX_SIZE ||
	    (in->control_flags & ~HV_ACCESS_GPA_CONTROL_CACHE_TYPE_MASK) ||
	    in->base_gpa >= (HV_GPA_PAGE_LIMIT << HV_PAGE_SHIFT) - in->byte_count)
		return HV_STATUS_INVALID_PARAMETER;
	uint64_t first = in->base_gpa >> HV_PAGE_SHIFT;
	uint64_t last = (in->base_gpa + in->byte_count - 1) >> HV_PAGE_SHIFT;

	*result = HV_ACCESS_GPA_SUCCESS;
	for (uint64_t pg = first; pg <= last; pg++) {
		uint32_t frame;
		unsigned rights;

		if (!gpa_lookup(cx->hv, *t, pg, &frame, &rights)) {
			*result = HV_ACCESS_GPA_UNMAPPED;
			return HV_STATUS_SUCCESS;
		}
		if (!(rights & (write ? GPA_WRITE : GPA_READ))) {
			*result = write ? HV_ACCESS_GPA_WRITE_INTERCEPT :
					  HV_ACCESS_GPA_READ_INTERCEPT;
			return HV_STATUS_SUCCESS;
		}
		host[pg - first] = frame_ptr(cx->hv, frame);
		/* Dirty logging must be able to record the write. */
		if (!access_bits_get(*t, pg, true))
			return HV_STATUS_NO_RESOURCES;
	}
	return HV_STATUS_SUCCESS;
}

/* Copy between the guest range and buf. */
static void gpa_io_copy(uint8_t *host[2], uint64_t base, uint32_t count,
			uint8_t *buf, bool write)
{
	uint32_t off = base & (HV_PAGE_SIZE - 1);
	uint32_t n1 = HV_PAGE_SIZE - off < count ? HV_PAGE_SIZE - off : count;

	if (write) {
		memcpy(host[0] + off, buf, n1);
		memcpy(host[1] ? host[1] : host[0], buf + n1, count - n1);
	} else {
		memcpy(buf, host[0] + off, n1);
		memcpy(buf + n1, host[1] ? host[1] : host[0], count - n1);
	}
}

hv_status_t hc_read_gpa(struct hvctx *cx)
{
	const struct hv_input_read_gpa *in = cx->in;
	struct hv_output_read_gpa *out = cx->out;
	struct gpa_io io = { in->partition_id, in->vp_index, in->byte_count,
			     in->base_gpa, in->control_flags };
	struct partition *t;
	uint8_t *host[2] = { NULL, NULL };
	uint32_t result;
	hv_status_t st = gpa_io_target(cx, &io, false, &t, host, &result);

	if (st)
		return st;
	memset(out, 0, sizeof(*out));
	out->access_result = result;
	if (result == HV_ACCESS_GPA_SUCCESS) {
		gpa_io_copy(host, io.base_gpa, io.byte_count, out->data, false);
		for (uint64_t pg = io.base_gpa >> HV_PAGE_SHIFT;
		     pg <= (io.base_gpa + io.byte_count - 1) >> HV_PAGE_SHIFT; pg++)
			access_mark(t, pg, false);
	}
	return HV_STATUS_SUCCESS;
}

hv_status_t hc_write_gpa(struct hvctx *cx)
{
	const struct hv_input_write_gpa *in = cx->in;
	struct hv_output_write_gpa *out = cx->out;
	struct gpa_io io = { in->partition_id, in->vp_index, in->byte_count,
			     in->base_gpa, in->control_flags };
	struct partition *t;
	uint8_t *host[2] = { NULL, NULL };
	uint8_t data[HV_READ_WRITE_GPA_MAX_SIZE];
	uint32_t result;
	hv_status_t st = gpa_io_target(cx, &io, true, &t, host, &result);

	if (st)
		return st;
	out->access_result = result;
	if (result == HV_ACCESS_GPA_SUCCESS) {
		memcpy(data, in->data, sizeof(data));
		gpa_io_copy(host, io.base_gpa, io.byte_count, data, true);
		for (uint64_t pg = io.base_gpa >> HV_PAGE_SHIFT;
		     pg <= (io.base_gpa + io.byte_count - 1) >> HV_PAGE_SHIFT; pg++)
			access_mark(t, pg, true);
	}
	return HV_STATUS_SUCCESS;
}

/* ---------------------------------------------------------------------- */
/* HvTranslateVirtualAddress.                                              */

#define CR0_WP		(1ull << 16)
#define CR0_PG		(1ull << 31)
#define CR4_PSE		(1ull << 4)
#define CR4_PAE		(1ull << 5)
#define CR4_LA57	(1ull << 12)
#define CR4_SMEP	(1ull << 20)
#define CR4_SMAP	(1ull << 21)
#define EFER_LMA	(1ull << 10)
#define EFER_NXE	(1ull << 11)
#define PTE_P		(1ull << 0)
#define PTE_W		(1ull << 1)
#define PTE_U		(1ull << 2)
#define PTE_A		(1ull << 5)
#define PTE_D		(1ull << 6)
#define PTE_PS		(1ull << 7)
#define PTE_NX		(1ull << 63)
#define PTE_ADDR	0x000FFFFFFFFFF000ull
#define CACHE_WB	6ull

struct walk {
	struct ohv *hv;
	struct partition *t;
	uint64_t flags;
	bool set_bits;
};

/* Read (and with SET_PAGE_TABLE_BITS update) the entry at gpa, size 4 or
 * 8.  A result code on failure, else SUCCESS. */
static uint32_t walk_entry(struct walk *w, uint64_t gpa, unsigned size,
			   uint64_t *e, uint64_t set)
{
	uint32_t frame;
	unsigned rights;

	if (!gpa_lookup(w->hv, w->t, gpa >> HV_PAGE_SHIFT, &frame, &rights))
		return HV_TRANSLATE_GVA_GPA_UNMAPPED;
	if (!(rights & GPA_READ))
		return HV_TRANSLATE_GVA_GPA_NO_READ_ACCESS;
	uint8_t *p = (uint8_t *)frame_ptr(w->hv, frame) + (gpa & (HV_PAGE_SIZE - 1));

	*e = 0;
	memcpy(e, p, size);
	access_mark(w->t, gpa >> HV_PAGE_SHIFT, false);
	if (w->set_bits && (*e & PTE_P) && (*e | set) != *e) {
		if (!(rights & GPA_WRITE))
			return HV_TRANSLATE_GVA_GPA_NO_WRITE_ACCESS;
		*e |= set;
		memcpy(p, e, size);
		access_mark(w->t, gpa >> HV_PAGE_SHIFT, true);
	}
	return HV_TRANSLATE_GVA_SUCCESS;
}

static uint64_t reg(struct ohv *hv, struct partition *t, struct vp *vp,
		    uint32_t name, union hv_register_value *v)
{
	memset(v, 0, sizeof(*v));
	vp_reg_access(hv, t, vp, name, v, false);
	return v->reg64;
}

hv_status_t hc_translate_virtual_address(struct hvctx *cx)
{
	const struct hv_input_translate_virtual_address *in = cx->in;
	struct hv_output_translate_virtual_address *out = cx->out;
	struct partition *t;
	struct vp *vp;
	hv_status_t st = surface_child_vp(cx, in->partition_id, in->vp_index,
					  &t, &vp);

	if (st)
		return st;
	uint64_t f = in->control_flags;
	uint8_t vtl = (uint8_t)(f >> 56);

	if ((f & ~(HV_TRANSLATE_GVA_FLAGS_MASK | HV_TRANSLATE_GVA_INPUT_VTL_MASK)) ||
	    (vtl != 0 && vtl != 0x10) ||
	    ((f & HV_TRANSLATE_GVA_SUPERVISOR_ACCESS) &&
	     (f & HV_TRANSLATE_GVA_USER_ACCESS)) ||
	    in->gva_page >= 1ull << 52)
		return HV_STATUS_INVALID_PARAMETER;

	union hv_register_value v;
	uint64_t cr0 = reg(cx->hv, t, vp, HV_X64_REGISTER_CR0, &v);
	uint64_t cr3 = reg(cx->hv, t, vp, HV_X64_REGISTER_CR3, &v);
	uint64_t cr4 = reg(cx->hv, t, vp, HV_X64_REGISTER_CR4, &v);
	uint64_t efer = reg(cx->hv, t, vp, HV_X64_REGISTER_EFER, &v);

	reg(cx->hv, t, vp, HV_X64_REGISTER_SS, &v);
	/* The mode of the access: asked for, or the VP's CPL (SS.DPL). */
	bool user = f & HV_TRANSLATE_GVA_USER_ACCESS ? true :
		    f & HV_TRANSLATE_GVA_SUPERVISOR_ACCESS ? false :
		    ((v.segment.attributes >> 5) & 3) == 3;
	bool exempt = f & HV_TRANSLATE_GVA_PRIVILEGE_EXEMPT;
	bool want_w = f & HV_TRANSLATE_GVA_VALIDATE_WRITE;
	bool want_x = f & HV_TRANSLATE_GVA_VALIDATE_EXECUTE;
	struct walk w = { .hv = cx->hv, .t = t, .flags = f,
			  .set_bits = f & HV_TRANSLATE_GVA_SET_PAGE_TABLE_BITS };
	uint64_t gva = in->gva_page << HV_PAGE_SHIFT, gpa = 0;
	uint32_t code = HV_TRANSLATE_GVA_SUCCESS;

	memset(out, 0, sizeof(*out));
	if (!(cr0 & CR0_PG)) {
		gpa = gva & 0xFFFFFFFFull;	/* no paging: 32-bit, flat */
	} else {
		bool lm = efer & EFER_LMA, pae = lm || (cr4 & CR4_PAE);
		unsigned size = pae ? 8 : 4;
		int levels = lm ? (cr4 & CR4_LA57 ? 5 : 4) : pae ? 3 : 2;
		uint64_t table = lm ? cr3 & PTE_ADDR :
				 pae ? cr3 & 0xFFFFFFE0ull : cr3 & 0xFFFFF000ull;
		bool writable = true, usr = true, nx = false;
		uint64_t e = 0;

		if (!lm)
			gva &= 0xFFFFFFFFull;
		for (int lvl = levels; lvl >= 1; lvl--) {
			unsigned shift = pae ? 12 + 9 * (lvl - 1) : 12 + 10 * (lvl - 1);
			uint64_t idx = pae && !lm && lvl == 3 ? (gva >> 30) & 3 :
				       (gva >> shift) & (pae ? 0x1FF : 0x3FF);
			code = walk_entry(&w, table + idx * size, size, &e, PTE_A);
			if (code)
				goto done;
			if (!(e & PTE_P)) {
				code = HV_TRANSLATE_GVA_PAGE_NOT_PRESENT;
				goto done;
			}
			/* Large pages: 2 MiB and 1 GiB in long mode, 2 MiB
			 * with PAE, 4 MiB with CR4.PSE (PS ignored without). */
			bool ps = (e & PTE_PS) && lvl > 1;
			bool leaf_ps = ps && (lm ? lvl <= 3 : pae ? lvl == 2 :
					      (cr4 & CR4_PSE) != 0);

			/* Reserved bits: NX without EFER.NXE, PS in a PML4E
			 * or PML5E, a PAE PDPTE's reserved bits. */
			if (((e & PTE_NX) && !(efer & EFER_NXE)) ||
			    (ps && lm && lvl > 3) ||
			    (pae && !lm && lvl == 3 && (e & 0x1E6))) {
				code = HV_TRANSLATE_GVA_INVALID_PAGE_TABLE_FLAGS;
				goto done;
			}
			if (!(pae && !lm && lvl == 3)) {
				writable &= !!(e & PTE_W);
				usr &= !!(e & PTE_U);
			}
			nx |= pae && (e & PTE_NX);
			if (lvl == 1 || leaf_ps) {
				uint64_t span = 1ull << shift;
				uint64_t base = pae ? e & PTE_ADDR & ~(span - 1) :
					(e & 0xFFFFF000ull & ~(span - 1)) |
					((e >> 13) & 0xFF) << 32;

				if (want_w && w.set_bits && !(e & PTE_D)) {
					code = walk_entry(&w, table + idx * size, size,
							  &e, PTE_A | PTE_D);
					if (code)
						goto done;
				}
				gpa = base | (gva & (span - 1));
				break;
			}
			table = pae ? e & PTE_ADDR : e & 0xFFFFF000ull;
		}
		if (!exempt) {
			bool wp = !user && !(cr0 & CR0_WP);

			if ((user && !usr) || (want_w && !writable && !wp) ||
			    (want_x && nx) ||
			    (want_x && !user && usr && (cr4 & CR4_SMEP)) ||
			    (!user && usr && !want_x && (cr4 & CR4_SMAP) &&
			     (f & HV_TRANSLATE_GVA_ENFORCE_SMAP) &&
			     !(f & HV_TRANSLATE_GVA_OVERRIDE_SMAP))) {
				code = HV_TRANSLATE_GVA_PRIVILEGE_VIOLATION;
				goto done;
			}
		}
	}
	/*
	 * The GPA itself: a mapped page must have the rights the access
	 * asks for.  An unmapped one is no failure (spec.md §10): it is
	 * where a VMM's MMIO lives, and VMMs that emulate an access there
	 * (QEMU's and Cloud Hypervisor's mshv) translate its GVA first and
	 * go on only with HvTranslateGvaSuccess.  GpaUnmapped is the walk's:
	 * a page table at a GPA with nothing mapped.
	 */
	{
		uint32_t frame;
		unsigned rights;

		if (!gpa_lookup(cx->hv, t, gpa >> HV_PAGE_SHIFT, &frame, &rights))
			;
		else if ((f & HV_TRANSLATE_GVA_VALIDATE_READ) &&
			 !(rights & GPA_READ))
			code = HV_TRANSLATE_GVA_GPA_NO_READ_ACCESS;
		else if (want_w && !(rights & GPA_WRITE))
			code = HV_TRANSLATE_GVA_GPA_NO_WRITE_ACCESS;
		out->gpa_page = gpa >> HV_PAGE_SHIFT;
	}
done:
	out->translation_result = code |
		(code == HV_TRANSLATE_GVA_SUCCESS ? CACHE_WB << 32 : 0);
	if (code != HV_TRANSLATE_GVA_SUCCESS &&
	    code != HV_TRANSLATE_GVA_GPA_UNMAPPED &&
	    code != HV_TRANSLATE_GVA_GPA_NO_READ_ACCESS &&
	    code != HV_TRANSLATE_GVA_GPA_NO_WRITE_ACCESS)
		out->gpa_page = 0;
	return HV_STATUS_SUCCESS;
}

/* ---------------------------------------------------------------------- */
/* HvGetGpaPagesAccessStates.                                              */

hv_status_t hc_get_gpa_pages_access_states(struct hvctx *cx)
{
	const struct hv_input_get_gpa_pages_access_state *in = cx->in;
	struct partition *t;
	hv_status_t st = surface_child(cx, in->partition_id, &t);

	if (st)
		return st;
	uint64_t fl = in->flags;

	if ((fl & ~HV_GPA_PAGE_ACCESS_FLAGS_MASK) ||
	    ((fl & HV_GPA_PAGE_ACCESS_CLEAR_ACCESSED) &&
	     (fl & HV_GPA_PAGE_ACCESS_SET_ACCESSED)) ||
	    ((fl & HV_GPA_PAGE_ACCESS_CLEAR_DIRTY) &&
	     (fl & HV_GPA_PAGE_ACCESS_SET_DIRTY)) ||
	    in->hv_gpa_page_number >= HV_GPA_PAGE_LIMIT ||
	    cx->rep_count > HV_GPA_PAGE_LIMIT - in->hv_gpa_page_number)
		return HV_STATUS_INVALID_PARAMETER;
	bool set = fl & (HV_GPA_PAGE_ACCESS_SET_ACCESSED |
			 HV_GPA_PAGE_ACCESS_SET_DIRTY);
	uint8_t *states = hc_out_elem(cx, 1, 0);
	uint32_t from = cx->rep_start;

	for (uint32_t i = from; i < cx->rep_count; i++) {
		uint64_t pg = in->hv_gpa_page_number + i;
		struct access_bits *b = access_bits_get(t, pg, set);
		uint32_t k = pg & (GPA_REGION_PAGES - 1);
		uint64_t m = 1ull << (k % 64);

		if (set && !b) {
			cx->rep_done = i;
			return HV_STATUS_NO_RESOURCES;
		}
		states[i] = 0;
		if (!b)
			continue;
		if (b->accessed[k / 64] & m)
			states[i] |= HV_GPA_PAGE_ACCESS_STATE_ACCESSED;
		if (b->dirty[k / 64] & m)
			states[i] |= HV_GPA_PAGE_ACCESS_STATE_DIRTY;
		if (fl & HV_GPA_PAGE_ACCESS_CLEAR_ACCESSED)
			b->accessed[k / 64] &= ~m;
		if (fl & HV_GPA_PAGE_ACCESS_SET_ACCESSED)
			b->accessed[k / 64] |= m;
		if (fl & HV_GPA_PAGE_ACCESS_CLEAR_DIRTY)
			b->dirty[k / 64] &= ~m;
		if (fl & HV_GPA_PAGE_ACCESS_SET_DIRTY)
			b->dirty[k / 64] |= m;
	}
	/* What the guest itself touched, from the execution backend. */
	seam_dirty_log(cx->hv, t, in->hv_gpa_page_number + from,
		       cx->rep_count - from, states + from, fl);
	cx->rep_done = cx->rep_count;
	return HV_STATUS_SUCCESS;
}
