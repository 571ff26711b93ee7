/*
 * The invariant checker (SPEC 1).  It recomputes from the frame table what
 * the pools and the partition tree claim, and reports the first place where
 * the two disagree.  Its counters (per pool node and per frame) are
 * allocated per call.
 */
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>

#include <stdlib.h>

#include "internal.h"
#include "gpa.h"
#include "partition.h"
#include "synic.h"
#include "vp.h"

struct checker {
	struct ohv *hv;
	char *why;
	size_t why_len;
	/* Per slot and node: frames seen available (leaving among them) /
	 * in use. */
	uint64_t *avail, *in_use, *leaving;
	/* Per frame: mappings found in child GPA spaces, and entries of any
	 * kind (mapped, given, lent) that hold it. */
	uint32_t *maps;
	uint32_t *holders;
	/* One frame's reverse map: room for the most holders a frame has. */
	struct rmap_ref *refs;
	uint32_t nrefs;
	/* Pool frames lent by a child (found from both sides). */
	uint64_t lent_entries, lent_frames;
	/* Pool pages charged to GPA tables. */
	uint64_t table_pages;
};

static int fail(struct checker *c, const char *fmt, ...)
{
	if (c->why && c->why_len) {
		va_list ap;

		va_start(ap, fmt);
		vsnprintf(c->why, c->why_len, fmt, ap);
		va_end(ap);
	}
	return -1;
}

static size_t idx(const struct checker *c, uint32_t slot, uint32_t node)
{
	return (size_t)slot * c->hv->cfg.numa_nodes + node;
}

