/* SPDX-License-Identifier: MIT */
/*
 * The core's side of the backend seam, and the public calls that run VPs
 * (ohv_vp_run, ohv_vp_kick) and the services a backend's run loop uses.
 */
#include "seam.h"
#include "surface.h"
#include "synic.h"

#include <errno.h>
#include <fcntl.h>
#include <string.h>
#include <unistd.h>

#include "gpa.h"
#include "guest.h"
#include "partition.h"
#include "vp.h"

int seam_open(struct ohv *hv, const struct ohv_backend_ops *ops, void *arg)
{
	int err = 0;

	if (!ops) {
		switch (hv->cfg.backend) {
		case OHV_BACKEND_NULL:
			ops = &ohv_backend_null;
			break;
		case OHV_BACKEND_KVM:
		case OHV_BACKEND_AUTO:
			ops = &ohv_backend_kvm;
			break;
		default:
			return -EINVAL;
		}
	}
	hv->backend_ctx = NULL;
	if (ops->open) {
		err = ops->open(hv, arg, &hv->backend_ctx);
		/* spec.md §2.1: AUTO takes KVM when it can serve. */
		if (err && ops == &ohv_backend_kvm &&
		    hv->cfg.backend == OHV_BACKEND_AUTO) {
			ops = &ohv_backend_null;
			err = 0;
		}
		if (err)
			return err < 0 ? err : -EIO;
	}
	hv->backend = ops;
	hv->next_vp_serial = 1;
	return 0;
}

void seam_close(struct ohv *hv)
{
	if (hv->backend)
		seam_gpa_flush(hv);
	if (hv->backend && hv->backend->close)
		hv->backend->close(hv->backend_ctx);
	hv->backend = NULL;
	hv->backend_ctx = NULL;
}

const char *ohv_backend_name(const struct ohv *hv)
{
	return hv && hv->backend ? hv->backend->name : NULL;
}

int seam_partition_init(struct ohv *hv, struct partition *p)
{
	LOCK_HELD(hv);
	seam_gpa_flush(hv);
	const struct ohv_backend_ops *b = hv->backend;

	p->backend = NULL;
	if (!b->partition_init) {
		p->backend_live = true;
		return 0;
	}
	struct ohv_be_partition info = {
		.id = p->id,
		.parent_id = p->parent ? p->parent->id : 0,
		.depth = p->depth,
		.creation_flags = p->creation_flags,
		.privileges = p->privileges,
		.synthetic_proc_features = p->synthetic_proc_features,
		.disabled_features = { p->disabled_features[0],
				       p->disabled_features[1] },
		.disabled_xsave = p->disabled_xsave,
	};
	guest_cpuid(p, info.cpuid);
	int err = b->partition_init(hv->backend_ctx, &info, &p->backend);

	if (err) {
		p->backend = NULL;
		return err < 0 ? err : -EIO;
	}
	p->backend_live = true;
	return 0;
}

void seam_partition_fini(struct ohv *hv, struct partition *p)
{
	LOCK_HELD(hv);
	seam_gpa_flush(hv);
	if (!p->backend_live)
		return;
	if (hv->backend->partition_fini)
		hv->backend->partition_fini(p->backend);
	p->backend = NULL;
	p->backend_live = false;
}

int seam_vp_create(struct ohv *hv, struct partition *p, struct vp *vp)
{
	LOCK_HELD(hv);
	seam_gpa_flush(hv);
	const struct ohv_backend_ops *b = hv->backend;

	vp->serial = hv->next_vp_serial++;
	vp->backend = NULL;
	if (!b->vp_create)
		return 0;
	struct ohv_be_vp id = {
		.partition_id = p->id,
		.index = vp->index,
		.serial = vp->serial,
	};
	int err = b->vp_create(p->backend, &id, &vp->backend);

	if (err) {
		vp->backend = NULL;
		return err < 0 ? err : -EIO;
	}
	return 0;
}

void seam_vp_delete(struct ohv *hv, struct vp *vp)
{
	LOCK_HELD(hv);
	seam_gpa_flush(hv);
	if (vp->backend && hv->backend->vp_delete)
		hv->backend->vp_delete(vp->backend);
	vp->backend = NULL;
}

int seam_vp_reg(struct ohv *hv, struct vp *vp, uint32_t name,
		union hv_register_value *val, bool write)
{
	/* The root's VPs are the host's own: the core keeps their state. */
	if (!hv->backend->vp_reg || !vp->backend)
		return -ENOENT;
	seam_gpa_flush(hv);
	return hv->backend->vp_reg(vp->backend, name, val, write);
}

void seam_intercepts(struct ohv *hv, struct partition *p)
{
	struct ohv_be_intercept list[OHV_MAX_INTERCEPTS];
	uint32_t n = 0;

	if (!hv->backend->intercepts || !p->backend_live)
		return;
	for (; p->ext && n < p->ext->nintercepts; n++)
		list[n] = (struct ohv_be_intercept){
			.type = p->ext->intercepts[n].type,
			.access = p->ext->intercepts[n].access,
			.parameter = p->ext->intercepts[n].parameter,
		};
	seam_gpa_flush(hv);
	hv->backend->intercepts(p->backend, list, n);
}

