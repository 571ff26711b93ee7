/* An instance: configuration, machine memory, lifetime, observation. */
#include <errno.h>
#include <fcntl.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

#if defined(__x86_64__) || defined(__i386__)
#include <cpuid.h>
#endif

#include "alloc.h"
#include "gpa.h"
#include "internal.h"
#include "partition.h"
#include "rootmem.h"
#include "seam.h"

const char *ohv_version(void)
{
	return OHV_VERSION_STRING;
}

void ohv_config_init(struct ohv_config *cfg)
{
	if (!cfg)
		return;
	memset(cfg, 0, sizeof(*cfg));
	cfg->arch = OHV_ARCH_X64;
	cfg->memory_pages = 16384;
	cfg->numa_nodes = 1;
	cfg->max_depth = 4;
	cfg->max_partitions = 1ull << 20;
	cfg->root_vps = 1;
	cfg->root_privileges = OHV_ROOT_PRIVILEGES;
	cfg->costs = (struct ohv_costs){
		.partition = 1,
		.initialize = 16,
		.vp = 8,
		.port = 2,
		.connection = 1,
		.gpa_table = 1,
	};
	cfg->rep_budget_ns = 50000;	/* TLFS: "50 us or less" */
	cfg->rep_limit = 0;
	cfg->backend = OHV_BACKEND_NULL;
}

static int config_check(const struct ohv_config *cfg)
{
	if (cfg->arch != OHV_ARCH_X64 && cfg->arch != OHV_ARCH_ARM64)
		return -EINVAL;
	/* Frames are named by 32-bit numbers with one value reserved. */
	if (cfg->memory_pages == 0 || cfg->memory_pages >= UINT32_MAX)
		return -EINVAL;
	if (cfg->memory_pages > SIZE_MAX / HV_PAGE_SIZE)
		return -EINVAL;
	if (cfg->numa_nodes == 0 || cfg->numa_nodes > OHV_MAX_NUMA_NODES ||
	    cfg->memory_pages % cfg->numa_nodes)
		return -EINVAL;
	/* TLFS: at least the root and one descendant. */
	if (cfg->max_depth < 2)
		return -EINVAL;
	if (cfg->max_partitions == 0)
		return -EINVAL;
	if (cfg->root_vps == 0 || cfg->root_vps > OHV_MAX_VPS)
		return -EINVAL;
	if (cfg->commit_memory > 1)
		return -EINVAL;
	if (cfg->backend != OHV_BACKEND_NULL && cfg->backend != OHV_BACKEND_KVM &&
	    cfg->backend != OHV_BACKEND_AUTO)
		return -EINVAL;
	return 0;
}

static uint32_t host_processor_vendor(enum ohv_arch arch)
{
	if (arch == OHV_ARCH_ARM64)
		return HV_PROCESSOR_VENDOR_ARM;
#if defined(__x86_64__) || defined(__i386__)
	unsigned int eax, ebx, ecx, edx;

	if (__get_cpuid(0, &eax, &ebx, &ecx, &edx)) {
		char v[13];

		memcpy(v, &ebx, 4);
		memcpy(v + 4, &edx, 4);
		memcpy(v + 8, &ecx, 4);
		v[12] = 0;
		if (!strcmp(v, "AuthenticAMD"))
			return HV_PROCESSOR_VENDOR_AMD;
		if (!strcmp(v, "HygonGenuine"))
			return HV_PROCESSOR_VENDOR_HYGON;
	}
#endif
	return HV_PROCESSOR_VENDOR_INTEL;
}

/*
 * Machine memory: one shared mapping, of a memfd where there is one.  The
 * OS commits its pages as they are first written, or all at once here
 * with cfg.commit_memory (allocated by fallocate, so a host short of
 * memory refuses the open, and mapped in by MAP_POPULATE).
 */