/* The tree: links, depths, states, the id index and the slot table. */
static int check_tree(struct checker *c)
{
	struct ohv *hv = c->hv;
	const struct partition *root = hv->root;
	uint64_t seen = 0;

	if (!root || root->id != 1 || root->parent || root->depth != 1 ||
	    root->state != OHV_STATE_ACTIVE)
		return fail(c, "root partition malformed");
	for (uint32_t s = 0; s < hv->nslots; s++) {
		const struct partition *p = hv->slots[s];

		if (!p)
			continue;
		seen++;
		if (p->slot != s)
			return fail(c, "partition %llu: slot %u stored as %u",
				    (unsigned long long)p->id, s, p->slot);
		if (partition_get(hv, p->id) != p)
			return fail(c, "partition %llu missing from id index",
				    (unsigned long long)p->id);
		if (p->id == 0 || p->id >= hv->next_id)
			return fail(c, "partition id %llu never issued",
				    (unsigned long long)p->id);
		if (p != root) {
			const struct partition *q = p->parent;

			if (!q || hv->slots[q->slot] != q)
				return fail(c, "partition %llu: parent not live",
					    (unsigned long long)p->id);
			if (p->depth != q->depth + 1 || p->depth > hv->cfg.max_depth)
				return fail(c, "partition %llu: depth %u under parent depth %u",
					    (unsigned long long)p->id, p->depth, q->depth);
			if (q->state != OHV_STATE_ACTIVE)
				return fail(c, "partition %llu: parent %llu has a child but is not Active",
					    (unsigned long long)p->id,
					    (unsigned long long)q->id);
			if (p->object.count != hv->cfg.costs.partition)
				return fail(c, "partition %llu: object charge %u pages, cost %u",
					    (unsigned long long)p->id,
					    p->object.count, hv->cfg.costs.partition);
		}
		if (p->state != OHV_STATE_UNINITIALIZED &&
		    p->state != OHV_STATE_ACTIVE && p->state != OHV_STATE_FINALIZED)
			return fail(c, "partition %llu: state %d",
				    (unsigned long long)p->id, (int)p->state);
		/* Only Active partitions hold in-use pages of their own, and
		 * only Active partitions have children. */
		if (p->state != OHV_STATE_ACTIVE && (p->pool_in_use || p->nchildren))
			return fail(c, "partition %llu: %s with %llu pages in use, %llu children",
				    (unsigned long long)p->id, ohv_state_name(p->state),
				    (unsigned long long)p->pool_in_use,
				    (unsigned long long)p->nchildren);
		uint32_t want_init = p != root && p->state == OHV_STATE_ACTIVE ?
			hv->cfg.costs.initialize : 0;

		if (p->init.count != want_init)
			return fail(c, "partition %llu: initialize charge %u pages, want %u",
				    (unsigned long long)p->id, p->init.count, want_init);
		/* VPs: only Active partitions have them; the root's cost
		 * nothing, a child's cost costs.vp each. */
		uint32_t nvps = 0;

		for (uint32_t i = 0; p->vps && i < OHV_MAX_VPS; i++) {
			const struct vp *vp = p->vps[i];

			if (!vp)
				continue;
			nvps++;
			if (vp->index != i)
				return fail(c, "partition %llu: VP %u stored at %u",
					    (unsigned long long)p->id, vp->index, i);
			if (vp->charge.count != (p == root ? 0 : hv->cfg.costs.vp))
				return fail(c, "partition %llu VP %u: charge %u pages",
					    (unsigned long long)p->id, i,
					    vp->charge.count);
		}
		if (nvps != p->nvps || (nvps && p->state != OHV_STATE_ACTIVE))
			return fail(c, "partition %llu: %u VPs found, %u recorded, state %s",
				    (unsigned long long)p->id, nvps, p->nvps,
				    ohv_state_name(p->state));
		if ((p->vps != NULL) != (p->state == OHV_STATE_ACTIVE))
			return fail(c, "partition %llu: VP table %s while %s",
				    (unsigned long long)p->id,
				    p->vps ? "present" : "absent",
				    ohv_state_name(p->state));
		/* Children: a doubly linked list in creation (= id) order. */
		uint64_t n = 0;
		const struct partition *prev = NULL;

		for (const struct partition *k = p->first_child; k; k = k->next_sibling) {
			if (k->parent != p || k->prev_sibling != prev)
				return fail(c, "partition %llu: child list broken at %llu",
					    (unsigned long long)p->id,
					    (unsigned long long)k->id);
			if (prev && prev->id >= k->id)
				return fail(c, "partition %llu: children out of creation order",
					    (unsigned long long)p->id);
			prev = k;
			if (++n > hv->live)
				return fail(c, "partition %llu: child list loops",
					    (unsigned long long)p->id);
		}
		if (p->last_child != prev || n != p->nchildren)
			return fail(c, "partition %llu: %llu children counted, %llu recorded",
				    (unsigned long long)p->id, (unsigned long long)n,
				    (unsigned long long)p->nchildren);
	}
	if (seen != hv->live || hv->ids.count != hv->live)
		return fail(c, "%llu partitions in slots, %llu in the id index, %llu live",
			    (unsigned long long)seen, (unsigned long long)hv->ids.count,
			    (unsigned long long)hv->live);
	if (hv->live > hv->cfg.max_partitions)
		return fail(c, "%llu live partitions over the limit",
			    (unsigned long long)hv->live);
	return 0;
}

