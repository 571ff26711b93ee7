/* SPDX-License-Identifier: MIT */
/*
 * The KVM execution backend (spec.md §11): each child partition is a KVM
 * virtual machine from HvInitializePartition to HvFinalizePartition, each
 * VP a vCPU.  This file holds the instance, the partitions and their
 * memory; kvm_vp.c the vCPUs, their registers and the run loop.
 *
 * Memory (spec.md §11.2): machine memory is the core's memfd.  Each
 * partition reserves a window of host addresses as large as the part of
 * its GPA space KVM is shown (KVM_WINDOW_PAGES); GPA page g lives at
 * window + g * 4096, where the frame behind it is placed with
 * mmap(MAP_FIXED) of the memfd.  A memslot covers each maximal run of
 * pages of one class (read-write, read-only, the hypercall overlay), so
 * remapping a page inside a run costs no memslot change.  A page with no
 * slot (unmapped, not readable, beyond the window, or left out because
 * KVM refused a slot) makes the guest's access exit to user space, where
 * kvm_vp.c completes it against the core's GPA map or reports it to the
 * parent: the guest always sees the model's view.
 */
#include "kvm.h"

#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <unistd.h>

#define CHUNK_PAGES	512u
#define CHUNK_INDEX_BYTES \
	(KVM_WINDOW_PAGES / CHUNK_PAGES * sizeof(struct kchunk *))

struct kchunk {
	uint32_t frame[CHUNK_PAGES];
	uint8_t rights[CHUNK_PAGES];
	/* Pages the guest wrote, harvested from KVM's dirty log and not yet
	 * cleared by HvGetGpaPagesAccessStates. */
	uint64_t dirty[CHUNK_PAGES / 64];
};

/* ---------------------------------------------------------------------- */
/* The instance.                                                           */

__thread volatile sig_atomic_t kvm_kick_seen;
bool kvm_kick_handler_ours;

static void kick_handler(int sig)
{
	(void)sig;	/* interrupts KVM_RUN (kvm_vp.c), and says so */
	kvm_kick_seen = 1;
}

/* The kick signal interrupts KVM_RUN; a program that handles it already
 * keeps its handler (any handler interrupts the ioctl). */
static int kick_signal_setup(void)
{
	struct sigaction old, sa;

	if (sigaction(OHV_KVM_KICK_SIGNAL, NULL, &old))
		return -errno;
	if (old.sa_handler != SIG_DFL && old.sa_handler != SIG_IGN)
		return 0;
	memset(&sa, 0, sizeof(sa));
	sa.sa_handler = kick_handler;
	sigemptyset(&sa.sa_mask);	/* no SA_RESTART: KVM_RUN returns */
	if (sigaction(OHV_KVM_KICK_SIGNAL, &sa, NULL))
		return -errno;
	kvm_kick_handler_ours = true;
	return 0;
}

/* KVM's CPUID, less its own 0x400000xx leaves, plus room for Hyper-V's. */
static int supported_cpuid(struct kvm_ctx *k)
{
	for (uint32_t n = 128; n <= 4096; n *= 2) {
		struct kvm_cpuid2 *c = calloc(1, sizeof(*c) +
					      (n + OHV_GUEST_CPUID_LEAVES) *
					      sizeof(c->entries[0]));

		if (!c)
			return -ENOMEM;
		c->nent = n;
		if (ioctl(k->kvm_fd, KVM_GET_SUPPORTED_CPUID, c) == 0) {
			uint32_t kept = 0;

			for (uint32_t i = 0; i < c->nent; i++) {
				uint32_t f = c->entries[i].function;

				if ((f & 0xFFFFFF00u) == 0x40000000u)
					continue;
				c->entries[kept++] = c->entries[i];
			}
			c->nent = kept;
			k->cpuid = c;
			return 0;
		}
		int err = errno;

		free(c);
		if (err != E2BIG)
			return -err;
	}
	return -E2BIG;
}

/*
 * A PVM KVM (kvm-facts §0) runs long-mode guests only: it takes CR0.PG
 * outside long mode from KVM_SET_SREGS, drops it, and the vCPU then
 * triple-faults at its first long-mode instruction even after a valid
 * state.  Told once per instance, on a scratch vCPU, the first time a VP
 * is to run such a state.
 */