static int memory_map(struct ohv *hv)
{
	const bool commit = hv->cfg.commit_memory;
	int flags = MAP_SHARED | (commit ? MAP_POPULATE : 0);

	hv->mem_bytes = (size_t)hv->cfg.memory_pages * HV_PAGE_SIZE;
	hv->memfd = memfd_create("openhv-machine", MFD_CLOEXEC);
	if (hv->memfd >= 0) {
		int err = 0;

		if (ftruncate(hv->memfd, (off_t)hv->mem_bytes) < 0)
			err = -errno;
		else if (commit && (err = posix_fallocate(hv->memfd, 0,
						(off_t)hv->mem_bytes)))
			err = -err;
		if (err) {
			close(hv->memfd);
			hv->memfd = -1;
			return err;
		}
		hv->mem = mmap(NULL, hv->mem_bytes, PROT_READ | PROT_WRITE,
			       flags, hv->memfd, 0);
	} else {
		flags |= MAP_ANONYMOUS | (commit ? 0 : MAP_NORESERVE);
		hv->mem = mmap(NULL, hv->mem_bytes, PROT_READ | PROT_WRITE,
			       flags, -1, 0);
	}
	if (hv->mem == MAP_FAILED) {
		int err = -errno;

		hv->mem = NULL;
		if (hv->memfd >= 0)
			close(hv->memfd);
		hv->memfd = -1;
		return err;
	}
	return 0;
}

static void memory_unmap(struct ohv *hv)
{
	if (hv->mem)
		munmap(hv->mem, hv->mem_bytes);
	if (hv->memfd >= 0)
		close(hv->memfd);
	hv->mem = NULL;
	hv->memfd = -1;
}

static int instance_open(const struct ohv_config *cfg,
			 const struct ohv_backend_ops *ops, void *arg,
			 struct ohv **out_hv)
{
	struct ohv_config defaults;
	int err;

	if (!out_hv)
		return -EINVAL;
	*out_hv = NULL;
	if (!cfg) {
		ohv_config_init(&defaults);
		cfg = &defaults;
	}
	err = config_check(cfg);
	if (err)
		return err;

	struct ohv *hv = ohv_calloc(1, sizeof(*hv));

	if (!hv)
		return -ENOMEM;
	hv->cfg = *cfg;
	hv->memfd = -1;
	hv->next_id = 1;
	hv->pages_per_node = cfg->memory_pages / cfg->numa_nodes;
	hv->processor_vendor = host_processor_vendor(cfg->arch);
	idmap_key_new(&hv->idkey);
	idmap_init(&hv->ids, &hv->idkey);
	idmap_init(&hv->shared, &hv->idkey);
	idmap_init(&hv->rmaps, &hv->idkey);
	/*
	 * Critical sections are short (a hypercall's bookkeeping), so a
	 * waiter spins briefly before sleeping: on a few cores that beats a
	 * futex round trip per handoff.
	 */
	pthread_mutexattr_t attr;

	pthread_mutexattr_init(&attr);
#ifdef PTHREAD_ADAPTIVE_MUTEX_INITIALIZER_NP
	pthread_mutexattr_settype(&attr, PTHREAD_MUTEX_ADAPTIVE_NP);
#endif
	if (pthread_mutex_init(&hv->lock, &attr)) {
		pthread_mutexattr_destroy(&attr);
		ohv_free(hv);
		return -ENOMEM;
	}
	if (pthread_mutex_init(&hv->rootmem_lock, &attr)) {
		pthread_mutexattr_destroy(&attr);
		pthread_mutex_destroy(&hv->lock);
		ohv_free(hv);
		return -ENOMEM;
	}
	pthread_mutexattr_destroy(&attr);
	if (pthread_cond_init(&hv->left, NULL)) {
		pthread_mutex_destroy(&hv->rootmem_lock);
		pthread_mutex_destroy(&hv->lock);
		ohv_free(hv);
		return -ENOMEM;
	}

	/* calloc: a zero frame is in the root's GPA space, so the table
	 * costs nothing until frames are deposited. */
	hv->frames = ohv_calloc(cfg->memory_pages, sizeof(*hv->frames));
	if (!hv->frames) {
		err = -ENOMEM;
		goto fail;
	}
	err = memory_map(hv);
	if (err)
		goto fail;
	err = seam_open(hv, ops, arg);
	if (err)
		goto fail;
	err = partition_create_root(hv);
	if (err)
		goto fail;
	*out_hv = hv;
	return 0;
fail:
	ohv_close(hv);
	return err;
}

int ohv_open(const struct ohv_config *cfg, struct ohv **out_hv)
{
	return instance_open(cfg, NULL, NULL, out_hv);
}