/* Every frame is in exactly one place; count the pools' frames. */
static int check_frames(struct checker *c)
{
	struct ohv *hv = c->hv;

	for (uint64_t i = 0; i < hv->cfg.memory_pages; i++) {
		const struct frame *f = &hv->frames[i];
		uint32_t node = frame_node(hv, i);

		switch (f->state) {
		case FRAME_GPA:
			/* owner1, next and dep_hi hold the reverse map of a
			 * frame with one holder: check_rmap checks them. */
			break;
		case FRAME_AVAILABLE:
		case FRAME_LEAVING:
		case FRAME_IN_USE: {
			const struct partition *p =
				f->owner1 <= hv->nslots ? slot_partition(hv, f->owner1) : NULL;

			if (!p)
				return fail(c, "frame %llu: pool owner slot %u is not live",
					    (unsigned long long)i, f->owner1);
			/* The depositor: the owner's parent, or the root
			 * for its own pool.  The root deposits from its
			 * identity map; a child lends a mapped page. */
			const struct partition *dep = p->parent ? p->parent : p;
			uint64_t page = frame_dep_gpa(f);

			if (is_root(hv, dep)) {
				if (page != i)
					return fail(c, "frame %llu: deposited by the root from page %llu",
						    (unsigned long long)i,
						    (unsigned long long)page);
			} else {
				const struct gpa_table *t = idmap_get(
					&dep->gpa, (page >> GPA_REGION_SHIFT) + 1);
				const struct gpa_entry *e = t ?
					&t->e[page & (GPA_REGION_PAGES - 1)] : NULL;

				if (!e || e->state != GPA_LENT || e->frame != i)
					return fail(c, "frame %llu: in %llu's pool but not lent by %llu at page %llu",
						    (unsigned long long)i,
						    (unsigned long long)p->id,
						    (unsigned long long)dep->id,
						    (unsigned long long)page);
				c->lent_frames++;
			}
			if (f->state == FRAME_IN_USE)
				c->in_use[idx(c, p->slot, node)]++;
			else if (f->state == FRAME_LEAVING)
				c->leaving[idx(c, p->slot, node)]++;
			else
				c->avail[idx(c, p->slot, node)]++;
			break;
		}
		default:
			return fail(c, "frame %llu: state %u",
				    (unsigned long long)i, f->state);
		}
	}
	return 0;
}

/*
 * A child's GPA space: every mapped entry reaches a frame that is in no
 * pool (isolation), every lent entry a pool frame; tables are charged and
 * counted right.  Mappings per frame are added up for check_maps.
 */
static int walk_chain(struct checker *c, const struct partition *owner,
		      uint32_t head, uint64_t expect, enum frame_state state,
		      uint32_t node, const char *what, uint64_t id);

static int check_gpa_space(struct checker *c, const struct partition *p)
{
	struct ohv *hv = c->hv;

	if (is_root(hv, p)) {
		if (p->gpa.count)
			return fail(c, "the root has GPA tables");
		return 0;
	}
	if (p->gpa.count && p->state != OHV_STATE_ACTIVE)
		return fail(c, "partition %llu: GPA tables while %s",
			    (unsigned long long)p->id, ohv_state_name(p->state));
	size_t tables = 0;

	for (size_t s = 0; s < p->gpa.cap; s++) {
		if (!p->gpa.tab[s].key)
			continue;
		const struct gpa_table *t = p->gpa.tab[s].value;
		uint32_t used = 0;

		tables++;
		if (p->gpa.tab[s].key != t->region + 1)
			return fail(c, "partition %llu: GPA table of region %llu filed under %llu",
				    (unsigned long long)p->id,
				    (unsigned long long)t->region,
				    (unsigned long long)p->gpa.tab[s].key - 1);
		if (t->charge.count != hv->cfg.costs.gpa_table)
			return fail(c, "partition %llu: GPA table charged %u pages",
				    (unsigned long long)p->id, t->charge.count);
		if (walk_chain(c, p, t->charge.head, t->charge.count,
			       FRAME_IN_USE, UINT32_MAX, "GPA table charge", p->id))
			return -1;
		c->table_pages += t->charge.count;
		for (uint32_t k = 0; k < GPA_REGION_PAGES; k++) {
			const struct gpa_entry *e = &t->e[k];
			uint64_t page = (t->region << GPA_REGION_SHIFT) | k;

			if (e->state == GPA_UNMAPPED)
				continue;
			used++;
			if (e->frame >= hv->cfg.memory_pages ||
			    (e->flags & ~GPA_FULL) ||
			    ((e->flags & GPA_WRITE) && !(e->flags & GPA_READ)))
				return fail(c, "partition %llu page %llu: frame %u flags %#x",
					    (unsigned long long)p->id,
					    (unsigned long long)page, e->frame, e->flags);
			const struct frame *f = &hv->frames[e->frame];

			c->holders[e->frame]++;
			if (e->state == GPA_MAPPED) {
				if (f->state != FRAME_GPA)
					return fail(c, "partition %llu page %llu reaches pool frame %u",
						    (unsigned long long)p->id,
						    (unsigned long long)page, e->frame);
				c->maps[e->frame]++;
			} else if (e->state == GPA_LENT) {
				if (f->state == FRAME_GPA ||
				    frame_dep_gpa(f) != page)
					return fail(c, "partition %llu page %llu: lent frame %u not in a pool",
						    (unsigned long long)p->id,
						    (unsigned long long)page, e->frame);
				c->lent_entries++;
			} else if (e->state == GPA_GIVEN) {
				/* Handed to a child: the frame is in a GPA space
				 * below, or in a pool a descendant lent it to
				 * (check_rmap checks who holds it). */
			} else {
				return fail(c, "partition %llu page %llu: entry state %u",
					    (unsigned long long)p->id,
					    (unsigned long long)page, e->state);
			}
		}
		if (used == 0 || used != t->used)
			return fail(c, "partition %llu: GPA table %llu holds %u entries, records %u",
				    (unsigned long long)p->id,
				    (unsigned long long)t->region, used, t->used);
	}
	if (tables != p->gpa.count)
		return fail(c, "partition %llu: %zu GPA tables, %zu recorded",
			    (unsigned long long)p->id, tables, p->gpa.count);
	return 0;
}