bool kvm_legacy_paging(struct kvm_ctx *k)
{
	int known = __atomic_load_n(&k->legacy_paging, __ATOMIC_ACQUIRE);

	if (known)
		return known > 0;
	int vm = ioctl(k->kvm_fd, KVM_CREATE_VM, 0);
	int cpu = vm < 0 ? -1 : ioctl(vm, KVM_CREATE_VCPU, 0);
	struct kvm_sregs s;
	bool kept = false;

	if (cpu >= 0 && !ioctl(cpu, KVM_GET_SREGS, &s)) {
		s.cr0 |= 0x80000001ull;		/* PG, PE */
		s.efer = 0;
		kept = !ioctl(cpu, KVM_SET_SREGS, &s) &&
		       !ioctl(cpu, KVM_GET_SREGS, &s) && (s.cr0 >> 31 & 1);
	}
	if (cpu >= 0)
		close(cpu);
	if (vm >= 0)
		close(vm);
	__atomic_store_n(&k->legacy_paging, kept ? 1 : -1, __ATOMIC_RELEASE);
	return kept;
}

static int kvm_open(struct ohv *hv, void *arg, void **ctx)
{
	(void)arg;
	struct kvm_ctx *k = calloc(1, sizeof(*k));
	int err;

	if (!k)
		return -ENOMEM;
	k->hv = hv;
	pthread_mutex_init(&k->mu, NULL);
	k->memfd = ohv_be_memfd(hv);
	k->kvm_fd = open("/dev/kvm", O_RDWR | O_CLOEXEC);
	if (k->kvm_fd < 0) {
		/* spec.md §2.1: -ENODEV when there is no /dev/kvm. */
		err = errno == ENOENT || errno == ENXIO ? -ENODEV : -errno;
		free(k);
		return err;
	}
	err = -ENODEV;
	if (ioctl(k->kvm_fd, KVM_GET_API_VERSION, 0) != KVM_API_VERSION)
		goto fail;
	/* What spec.md §11 is built on (kvm-facts §1). */
	static const int caps[] = {
		KVM_CAP_USER_MEMORY, KVM_CAP_READONLY_MEM,
		KVM_CAP_SPLIT_IRQCHIP, KVM_CAP_SIGNAL_MSI,
		KVM_CAP_X86_USER_SPACE_MSR, KVM_CAP_X86_MSR_FILTER,
		KVM_CAP_SYNC_REGS, KVM_CAP_IMMEDIATE_EXIT, KVM_CAP_EXT_CPUID,
	};
	for (size_t i = 0; i < sizeof(caps) / sizeof(caps[0]); i++)
		if (ioctl(k->kvm_fd, KVM_CHECK_EXTENSION, caps[i]) <= 0)
			goto fail;
	/* Frames are placed with mmap of the memfd: without one, no KVM. */
	err = -EOPNOTSUPP;
	if (k->memfd < 0)
		goto fail;
	k->run_size = ioctl(k->kvm_fd, KVM_GET_VCPU_MMAP_SIZE, 0);
	err = -ENODEV;
	if (k->run_size < (int)sizeof(struct kvm_run))
		goto fail;
	k->max_slots = ioctl(k->kvm_fd, KVM_CHECK_EXTENSION, KVM_CAP_NR_MEMSLOTS);
	if (k->max_slots <= 0)
		k->max_slots = 32;
	err = supported_cpuid(k);
	if (err)
		goto fail;
	err = kick_signal_setup();
	if (err)
		goto fail;
	*ctx = k;
	return 0;
fail:
	free(k->cpuid);
	close(k->kvm_fd);
	free(k);
	return err;
}

static void kvm_close(void *ctx)
{
	struct kvm_ctx *k = ctx;

	if (!k)
		return;
	for (int i = 0; i < k->nspare; i++) {
		munmap(k->spare[i].window, KVM_WINDOW_PAGES * HV_PAGE_SIZE);
		munmap(k->spare[i].chunks, CHUNK_INDEX_BYTES);
	}
	pthread_mutex_destroy(&k->mu);
	free(k->cpuid);
	close(k->kvm_fd);
	free(k);
}