int seam_vp_lapic(struct ohv *hv, struct vp *vp,
		  struct hv_local_interrupt_controller_state *state, bool write)
{
	if (!hv->backend->vp_lapic || !vp->backend)
		return -ENOENT;
	return hv->backend->vp_lapic(vp->backend, state, write);
}

int seam_vp_xsave(struct ohv *hv, struct vp *vp, uint8_t *img, size_t len,
		  uint64_t states, bool write)
{
	if (!hv->backend->vp_xsave || !vp->backend)
		return -ENOENT;
	return hv->backend->vp_xsave(vp->backend, img, len, states, write);
}

void seam_gpa_flush(struct ohv *hv)
{
	struct seam_gpa_run *r = &hv->gpa_run;

	if (!r->n)
		return;
	const struct ohv_backend_ops *b = hv->backend;
	uint64_t n = r->n;

	r->n = 0;
	if (r->rights && b->gpa_map)
		b->gpa_map(r->p->backend, r->first, n, r->frames, r->rights);
	else if (!r->rights && b->gpa_unmap)
		b->gpa_unmap(r->p->backend, r->first, n);
}

/* Add pages to the pending run, or flush it and start another. */
static void gpa_gather(struct ohv *hv, struct partition *p, uint64_t gpa_page,
		       uint64_t n, const uint32_t *frames, unsigned rights)
{
	struct seam_gpa_run *r = &hv->gpa_run;

	LOCK_HELD(hv);
	if (!n || !p->backend_live ||
	    (rights ? !hv->backend->gpa_map : !hv->backend->gpa_unmap))
		return;
	for (uint64_t i = 0; i < n; i++) {
		if (r->n && (r->p != p || r->rights != rights ||
			     r->first + r->n != gpa_page + i ||
			     r->n == OHV_SEAM_RUN_MAX))
			seam_gpa_flush(hv);
		if (!r->n) {
			r->p = p;
			r->first = gpa_page + i;
			r->rights = rights;
		}
		r->frames[r->n++] = frames ? frames[i] : 0;
	}
}

void seam_gpa_map(struct ohv *hv, struct partition *p, uint64_t gpa_page,
		  uint64_t n, const uint32_t *frames, unsigned rights)
{
	gpa_gather(hv, p, gpa_page, n, frames, rights);
}

void seam_gpa_unmap(struct ohv *hv, struct partition *p, uint64_t gpa_page,
		    uint64_t n)
{
	gpa_gather(hv, p, gpa_page, n, NULL, 0);
}

void seam_sint(struct ohv *hv, struct vp *vp, uint32_t vector)
{
	LOCK_HELD(hv);
	if (!hv->backend->interrupt || !vp->backend)
		return;
	seam_gpa_flush(hv);
	struct ohv_be_irq irq = { .type = 0, .vector = vector };

	hv->backend->interrupt(vp->backend, &irq);
}

void seam_irq(struct ohv *hv, struct vp *vp, const struct ohv_be_irq *irq)
{
	if (hv->backend->interrupt && vp->backend)
		hv->backend->interrupt(vp->backend, irq);
}

void seam_dirty_log(struct ohv *hv, struct partition *p, uint64_t gpa_page,
		    uint32_t n, uint8_t *states, uint64_t flags)
{
	seam_gpa_flush(hv);
	if (n && hv->backend->dirty_log && p->backend_live)
		hv->backend->dirty_log(p->backend, gpa_page, n, states, flags);
}

void seam_vp_notify(struct ohv *hv, struct vp *vp)
{
	LOCK_HELD(hv);
	if (hv->backend->vp_notify && vp->backend)
		hv->backend->vp_notify(vp->backend);
}

/* ---------------------------------------------------------------------- */
/* Running VPs (spec.md §2.1, 11).                                             */

/* The Active child partition and VP a run names, or NULL. */
static struct vp *run_target(struct ohv *hv, uint64_t partition_id,
			     uint32_t vp_index)
{
	struct partition *p = partition_get(hv, partition_id);

	/* The root is the host program: it never runs as a VP. */
	if (!p || is_root(hv, p) || p->state != OHV_STATE_ACTIVE)
		return NULL;
	return partition_vp(p, vp_index);
}

int ohv_vp_run(struct ohv *hv, uint64_t partition_id, uint32_t vp_index,
	       struct hv_message *intercept)
{
	if (!hv || !intercept)
		return -EINVAL;
	if (!hv->backend->vp_run)
		return -ENODEV;

	lock_take(hv);
	struct vp *vp = run_target(hv, partition_id, vp_index);
	int err = 0;