/*
 * Ports and connections: charged right, one connection per port linked
 * both ways, every queued message in a buffer of its port and on a VP of
 * the port's partition.
 */
static int check_ports(struct checker *c, const struct partition *p,
		       uint64_t *charged)
{
	struct ohv *hv = c->hv;
	uint64_t nqueued = 0, *queued_bufs = &nqueued;

	if ((p->ports.count || p->conns.count) && p->state != OHV_STATE_ACTIVE)
		return fail(c, "partition %llu: ports or connections while %s",
			    (unsigned long long)p->id, ohv_state_name(p->state));
	for (size_t i = 0; i < p->ports.cap; i++) {
		const struct port *port = p->ports.tab[i].value;

		if (!p->ports.tab[i].key)
			continue;
		if (port->owner != p || p->ports.tab[i].key != (uint64_t)port->id + 1)
			return fail(c, "partition %llu: port %u misfiled",
				    (unsigned long long)p->id, port->id);
		if (port->charge.count != hv->cfg.costs.port ||
		    walk_chain(c, p, port->charge.head, port->charge.count,
			       FRAME_IN_USE, UINT32_MAX, "port charge", p->id))
			return fail(c, "partition %llu: port %u charge",
				    (unsigned long long)p->id, port->id);
		*charged += port->charge.count;
		if (port->conn && (port->conn->port != port ||
				   port->conn->owner->id != port->connection_partition))
			return fail(c, "partition %llu: port %u connection links",
				    (unsigned long long)p->id, port->id);
		/* Buffers: free ones plus queued ones are all of them; a
		 * queued one says which queue it is in (checked below). */
		uint32_t nfree = 0, queued = 0;
		uint32_t nbufs = port->type == HV_PORT_TYPE_MESSAGE ?
			HV_PORT_MESSAGE_BUFFER_COUNT : 0;

		for (const struct msgbuf *m = port->free; m; m = m->next)
			if (++nfree > HV_PORT_MESSAGE_BUFFER_COUNT || m->q)
				return fail(c, "port %u: free list loops or holds a queued buffer",
					    port->id);
		for (uint32_t b = 0; b < nbufs; b++) {
			if (port->bufs[b].port != port)
				return fail(c, "port %u: buffer %u names another port",
					    port->id, b);
			queued += port->bufs[b].q != NULL;
		}
		if (queued != port->queued || nfree + queued != nbufs)
			return fail(c, "partition %llu port %u: %u queued found, %u recorded, %u free",
				    (unsigned long long)p->id, port->id, queued,
				    port->queued, nfree);
		*queued_bufs += queued;
	}
	for (size_t i = 0; i < p->conns.cap; i++) {
		const struct connection *cn = p->conns.tab[i].value;

		if (!p->conns.tab[i].key)
			continue;
		if (cn->owner != p || p->conns.tab[i].key != (uint64_t)cn->id + 1)
			return fail(c, "partition %llu: connection %u misfiled",
				    (unsigned long long)p->id, cn->id);
		if (cn->charge.count != hv->cfg.costs.connection ||
		    walk_chain(c, p, cn->charge.head, cn->charge.count,
			       FRAME_IN_USE, UINT32_MAX, "connection charge", p->id))
			return fail(c, "partition %llu: connection %u charge",
				    (unsigned long long)p->id, cn->id);
		*charged += cn->charge.count;
		if (cn->port && (cn->port->conn != cn ||
				 hv->slots[cn->port->owner->slot] != cn->port->owner))
			return fail(c, "partition %llu: connection %u port links",
				    (unsigned long long)p->id, cn->id);
	}
	/*
	 * Queued messages belong to ports of this partition, each queue is
	 * linked both ways, and every buffer in it names it: so the buffers
	 * its ports count as queued are exactly the ones found here.  One
	 * pass over the queues, linear in the messages.
	 */
	uint64_t found = 0;

	for (uint32_t v = 0; p->vps && v < OHV_MAX_VPS; v++) {
		const struct vp *vp = p->vps[v];

		for (int s = 0; vp && s < HV_SYNIC_SINT_COUNT; s++) {
			const struct msgq *q = &vp->synic.queue[s];
			const struct msgbuf *last = NULL;

			for (const struct msgbuf *m = q->head; m; m = m->next) {
				if (m->port->owner != p ||
				    idmap_get(&p->ports, (uint64_t)m->port->id + 1) != m->port)
					return fail(c, "partition %llu VP %u: message of a foreign port",
						    (unsigned long long)p->id, v);
				if (m->q != q || m->prev != last)
					return fail(c, "partition %llu VP %u SINT %d: queue links",
						    (unsigned long long)p->id, v, s);
				if (++found > *queued_bufs)
					return fail(c, "partition %llu: more queued messages than queued buffers (or a loop)",
						    (unsigned long long)p->id);
				last = m;
			}
			if (q->tail != last)
				return fail(c, "partition %llu VP %u SINT %d: queue tail",
					    (unsigned long long)p->id, v, s);
		}
	}
	if (found != *queued_bufs)
		return fail(c, "partition %llu: %llu buffers queued, %llu in VP queues",
			    (unsigned long long)p->id,
			    (unsigned long long)*queued_bufs,
			    (unsigned long long)found);
	return 0;
}