/* A window and a chunk index for a new partition: a spare, or new. */
static int window_get(struct kvm_ctx *k, struct kvm_part *kp)
{
	struct kvm_spare sp = { NULL, NULL };

	pthread_mutex_lock(&k->mu);
	if (k->nspare)
		sp = k->spare[--k->nspare];
	pthread_mutex_unlock(&k->mu);
	if (!sp.window) {
		/* The index: zero pages on demand, touched only where the
		 * partition maps memory. */
		sp.chunks = mmap(NULL, CHUNK_INDEX_BYTES, PROT_READ | PROT_WRITE,
				 MAP_PRIVATE | MAP_ANONYMOUS | MAP_NORESERVE,
				 -1, 0);
		sp.window = mmap(NULL, KVM_WINDOW_PAGES * HV_PAGE_SIZE,
				 PROT_NONE, MAP_PRIVATE | MAP_ANONYMOUS |
				 MAP_NORESERVE, -1, 0);
		if (sp.chunks == MAP_FAILED || sp.window == MAP_FAILED) {
			if (sp.chunks != MAP_FAILED)
				munmap(sp.chunks, CHUNK_INDEX_BYTES);
			if (sp.window != MAP_FAILED)
				munmap(sp.window,
				       KVM_WINDOW_PAGES * HV_PAGE_SIZE);
			return -ENOMEM;
		}
	}
	kp->window = sp.window;
	kp->chunks = sp.chunks;
	kp->win_lo = KVM_WINDOW_PAGES;
	kp->win_hi = 0;
	kp->chunk_lo = KVM_WINDOW_PAGES / CHUNK_PAGES;
	kp->chunk_hi = 0;
	return 0;
}

/* A partition's window and index, emptied (the pages placed back to
 * PROT_NONE, the chunks freed), wait for the next partition or go. */
static void window_put(struct kvm_ctx *k, struct kvm_part *kp)
{
	struct kvm_spare sp = { kp->window, kp->chunks };
	bool keep = true;

	if (!sp.window)
		return;
	for (uint64_t i = kp->chunk_lo; i < kp->chunk_hi; i++) {
		free(sp.chunks[i]);
		sp.chunks[i] = NULL;
	}
	if (kp->win_lo < kp->win_hi &&
	    mmap(sp.window + kp->win_lo * HV_PAGE_SIZE,
		 (kp->win_hi - kp->win_lo) * HV_PAGE_SIZE, PROT_NONE,
		 MAP_PRIVATE | MAP_ANONYMOUS | MAP_FIXED | MAP_NORESERVE, -1,
		 0) == MAP_FAILED)
		keep = false;
	pthread_mutex_lock(&k->mu);
	if (keep && k->nspare < OHV_KVM_SPARE_WINDOWS) {
		k->spare[k->nspare++] = sp;
		sp.window = NULL;
	}
	pthread_mutex_unlock(&k->mu);
	if (sp.window) {
		munmap(sp.window, KVM_WINDOW_PAGES * HV_PAGE_SIZE);
		munmap(sp.chunks, CHUNK_INDEX_BYTES);
	}
	kp->window = NULL;
	kp->chunks = NULL;
}

/* ---------------------------------------------------------------------- */
/* Partitions.                                                             */

/* The hypercall page (spec.md §11.3): `out KVM_HC_PORT, al; ret`. */
static const uint8_t hypercall_stub[] = { 0xE6, OHV_KVM_HC_PORT, 0xC3 };

/*
 * The MSRs that exit to user space (kvm-facts §2): the synthetic range,
 * always, then the MSRs of installed intercepts, a range each for the
 * accesses it names.  An intercept of all MSRs, or more MSRs than KVM
 * has ranges for, denies by default instead: every access exits, and
 * those no intercept names are done by hand (kvm_vp.c).  kp->mu held, or
 * kp not yet shared.
 */
static int msr_filter_set(struct kvm_part *kp)
{
	static uint8_t deny[HV_X64_MSR_SYNTHETIC_COUNT / 8];
	static const uint8_t deny_one;
	bool by_range = !kp->msr_all && kp->nmsr_icpt <= KVM_MSR_RANGES;
	struct kvm_msr_filter f = {
		.flags = by_range ? KVM_MSR_FILTER_DEFAULT_ALLOW :
				    KVM_MSR_FILTER_DEFAULT_DENY,
		.ranges = { {
			.flags = KVM_MSR_FILTER_READ | KVM_MSR_FILTER_WRITE,
			.base = HV_X64_MSR_SYNTHETIC_FIRST,
			.nmsrs = HV_X64_MSR_SYNTHETIC_COUNT,
			.bitmap = deny,
		} },
	};

	for (uint32_t i = 0; by_range && i < kp->nmsr_icpt; i++) {
		uint32_t a = kp->msr_icpt[i].access;

		f.ranges[1 + i] = (struct kvm_msr_filter_range){
			.flags = (a & HV_INTERCEPT_ACCESS_MASK_READ ?
				  KVM_MSR_FILTER_READ : 0) |
				 (a & HV_INTERCEPT_ACCESS_MASK_WRITE ?
				  KVM_MSR_FILTER_WRITE : 0),
			.base = kp->msr_icpt[i].msr,
			.nmsrs = 1,
			.bitmap = (uint8_t *)&deny_one,
		};
		if (!f.ranges[1 + i].flags)
			f.ranges[1 + i].nmsrs = 0;
	}
	return ioctl(kp->vm_fd, KVM_X86_SET_MSR_FILTER, &f) ? -errno : 0;
}