int ohv_debug_open_backend(const struct ohv_config *cfg,
			   const struct ohv_backend_ops *ops, void *arg,
			   struct ohv **out_hv)
{
	if (!ops || !ops->name)
		return -EINVAL;
	return instance_open(cfg, ops, arg, out_hv);
}

void ohv_close(struct ohv *hv)
{
	if (!hv)
		return;
	/* Nobody else may use hv now; the lock is for the backend's hooks,
	 * which are always called with it held. */
	lock_take(hv);
	partition_destroy_all(hv);
	gpa_rmap_free(hv);
	seam_close(hv);
	lock_drop(hv);
	rootmem_destroy(hv);
	memory_unmap(hv);
	idmap_fini(&hv->ids);
	idmap_fini(&hv->shared);
	ohv_free(hv->slots);
	ohv_free(hv->slot_free);
	ohv_free(hv->frames);
	pthread_cond_destroy(&hv->left);
	pthread_mutex_destroy(&hv->rootmem_lock);
	pthread_mutex_destroy(&hv->lock);
	ohv_free(hv);
}

void ohv_get_config(const struct ohv *hv, struct ohv_config *out)
{
	if (hv && out)
		*out = hv->cfg;
}

uint64_t ohv_root_id(const struct ohv *hv)
{
	/* Ids are issued from 1, and the root comes first. */
	return hv ? 1 : HV_PARTITION_ID_INVALID;
}

uint32_t ohv_frame_node(const struct ohv *hv, uint64_t frame)
{
	if (!hv || frame >= hv->cfg.memory_pages)
		return UINT32_MAX;
	return frame_node(hv, frame);
}

const char *ohv_state_name(enum ohv_partition_state state)
{
	switch (state) {
	case OHV_STATE_UNINITIALIZED:
		return "Uninitialized";
	case OHV_STATE_ACTIVE:
		return "Active";
	case OHV_STATE_FINALIZED:
		return "Finalized";
	}
	return "Unknown";
}

int ohv_partition_info(struct ohv *hv, uint64_t partition_id,
		       struct ohv_partition_info *out)
{
	int rc = -ENOENT;

	if (!hv || !out)
		return -EINVAL;
	lock_take(hv);
	const struct partition *p = partition_get(hv, partition_id);

	if (p) {
		memset(out, 0, sizeof(*out));
		out->id = p->id;
		out->parent_id = p->parent ? p->parent->id : 0;
		out->depth = p->depth;
		out->state = p->state;
		out->creation_flags = p->creation_flags;
		out->proximity = p->proximity;
		out->compatibility_version = p->compatibility_version;
		out->privileges = p->privileges;
		out->pool_available = p->pool_available;
		out->pool_in_use = p->pool_in_use;
		out->charged_pages = p->object.count;
		out->children = p->nchildren;
		out->vps = p->nvps;
		rc = 0;
	}
	lock_drop(hv);
	return rc;
}

int ohv_pool_node_balance(struct ohv *hv, uint64_t partition_id, uint32_t node,
			  uint64_t *available, uint64_t *in_use)
{
	int rc;

	if (!hv || !available || !in_use || node >= hv->cfg.numa_nodes)
		return -EINVAL;
	lock_take(hv);
	const struct partition *p = partition_get(hv, partition_id);

	rc = p ? 0 : -ENOENT;
	if (p) {
		*available = p->node[node].available;
		*in_use = p->node[node].in_use;
	}
	lock_drop(hv);
	return rc;
}

size_t ohv_partition_list(struct ohv *hv, uint64_t *ids, size_t max)
{
	size_t n = 0;

	if (!hv || (max && !ids))
		return 0;
	lock_take(hv);
	/* Pre-order walk without a stack: down to the first child, else to
	 * the next sibling of the nearest ancestor that has one. */
	const struct partition *p = hv->root;

	while (p) {
		if (n < max)
			ids[n] = p->id;
		n++;
		if (p->first_child) {
			p = p->first_child;
			continue;
		}
		while (p && !p->next_sibling)
			p = p->parent;
		if (p)
			p = p->next_sibling;
	}
	lock_drop(hv);
	return n;
}