/* The entry of page of a child p, or NULL. */
static const struct gpa_entry *entry_at(const struct partition *p,
					uint64_t page)
{
	const struct gpa_table *t = idmap_get(&p->gpa,
					      (page >> GPA_REGION_SHIFT) + 1);

	return t ? &t->e[page & (GPA_REGION_PAGES - 1)] : NULL;
}

/* The rights partition x holds on a frame among its n holders: the root
 * holds frame_root_held; a child what its entries have, if it has one. */
static bool holder_rights(const struct checker *c, const struct partition *x,
			  uint32_t n, uint32_t frame, unsigned *held)
{
	bool holds = false;

	if (is_root(c->hv, x)) {
		*held = frame_root_held(&c->hv->frames[frame]);
		return true;
	}
	*held = 0;
	for (uint32_t k = 0; k < n; k++) {
		if (c->refs[k].p != x)
			continue;
		holds = true;
		*held |= entry_at(x, c->refs[k].page)->flags;
	}
	return holds;
}

/*
 * A frame's reverse map names exactly the child entries that hold it
 * (found by check_gpa_space), and SPEC 6's rule holds along it: a
 * partition reaches a frame only with rights its parent has on it, and an
 * entry that handed the frame to a child exists only while a child holds
 * it.
 */
static int check_rmap(struct checker *c, uint32_t frame)
{
	struct ohv *hv = c->hv;
	const struct frame *f = &hv->frames[frame];
	const uint32_t want = c->holders[frame];
	uint32_t n;

	if (!want) {
		/* (Tables are counted by check_maps: none is left here.) */
		if (f->state == FRAME_GPA && (f->owner1 || f->next || f->dep_hi))
			return fail(c, "frame %u: held by nobody, reverse map names slot %u",
				    frame, f->owner1);
		return 0;
	}
	const bool table = gpa_rmap_table(hv, frame);

	if (table != (want >= 2))
		return fail(c, "frame %u: %u holders, reverse map %s", frame,
			    want, table ? "a table" : "no table");
	n = gpa_rmap_refs(hv, frame, c->refs, c->nrefs);
	if (n > c->nrefs)
		return fail(c, "frame %u: %u holders, %u in its reverse map",
			    frame, want, n);
	if (n != want)
		return fail(c, "frame %u: %u holders, %u in its reverse map",
			    frame, want, n);
	for (uint32_t k = 0; k < n; k++) {
		const struct partition *y = c->refs[k].p;
		const uint64_t page = c->refs[k].page;

		if (!y || y->slot >= hv->nslots || hv->slots[y->slot] != y ||
		    is_root(hv, y))
			return fail(c, "frame %u: reverse map names no live child",
				    frame);
		const struct gpa_entry *e = entry_at(y, page);

		/* Each reference names its own entry (its index there), so
		 * n references over n holders name each exactly once. */
		if (!e || e->state == GPA_UNMAPPED || e->frame != frame ||
		    (table && e->rmap != k))
			return fail(c, "frame %u: reverse map entry %u (partition %llu page %llu) does not hold it",
				    frame, k, (unsigned long long)y->id,
				    (unsigned long long)page);
	}
	for (uint32_t k = 0; k < n; k++) {
		const struct partition *y = c->refs[k].p;
		const struct gpa_entry *e = entry_at(y, c->refs[k].page);
		unsigned held;

		/* SPEC 6: only with rights its parent has on the frame. */
		if (!holder_rights(c, y->parent, n, frame, &held))
			return fail(c, "partition %llu page %llu reaches frame %u, which its parent %llu does not hold",
				    (unsigned long long)y->id,
				    (unsigned long long)c->refs[k].page, frame,
				    (unsigned long long)y->parent->id);
		if (e->flags & ~held)
			return fail(c, "partition %llu page %llu has rights %#x on frame %u, its parent %llu holds %#x",
				    (unsigned long long)y->id,
				    (unsigned long long)c->refs[k].page,
				    e->flags, frame,
				    (unsigned long long)y->parent->id, held);
		if (e->state != GPA_GIVEN)
			continue;
		bool child = false;

		for (uint32_t j = 0; j < n && !child; j++)
			child = c->refs[j].p->parent == y;
		if (!child)
			return fail(c, "partition %llu page %llu: frame %u given, but no child holds it",
				    (unsigned long long)y->id,
				    (unsigned long long)c->refs[k].page, frame);
	}
	return 0;
}