static int msr_filter(struct kvm_part *kp)
{
	struct kvm_enable_cap cap = {
		.cap = KVM_CAP_X86_USER_SPACE_MSR,
		.args = { KVM_MSR_EXIT_REASON_FILTER },
	};

	if (ioctl(kp->vm_fd, KVM_ENABLE_CAP, &cap))
		return -errno;
	return msr_filter_set(kp);
}

uint32_t kvm_msr_intercepted(struct kvm_part *kp, uint32_t msr)
{
	uint32_t a;

	pthread_mutex_lock(&kp->mu);
	a = kp->msr_all;
	for (uint32_t i = 0; i < kp->nmsr_icpt; i++)
		if (kp->msr_icpt[i].msr == msr)
			a |= kp->msr_icpt[i].access;
	pthread_mutex_unlock(&kp->mu);
	return a;
}

/* HvInstallIntercept changed the list: the MSR ones reach the filter.
 * I/O ports always stop the VP for its parent; CPUID never exits on KVM,
 * so a CPUID intercept cannot act (docs/conformance.md). */
static void kvm_intercepts(struct ohv_bpart *bp,
			   const struct ohv_be_intercept *list, uint32_t n)
{
	struct kvm_part *kp = (struct kvm_part *)bp;

	pthread_mutex_lock(&kp->mu);
	kp->nmsr_icpt = 0;
	kp->msr_all = 0;
	for (uint32_t i = 0; i < n; i++) {
		uint32_t a = list[i].access & (HV_INTERCEPT_ACCESS_MASK_READ |
					       HV_INTERCEPT_ACCESS_MASK_WRITE);

		if (list[i].type == HV_INTERCEPT_TYPE_X64_MSR)
			kp->msr_all |= a;
		else if (list[i].type == HV_INTERCEPT_TYPE_X64_MSR_INDEX &&
			 a && kp->nmsr_icpt < KVM_MSR_ICPT_MAX &&
			 (list[i].parameter < HV_X64_MSR_SYNTHETIC_FIRST ||
			  list[i].parameter >= HV_X64_MSR_SYNTHETIC_FIRST +
					       HV_X64_MSR_SYNTHETIC_COUNT)) {
			kp->msr_icpt[kp->nmsr_icpt].msr =
				(uint32_t)list[i].parameter;
			kp->msr_icpt[kp->nmsr_icpt++].access = a;
		}
	}
	msr_filter_set(kp);
	pthread_mutex_unlock(&kp->mu);
}

static void kpart_free(struct kvm_part *kp)
{
	free(kp->slots);
	/* The VM first: unmapping the window under a live VM has KVM zap
	 * its shadow pages for all 64 GiB of it. */
	if (kp->vm_fd >= 0)
		close(kp->vm_fd);
	window_put(kp->k, kp);
	if (kp->stub && kp->stub != MAP_FAILED)
		munmap(kp->stub, HV_PAGE_SIZE);
	free(kp->cpuid);
	pthread_mutex_destroy(&kp->mu);
	free(kp);
}

void kvm_part_put(struct kvm_part *kp)
{
	if (__atomic_sub_fetch(&kp->refs, 1, __ATOMIC_ACQ_REL) == 0)
		kpart_free(kp);
}