	if (!vp)
		err = -EINVAL;
	else if (vp->running)
		err = -EBUSY;
	else if (hv->backend->vp_claim)
		err = hv->backend->vp_claim(vp->backend);
	if (err) {
		lock_drop(hv);
		return err;
	}
	/*
	 * As Linux's RUN_VP does on the hypervisor scheduler: clear
	 * HvRegisterInterceptSuspend, then HvRegisterExplicitSuspend.
	 */
	vp->running = true;
	vp->intercept_suspended = false;
	vp->suspended = false;
	/* Registers the parent wrote to the register page (spec.md §10). */
	vpstate_before_run(hv, vp);
	struct ohv_bvp *bvp = vp->backend;
	const uint64_t serial = vp->serial;

	lock_drop(hv);

	struct hv_message msg;

	memset(&msg, 0, sizeof(msg));
	err = hv->backend->vp_run(bvp, &msg);

	lock_take(hv);
	vp = run_target(hv, partition_id, vp_index);
	if (vp && vp->serial == serial) {
		vp->running = false;
		/* spec.md §11.4: stopped for its parent until it clears this. */
		if (!err) {
			vp->intercept_suspended = true;
			/* The register and intercept pages show the stop. */
			vpstate_after_run(hv, vp, &msg);
		}
	} else if (!err) {
		err = -ESHUTDOWN;	/* gone while it stopped */
	}
	lock_drop(hv);
	if (!err)
		memcpy(intercept, &msg, sizeof(msg));
	return err == -ESHUTDOWN ? -EINVAL : err;
}

int ohv_vp_kick(struct ohv *hv, uint64_t partition_id, uint32_t vp_index)
{
	if (!hv)
		return -EINVAL;
	if (!hv->backend->vp_run)
		return -ENODEV;
	lock_take(hv);
	struct vp *vp = run_target(hv, partition_id, vp_index);

	if (vp && hv->backend->vp_kick)
		hv->backend->vp_kick(vp->backend);
	lock_drop(hv);
	return vp ? 0 : -EINVAL;
}

/* ---------------------------------------------------------------------- */
/* Services to a backend's run loop (backend.h).                           */

/* The VP a backend names, if it is still that one. */
static struct vp *be_vp(struct ohv *hv, const struct ohv_be_vp *id,
			struct partition **pp)
{
	struct partition *p = partition_get(hv, id->partition_id);
	struct vp *vp = p ? partition_vp(p, id->index) : NULL;

	if (!vp || vp->serial != id->serial)
		return NULL;
	if (pp)
		*pp = p;
	return vp;
}

uint64_t ohv_be_hypercall(struct ohv *hv, const struct ohv_be_vp *id,
			  struct ohv_hvcall *call)
{
	lock_take(hv);
	bool alive = be_vp(hv, id, NULL) != NULL;

	lock_drop(hv);
	/* A VP deleted in between answers as a VP that does not exist. */
	if (!alive) {
		call->result = HV_STATUS_INVALID_VP_INDEX;
		return call->result;
	}
	return ohv_hypercall(hv, id->partition_id, id->index, call);
}

int ohv_be_msr(struct ohv *hv, const struct ohv_be_vp *id, uint32_t msr,
	       uint64_t *val, bool write)
{
	struct partition *p;

	lock_take(hv);
	struct vp *vp = be_vp(hv, id, &p);
	int err = vp ? guest_msr(hv, p, vp, msr, val, write) : -ESHUTDOWN;

	lock_drop(hv);
	return err;
}

int ohv_be_doorbell(struct ohv *hv, const struct ohv_be_vp *id, uint64_t gpa,
		    unsigned len, uint64_t value)
{
	struct partition *p;
	int rang = -ESHUTDOWN;

	lock_take(hv);
	struct vp *vp = be_vp(hv, id, &p);

	if (vp) {
		struct connection *c = synic_doorbell(p, gpa, len, value);

		rang = c != NULL;
		if (c) {
			c->port->post_count++;	/* its rings */
			if (hv->doorbell_fn)
				hv->doorbell_fn(hv->doorbell_ctx, p->id, c->id);
		}
	}
	lock_drop(hv);
	return rang;
}

bool ohv_be_vp_runnable(struct ohv *hv, const struct ohv_be_vp *id)
{
	struct partition *p;

	lock_take(hv);
	struct vp *vp = be_vp(hv, id, &p);
	bool ok = vp && p->state == OHV_STATE_ACTIVE && !vp->suspended &&
		  !vp->intercept_suspended;

	lock_drop(hv);
	return ok;
}

bool ohv_be_gpa(struct ohv *hv, uint64_t partition_id, uint64_t gpa_page,
		uint32_t *frame, unsigned *rights)
{
	lock_take(hv);
	struct partition *p = partition_get(hv, partition_id);
	bool ok = p && gpa_lookup(hv, p, gpa_page, frame, rights);

	lock_drop(hv);
	return ok;
}

int ohv_be_memfd(const struct ohv *hv)
{
	return hv->memfd;
}

void *ohv_be_frame(const struct ohv *hv, uint32_t frame)
{
	return frame < hv->cfg.memory_pages ? frame_ptr(hv, frame) : NULL;
}