/* Mappings recorded per frame agree with the GPA spaces: a frame is
 * reachable from two partitions only through explicit mappings. */
static int check_maps(struct checker *c)
{
	struct ohv *hv = c->hv;

	uint64_t shared = 0;

	for (uint32_t s = 0; s < hv->nslots; s++)
		if (hv->slots[s] && check_gpa_space(c, hv->slots[s]))
			return -1;
	/* Frames held twice or more each have a reverse-map table (checked
	 * per frame below), and there are no others. */
	for (uint64_t i = 0; i < hv->cfg.memory_pages; i++) {
		shared += c->holders[i] >= 2;
		if (c->holders[i] > c->nrefs)
			c->nrefs = c->holders[i];
	}
	c->refs = calloc(c->nrefs ? c->nrefs : 1, sizeof(*c->refs));
	if (!c->refs)
		return fail(c, "out of host memory for the check");
	if (hv->rmaps.count != shared)
		return fail(c, "%zu reverse-map tables for %llu frames held twice or more",
			    hv->rmaps.count, (unsigned long long)shared);
	for (uint64_t i = 0; i < hv->cfg.memory_pages; i++) {
		const struct frame *f = &hv->frames[i];

		if (f->state == FRAME_GPA && f->maps != c->maps[i])
			return fail(c, "frame %llu: %u mappings recorded, %u found",
				    (unsigned long long)i, f->maps, c->maps[i]);
		if (check_rmap(c, (uint32_t)i))
			return -1;
	}
	if (c->lent_entries != c->lent_frames)
		return fail(c, "%llu lent GPA entries, %llu pool frames lent by children",
			    (unsigned long long)c->lent_entries,
			    (unsigned long long)c->lent_frames);
	return 0;
}