/* The vCPUs' CPUID: KVM's, with the partition's Hyper-V leaves. */
static int partition_cpuid(struct kvm_part *kp,
			   const struct ohv_be_partition *p)
{
	const struct kvm_cpuid2 *base = kp->k->cpuid;
	size_t size = sizeof(*base) + (base->nent + OHV_GUEST_CPUID_LEAVES) *
		      sizeof(base->entries[0]);
	struct kvm_cpuid2 *c = malloc(size);

	if (!c)
		return -ENOMEM;
	memcpy(c, base, sizeof(*base) + base->nent * sizeof(base->entries[0]));
	for (uint32_t i = 0; i < OHV_GUEST_CPUID_LEAVES; i++) {
		struct kvm_cpuid_entry2 *e = &c->entries[c->nent++];

		memset(e, 0, sizeof(*e));
		e->function = 0x40000000u + i;
		e->eax = p->cpuid[i][0];
		e->ebx = p->cpuid[i][1];
		e->ecx = p->cpuid[i][2];
		e->edx = p->cpuid[i][3];
	}
	kp->cpuid = c;
	return 0;
}

static int kvm_partition_init(void *ctx, const struct ohv_be_partition *p,
			      struct ohv_bpart **out)
{
	struct kvm_ctx *k = ctx;
	struct kvm_part *kp = calloc(1, sizeof(*kp));
	int err = -ENOMEM;