/* Walk one chain of frames, each of the given state and pool. */
static int walk_chain(struct checker *c, const struct partition *owner,
		      uint32_t head, uint64_t expect, enum frame_state state,
		      uint32_t node, const char *what, uint64_t id)
{
	struct ohv *hv = c->hv;
	uint64_t n = 0;

	for (uint32_t fr = head; fr != FRAME_NONE; fr = hv->frames[fr].next) {
		if (fr >= hv->cfg.memory_pages)
			return fail(c, "%s of %llu: link to frame %u past memory",
				    what, (unsigned long long)id, fr);
		const struct frame *f = &hv->frames[fr];

		if (f->state != state || f->owner1 != owner->slot + 1 ||
		    (node != UINT32_MAX && frame_node(hv, fr) != node))
			return fail(c, "%s of %llu: frame %u has state %u owner slot %u",
				    what, (unsigned long long)id, fr, f->state,
				    f->owner1);
		if (++n > expect)
			return fail(c, "%s of %llu: more than %llu frames (or a loop)",
				    what, (unsigned long long)id,
				    (unsigned long long)expect);
	}
	if (n != expect)
		return fail(c, "%s of %llu: %llu frames, %llu recorded", what,
			    (unsigned long long)id, (unsigned long long)n,
			    (unsigned long long)expect);
	return 0;
}