	if (!kp)
		return -ENOMEM;
	kp->k = k;
	kp->id = p->id;
	kp->refs = 1;
	kp->vm_fd = -1;
	kp->hc_page = KVM_NO_PAGE;
	pthread_mutex_init(&kp->mu, NULL);
	kp->pend_lo = KVM_WINDOW_PAGES;
	if (window_get(k, kp)) {
		kpart_free(kp);
		return -ENOMEM;
	}
	kp->stub = mmap(NULL, HV_PAGE_SIZE, PROT_READ | PROT_WRITE,
			MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	if (kp->stub == MAP_FAILED)
		goto fail;
	memcpy(kp->stub, hypercall_stub, sizeof(hypercall_stub));
	err = partition_cpuid(kp, p);
	if (err)
		goto fail;
	kp->vm_fd = ioctl(k->kvm_fd, KVM_CREATE_VM, 0);
	if (kp->vm_fd < 0) {
		err = -errno;
		goto fail;
	}
	fcntl(kp->vm_fd, F_SETFD, FD_CLOEXEC);
	/* The LAPIC in the kernel, the IOAPIC nowhere (kvm-facts §5). */
	struct kvm_enable_cap split = {
		.cap = KVM_CAP_SPLIT_IRQCHIP, .args = { 24 },
	};
	if (ioctl(kp->vm_fd, KVM_ENABLE_CAP, &split)) {
		err = -errno;
		goto fail;
	}
	err = msr_filter(kp);
	if (err)
		goto fail;
	*out = (struct ohv_bpart *)kp;
	return 0;
fail:
	kpart_free(kp);
	return err;
}

static void kvm_partition_fini(struct ohv_bpart *bp)
{
	struct kvm_part *kp = (struct kvm_part *)bp;

	/* A VP still in its run holds a reference and frees it on return. */
	__atomic_store_n(&kp->dead, true, __ATOMIC_RELEASE);
	kvm_part_put(kp);
}

/* ---------------------------------------------------------------------- */
/* The GPA map.                                                            */

enum { CLS_NONE, CLS_RW, CLS_RO, CLS_OVERLAY };

static struct kchunk *chunk(const struct kvm_part *kp, uint64_t page)
{
	return kp->chunks[page / CHUNK_PAGES];
}

static int page_class(const struct kvm_part *kp, uint64_t page)
{
	if (page == kp->hc_page)
		return CLS_OVERLAY;
	const struct kchunk *c = chunk(kp, page);
	unsigned r = c ? c->rights[page % CHUNK_PAGES] : 0;

	if (!(r & HV_MAP_GPA_READABLE))
		return CLS_NONE;
	return r & HV_MAP_GPA_WRITABLE ? CLS_RW : CLS_RO;
}

static int slot_ioctl(struct kvm_part *kp, uint32_t id, uint64_t first,
		      uint64_t n, int cls)
{
	struct kvm_userspace_memory_region r = {
		.slot = id,
		.flags = (cls == CLS_RW ? 0 : KVM_MEM_READONLY) |
			 (kp->dirty_logging && cls != CLS_OVERLAY ?
			  KVM_MEM_LOG_DIRTY_PAGES : 0),
		.guest_phys_addr = first * HV_PAGE_SIZE,
		.memory_size = n * HV_PAGE_SIZE,
		.userspace_addr = (uintptr_t)(cls == CLS_OVERLAY ? kp->stub :
			kp->window + first * HV_PAGE_SIZE),
	};

	return ioctl(kp->vm_fd, KVM_SET_USER_MEMORY_REGION, &r) ? -errno : 0;
}

static void slot_add(struct kvm_part *kp, uint64_t first, uint64_t n, int cls)
{
	uint32_t id = 0;

	while (id < kp->nslots && kp->slots[id].n)
		id++;
	if (id == kp->nslots) {
		if (id >= (uint32_t)kp->k->max_slots)
			return;		/* left to the exit path */
		struct kslot *s = realloc(kp->slots,
					  (id + 16) * sizeof(*kp->slots));

		if (!s)
			return;
		memset(s + id, 0, 16 * sizeof(*s));
		kp->slots = s;
		kp->nslots = id + 16;
	}
	if (slot_ioctl(kp, id, first, n, cls))
		return;			/* left to the exit path */
	kp->slots[id] = (struct kslot){ .first = first, .n = n, .cls = cls };
}

/*
 * Make the memslots over pages [lo, hi) follow the page classes again:
 * drop every slot that meets the range or touches it, then lay maximal
 * runs over the range widened to what those slots covered.
 */
static void harvest(struct kvm_part *kp, uint32_t id, uint64_t first,
		    uint64_t n);

static void relayout(struct kvm_part *kp, uint64_t lo, uint64_t hi)
{
	if (lo >= KVM_WINDOW_PAGES)
		return;
	if (hi > KVM_WINDOW_PAGES)
		hi = KVM_WINDOW_PAGES;
	uint64_t a = lo ? lo - 1 : 0, b = hi + 1;

	for (uint32_t id = 0; id < kp->nslots; id++) {
		struct kslot *s = &kp->slots[id];

		if (!s->n || s->first >= b || s->first + s->n <= a)
			continue;
		if (s->first < lo)
			lo = s->first;
		if (s->first + s->n > hi)
			hi = s->first + s->n;
		/* What KVM logged for the slot is kept before it goes. */
		if (kp->dirty_logging && s->cls != CLS_OVERLAY)
			harvest(kp, id, s->first, s->n);
		slot_ioctl(kp, id, s->first, 0, s->cls);
		s->n = 0;
	}
	for (uint64_t g = lo; g < hi;) {
		int cls = page_class(kp, g);
		uint64_t end = g + 1;

		/* The overlay is one page; a run stops at it. */
		while (cls != CLS_OVERLAY && end < hi &&
		       page_class(kp, end) == cls)
			end++;
		if (cls != CLS_NONE)
			slot_add(kp, g, end - g, cls);
		g = end;
	}
}

/* Back pages [g, g + n) of the window with frames (NULL: with nothing). */
static void window_place(struct kvm_part *kp, uint64_t g, uint64_t n,
			 const uint32_t *frames)
{
	if (frames && n) {
		if (g < kp->win_lo)
			kp->win_lo = g;
		if (g + n > kp->win_hi)
			kp->win_hi = g + n;
	}
	for (uint64_t i = 0; i < n;) {
		uint64_t run = 1;
		uint8_t *at = kp->window + (g + i) * HV_PAGE_SIZE;

		if (frames) {
			/* Frames that follow each other: one mmap. */
			while (i + run < n && frames[i + run] == frames[i] + run)
				run++;
			mmap(at, run * HV_PAGE_SIZE, PROT_READ | PROT_WRITE,
			     MAP_SHARED | MAP_FIXED, kp->k->memfd,
			     (off_t)frames[i] * HV_PAGE_SIZE);
		} else {
			run = n - i;
			mmap(at, run * HV_PAGE_SIZE, PROT_NONE,
			     MAP_PRIVATE | MAP_ANONYMOUS | MAP_FIXED |
			     MAP_NORESERVE, -1, 0);
		}
		i += run;
	}
}

static void kvm_gpa_set(struct kvm_part *kp, uint64_t gpa_page, uint64_t n,
			const uint32_t *frames, unsigned rights)
{
	if (gpa_page >= KVM_WINDOW_PAGES)
		return;		/* beyond the window: the exit path serves */
	if (n > KVM_WINDOW_PAGES - gpa_page)
		n = KVM_WINDOW_PAGES - gpa_page;
	pthread_mutex_lock(&kp->mu);
	/* Pages that only gain a mapping may wait for their memslots until
	 * a vCPU enters KVM_RUN (KVM rebuilds a slot to grow it, so a map
	 * in many runs would cost it quadratic work); until then an access
	 * is served by the exit path.  Pages that lose access change now. */
	bool adds_only = frames != NULL;

	for (uint64_t i = 0; i < n; i++) {
		uint64_t g = gpa_page + i;
		struct kchunk **c = &kp->chunks[g / CHUNK_PAGES];

		if (*c && (*c)->rights[g % CHUNK_PAGES])
			adds_only = false;

		if (!*c && frames) {
			uint64_t ci = g / CHUNK_PAGES;

			*c = calloc(1, sizeof(**c));
			if (*c && ci < kp->chunk_lo)
				kp->chunk_lo = ci;
			if (*c && ci >= kp->chunk_hi)
				kp->chunk_hi = ci + 1;
		}
		if (!*c)
			continue;	/* no memory: the exit path serves */
		(*c)->frame[g % CHUNK_PAGES] = frames ? frames[i] : 0;
		(*c)->rights[g % CHUNK_PAGES] = frames ? (uint8_t)rights : 0;
	}
	window_place(kp, gpa_page, n, frames);
	if (adds_only) {
		if (gpa_page < kp->pend_lo)
			kp->pend_lo = gpa_page;
		if (gpa_page + n > kp->pend_hi)
			__atomic_store_n(&kp->pend_hi, gpa_page + n,
					 __ATOMIC_RELEASE);
	} else {
		relayout(kp, gpa_page, gpa_page + n);
	}
	pthread_mutex_unlock(&kp->mu);
}

void kvm_slots_catch_up(struct kvm_part *kp)
{
	if (!__atomic_load_n(&kp->pend_hi, __ATOMIC_ACQUIRE))
		return;
	pthread_mutex_lock(&kp->mu);
	if (kp->pend_hi) {
		relayout(kp, kp->pend_lo, kp->pend_hi);
		kp->pend_lo = KVM_WINDOW_PAGES;
		kp->pend_hi = 0;
	}
	pthread_mutex_unlock(&kp->mu);
}

static void kvm_gpa_map(struct ohv_bpart *bp, uint64_t gpa_page, uint64_t n,
			const uint32_t *frames, unsigned rights)
{
	kvm_gpa_set((struct kvm_part *)bp, gpa_page, n, frames, rights);
}

static void kvm_gpa_unmap(struct ohv_bpart *bp, uint64_t gpa_page, uint64_t n)
{
	kvm_gpa_set((struct kvm_part *)bp, gpa_page, n, NULL, 0);
}

void kvm_set_hypercall_page(struct kvm_part *kp, uint64_t page)
{
	pthread_mutex_lock(&kp->mu);
	uint64_t old = kp->hc_page;

	if (page >= KVM_WINDOW_PAGES)
		page = KVM_NO_PAGE;	/* spec.md §11.3: below the window */
	if (page != old) {
		kp->hc_page = page;
		if (old != KVM_NO_PAGE)
			relayout(kp, old, old + 1);
		if (page != KVM_NO_PAGE)
			relayout(kp, page, page + 1);
	}
	pthread_mutex_unlock(&kp->mu);
}

bool kvm_is_hypercall_page(struct kvm_part *kp, uint64_t page)
{
	pthread_mutex_lock(&kp->mu);
	bool yes = page != KVM_NO_PAGE && page == kp->hc_page;

	pthread_mutex_unlock(&kp->mu);
	return yes;
}

bool kvm_gpa_frame(struct kvm_part *kp, uint64_t page, uint32_t *frame,
		   unsigned *rights)
{
	if (page >= KVM_WINDOW_PAGES)
		return ohv_be_gpa(kp->k->hv, kp->id, page, frame, rights);
	pthread_mutex_lock(&kp->mu);
	const struct kchunk *c = chunk(kp, page);
	bool mapped = c && c->rights[page % CHUNK_PAGES];

	if (mapped) {
		*frame = c->frame[page % CHUNK_PAGES];
		*rights = c->rights[page % CHUNK_PAGES];
	}
	pthread_mutex_unlock(&kp->mu);
	/* A chunk that could not be allocated: the model knows. */
	if (!mapped && !c)
		return ohv_be_gpa(kp->k->hv, kp->id, page, frame, rights);
	return mapped;
}

/* ---------------------------------------------------------------------- */
/* The guest's own writes (HvGetGpaPagesAccessStates, spec.md §10).         */

/* KVM's log of slot id (first, n pages) into the chunks' dirty bits;
 * KVM_GET_DIRTY_LOG clears KVM's copy.  kp->mu held. */
static void harvest(struct kvm_part *kp, uint32_t id, uint64_t first,
		    uint64_t n)
{
	size_t words = (size_t)((n + 63) / 64);
	uint64_t *bm = calloc(words, sizeof(*bm));
	struct kvm_dirty_log log = { .slot = id, .dirty_bitmap = bm };

	if (!bm || ioctl(kp->vm_fd, KVM_GET_DIRTY_LOG, &log)) {
		free(bm);
		return;
	}
	for (size_t w = 0; w < words; w++)
		for (uint64_t bits = bm[w]; bits; bits &= bits - 1) {
			uint64_t g = first + w * 64 +
				     (uint64_t)__builtin_ctzll(bits);
			struct kchunk *c = kp->chunks[g / CHUNK_PAGES];

			if (c)
				c->dirty[g % CHUNK_PAGES / 64] |=
					1ull << (g % 64);
		}
	free(bm);
}

/*
 * What the guest wrote in [gpa_page, gpa_page + n): dirty, and so
 * accessed (KVM logs writes, not reads).  The first query of a partition
 * turns KVM's logging on for its slots, so the guest's writes count from
 * then: the query that starts tracking (a VMM's first CLEAR) finds none.
 */
static void kvm_dirty_log(struct ohv_bpart *bp, uint64_t gpa_page, uint32_t n,
			  uint8_t *states, uint64_t flags)
{
	struct kvm_part *kp = (struct kvm_part *)bp;

	if (gpa_page >= KVM_WINDOW_PAGES)
		return;
	if (n > KVM_WINDOW_PAGES - gpa_page)
		n = (uint32_t)(KVM_WINDOW_PAGES - gpa_page);
	pthread_mutex_lock(&kp->mu);
	if (!kp->dirty_logging) {
		kp->dirty_logging = true;
		for (uint32_t id = 0; id < kp->nslots; id++)
			if (kp->slots[id].n)
				slot_ioctl(kp, id, kp->slots[id].first,
					   kp->slots[id].n, kp->slots[id].cls);
		pthread_mutex_unlock(&kp->mu);
		return;
	}
	for (uint32_t id = 0; id < kp->nslots; id++) {
		const struct kslot *sl = &kp->slots[id];

		if (sl->n && sl->cls != CLS_OVERLAY &&
		    sl->first < gpa_page + n && gpa_page < sl->first + sl->n)
			harvest(kp, id, sl->first, sl->n);
	}
	for (uint32_t i = 0; i < n; i++) {
		uint64_t g = gpa_page + i;
		struct kchunk *c = kp->chunks[g / CHUNK_PAGES];
		uint64_t *w = c ? &c->dirty[g % CHUNK_PAGES / 64] : NULL;
		uint64_t m = 1ull << (g % 64);

		if (!w || !(*w & m))
			continue;
		states[i] |= HV_GPA_PAGE_ACCESS_STATE_DIRTY |
			     HV_GPA_PAGE_ACCESS_STATE_ACCESSED;
		if (flags & HV_GPA_PAGE_ACCESS_CLEAR_DIRTY)
			*w &= ~m;
	}
	pthread_mutex_unlock(&kp->mu);
}

const struct ohv_backend_ops ohv_backend_kvm = {
	.name = "kvm",
	.open = kvm_open,
	.close = kvm_close,
	.partition_init = kvm_partition_init,
	.partition_fini = kvm_partition_fini,
	.vp_create = kvm_vp_create,
	.vp_delete = kvm_vp_delete,
	.vp_reg = kvm_vp_reg,
	.vp_lapic = kvm_vp_lapic,
	.vp_xsave = kvm_vp_xsave,
	.gpa_map = kvm_gpa_map,
	.gpa_unmap = kvm_gpa_unmap,
	.interrupt = kvm_interrupt,
	.dirty_log = kvm_dirty_log,
	.intercepts = kvm_intercepts,
	.vp_notify = kvm_vp_notify,
	.vp_kick = kvm_vp_kick,
	.vp_claim = kvm_vp_claim,
	.vp_run = kvm_vp_run,
};