/* Pool accounting: lists, charges and counters agree with the frames. */
static int check_pools(struct checker *c)
{
	struct ohv *hv = c->hv;
	uint64_t in_pools = 0, total_in_use_charged = 0, total_in_use = 0;

	for (uint32_t s = 0; s < hv->nslots; s++) {
		const struct partition *p = hv->slots[s];

		if (!p)
			continue;
		uint64_t avail = 0, in_use = 0, leaving = 0;

		for (uint32_t n = 0; n < hv->cfg.numa_nodes; n++) {
			const struct pool_node *pn = &p->node[n];

			if (pn->available != c->avail[idx(c, s, n)] ||
			    pn->in_use != c->in_use[idx(c, s, n)] ||
			    pn->leaving != c->leaving[idx(c, s, n)])
				return fail(c, "pool of %llu, node %u: %llu/%llu/%llu recorded, %llu/%llu/%llu frames (available/in use/leaving)",
					    (unsigned long long)p->id, n,
					    (unsigned long long)pn->available,
					    (unsigned long long)pn->in_use,
					    (unsigned long long)pn->leaving,
					    (unsigned long long)c->avail[idx(c, s, n)],
					    (unsigned long long)c->in_use[idx(c, s, n)],
					    (unsigned long long)c->leaving[idx(c, s, n)]);
			/* SPEC 2: frames a withdraw is zeroing are neither on
			 * the list nor counted available. */
			if (walk_chain(c, p, pn->head, pn->available,
				       FRAME_AVAILABLE, n, "free list", p->id))
				return -1;
			avail += pn->available;
			in_use += pn->in_use;
			leaving += pn->leaving;
		}
		if (avail != p->pool_available || in_use != p->pool_in_use ||
		    leaving != p->pool_leaving)
			return fail(c, "pool of %llu: totals %llu/%llu/%llu, nodes sum to %llu/%llu/%llu",
				    (unsigned long long)p->id,
				    (unsigned long long)p->pool_available,
				    (unsigned long long)p->pool_in_use,
				    (unsigned long long)p->pool_leaving,
				    (unsigned long long)avail,
				    (unsigned long long)in_use,
				    (unsigned long long)leaving);
		in_pools += avail + in_use + leaving;
		total_in_use += in_use;
		/* Charges: the object in the parent's pool, initialize in its
		 * own. */
		if (p->parent && walk_chain(c, p->parent, p->object.head,
					    p->object.count, FRAME_IN_USE,
					    UINT32_MAX, "object charge", p->id))
			return -1;
		if (walk_chain(c, p, p->init.head, p->init.count, FRAME_IN_USE,
			       UINT32_MAX, "initialize charge", p->id))
			return -1;
		total_in_use_charged += p->object.count + p->init.count;
		for (uint32_t i = 0; p->vps && i < OHV_MAX_VPS; i++) {
			const struct vp *vp = p->vps[i];

			if (!vp)
				continue;
			if (walk_chain(c, p, vp->charge.head, vp->charge.count,
				       FRAME_IN_USE, UINT32_MAX, "VP charge", p->id))
				return -1;
			total_in_use_charged += vp->charge.count;
		}
	}
	/* Every in-use page belongs to exactly one charge. */
	total_in_use_charged += c->table_pages;
	int64_t shared = surface_charged(hv);

	if (shared < 0)
		return fail(c, "a shared page's charge is broken");
	total_in_use_charged += (uint64_t)shared;
	for (uint32_t s = 0; s < hv->nslots; s++)
		if (hv->slots[s] && check_ports(c, hv->slots[s], &total_in_use_charged))
			return -1;
	if (total_in_use_charged != total_in_use)
		return fail(c, "%llu pages in use, %llu charged to objects",
			    (unsigned long long)total_in_use,
			    (unsigned long long)total_in_use_charged);
	if (in_pools > hv->cfg.memory_pages)
		return fail(c, "%llu frames in pools of %llu",
			    (unsigned long long)in_pools,
			    (unsigned long long)hv->cfg.memory_pages);
	return 0;
}

int ohv_debug_check(struct ohv *hv, char *why, size_t why_len)
{
	struct checker c = { .hv = hv, .why = why, .why_len = why_len };
	int rc;

	if (why && why_len)
		why[0] = 0;
	if (!hv)
		return -EINVAL;
	lock_take(hv);
	size_t cells = (size_t)hv->nslots * hv->cfg.numa_nodes;

	/* Plain calloc: the checker watches the hypervisor and must work
	 * while allocation-failure injection fails the hypervisor's own. */

	c.avail = calloc(cells, sizeof(uint64_t));
	c.in_use = calloc(cells, sizeof(uint64_t));
	c.leaving = calloc(cells, sizeof(uint64_t));
	c.maps = calloc(hv->cfg.memory_pages, sizeof(uint32_t));
	c.holders = calloc(hv->cfg.memory_pages, sizeof(uint32_t));
	if (!c.avail || !c.in_use || !c.leaving || !c.maps || !c.holders)
		rc = fail(&c, "out of host memory for the check");
	else if ((rc = check_tree(&c)) == 0 && (rc = check_frames(&c)) == 0 &&
		 (rc = check_maps(&c)) == 0)
		rc = check_pools(&c);
	lock_drop(hv);
	free(c.avail);
	free(c.in_use);
	free(c.leaving);
	free(c.maps);
	free(c.holders);
	free(c.refs);
	return rc;
}
