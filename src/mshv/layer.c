/* SPDX-License-Identifier: MIT */
/*
 * What the fds of libopenhv-mshv stand for (spec.md §12): one openhv
 * instance per client process, opened at the first open of /dev/mshv,
 * with the KVM backend; its child partitions and their VPs; each ioctl of
 * include/openhv/mshv.h done the way Linux's mshv_root does it, through
 * openhv hypercalls (mshv-uapi A.5-A.10).  Errors are Linux's errno
 * values.
 *
 * Locks: lay.mu serialises the root client (its input and output pages)
 * and the partitions' own state; a VP's run (ohv_vp_run) takes none, so
 * other threads go on while a VP runs.
 *
 * Guest memory is the client's own: SET_GUEST_MEMORY moves the region's
 * contents into root pages of the instance and maps those pages over the
 * client's range (mremap of the shared machine memory), then maps them
 * into the partition; guest and client see one memory.  An unmap (or the
 * partition's end) puts a private copy back at the client's range.
 */
#include "mshv.h"

#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <pthread.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/epoll.h>
#include <sys/eventfd.h>
#include <signal.h>
#include <sys/uio.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include <openhv/client.h>
#include <openhv/mshv.h>
#include <openhv/openhv.h>

/* Linux's limits (mshv_root.h). */
#define MSHV_MAX_VPS		256
#define MSHV_MAX_MSI_ROUTES	4096
#define MSHV_PT_FLAGS_MASK	((1ull << MSHV_PT_BIT_COUNT) - 1)

/* The instance's memory when OPENHV_MSHV_MEMORY_MB does not say. */
#define DEFAULT_MEMORY_MB	12288u

struct mregion {
	struct mregion *next;
	uint64_t gfn, npages;
	uint64_t uaddr;
	uint8_t flags;
	uint64_t *pages;	/* the root pages behind it */
};

struct mirqfd {
	struct mirqfd *next;
	struct mpart *p;
	int fd, resamplefd;	/* the client's numbers */
	int own, own_resample;	/* our references to the same eventfds */
	uint32_t gsi;
	uint64_t key;		/* the poller's name for it */
};

struct mioeventfd {
	struct mioeventfd *next;
	uint64_t addr, datamatch;
	uint32_t len, flags;
	int fd;			/* the client's number */
	int own;		/* our reference to the eventfd */
	uint32_t port_id;	/* its doorbell's port and connection */
};

struct mvp {
	struct mpart *p;
	uint32_t index;
	uint64_t regs_page, icpt_page;	/* root pages (HvMapVpStatePage) */
};

struct mpart {
	uint64_t id;
	int refs;		/* its fd's object, its VPs' and devices' */
	bool initialized;
	bool dead;
	struct mregion *regions;
	struct mvp *vps[MSHV_MAX_VPS];
	struct mshv_user_irq_entry *msi;
	uint32_t nmsi;
	struct mirqfd *irqfds;
	struct mioeventfd *ioeventfds;
};

static struct {
	pthread_mutex_t mu;
	pthread_once_t once;
	int err;		/* the open's, for every later open */
	struct ohv *hv;
	struct ohv_client *root;
	FILE *trace;
	uint32_t next_port;
	/* The irqfd poller: one thread, one epoll set of every irqfd. */
	int epfd;
	bool poller;
	uint64_t next_key;
	struct mpart **parts;	/* live partitions, for its lookups */
	size_t nparts;
	/* Doorbell port -> the eventfd to signal: what doorbell_rang reads,
	 * under db_mu alone (it runs under openhv's lock, not lay.mu). */
	pthread_mutex_t db_mu;
	struct { uint32_t port; int fd; } *db;
	size_t ndb;
	uint64_t hc_pages[2];	/* MSHV_ROOT_HVCALL's input and output */
	uint64_t trace_t0;	/* microseconds, CLOCK_MONOTONIC */
} lay = { .mu = PTHREAD_MUTEX_INITIALIZER, .once = PTHREAD_ONCE_INIT,
	  .epfd = -1, .db_mu = PTHREAD_MUTEX_INITIALIZER };

/* ---------------------------------------------------------------------- */
/* The instance.                                                           */

/* One JSON object a line; each gets "t", microseconds since the
 * instance opened, before its closing brace. */
void mshv_trace(const char *fmt, ...)
{
	if (!lay.trace)
		return;
	char line[1024];
	va_list ap;
	struct timespec ts;

	va_start(ap, fmt);
	int n = vsnprintf(line, sizeof(line), fmt, ap);

	va_end(ap);
	if (n <= 0 || (size_t)n >= sizeof(line) || line[n - 1] != '}')
		return;
	line[n - 1] = 0;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	uint64_t now = (uint64_t)ts.tv_sec * 1000000u +
		       (uint64_t)ts.tv_nsec / 1000u;

	fprintf(lay.trace, "%s,\"t\":%" PRIu64 "}\n", line,
		now - lay.trace_t0);
	fflush(lay.trace);
}

static void trace_call(void *ctx, const struct ohv_trace_event *ev);
static void doorbell_rang(void *ctx, uint64_t partition, uint32_t port);
static int db_add(uint32_t port, int fd);
static void db_del(uint32_t port);

static uint64_t env_u64(const char *name, uint64_t dflt)
{
	const char *s = getenv(name);
	char *end;

	if (!s || !*s)
		return dflt;
	unsigned long long v = strtoull(s, &end, 0);

	return *end ? dflt : v;
}

static void instance_open(void)
{
	struct ohv_config cfg;
	const char *t = getenv("OPENHV_MSHV_TRACE");

	if (t && *t) {
		struct timespec ts;

		clock_gettime(CLOCK_MONOTONIC, &ts);
		lay.trace_t0 = (uint64_t)ts.tv_sec * 1000000u +
			       (uint64_t)ts.tv_nsec / 1000u;
		lay.trace = fopen(t, "we");
		if (!lay.trace)
			fprintf(stderr, "libopenhv-mshv: cannot write %s: %s\n",
				t, strerror(errno));
	}
	ohv_config_init(&cfg);
	cfg.backend = OHV_BACKEND_KVM;
	cfg.memory_pages = env_u64("OPENHV_MSHV_MEMORY_MB",
				   DEFAULT_MEMORY_MB) * 256;
	int err = ohv_open(&cfg, &lay.hv);

	if (!err)
		err = ohv_client_open(lay.hv, 0, &lay.root);
	if (!err && ohv_root_alloc_many(lay.hv, OHV_ANY_NODE, lay.hc_pages,
					2) != 2)
		err = -ENOMEM;
	if (err) {
		/* No KVM: /dev/mshv does not exist here either. */
		if (getenv("OPENHV_MSHV_DEBUG"))
			fprintf(stderr, "libopenhv-mshv: no instance: %s\n",
				strerror(-err));
		lay.err = err == -ENODEV ? -ENOENT : err;
		return;
	}
	if (lay.trace)
		ohv_set_trace(lay.hv, trace_call, NULL);
	ohv_set_doorbell_handler(lay.hv, doorbell_rang, NULL);
	lay.next_port = 0x4D5348;	/* "MSH": the doorbells' port ids */
}

int mshv_open_dev(int flags)
{
	pthread_once(&lay.once, instance_open);
	if (lay.err)
		return lay.err;
	struct mobj *o = calloc(1, sizeof(*o));

	if (!o)
		return -ENOMEM;
	o->kind = MOBJ_DEV;
	int fd = mshv_fd_new(o, flags & O_CLOEXEC);

	if (fd < 0)
		free(o);
	mshv_trace("{\"open\":\"/dev/mshv\",\"fd\":%d}", fd);
	return fd;
}

/* Linux's hv_result_to_errno (drivers/hv/hv_common.c). */
static int hv_errno(hv_status_t st)
{
	switch (st) {
	case HV_STATUS_SUCCESS:
		return 0;
	case HV_STATUS_INVALID_HYPERCALL_CODE:
	case HV_STATUS_INVALID_HYPERCALL_INPUT:
	case HV_STATUS_INVALID_PARAMETER:
	case HV_STATUS_INVALID_PARTITION_ID:
	case HV_STATUS_INVALID_VP_INDEX:
	case HV_STATUS_INVALID_PORT_ID:
	case HV_STATUS_INVALID_CONNECTION_ID:
		return -EINVAL;
	case HV_STATUS_INSUFFICIENT_MEMORY:
		return -ENOMEM;
	default:
		return -EIO;
	}
}

/* ---------------------------------------------------------------------- */
/* The client's memory, as a kernel reads it: a bad address is EFAULT,    */
/* never a fault of the process (process_vm_readv on ourselves).          */

/* This process's id, asked once (a fork's child asks again). */
static pid_t self_pid;
static pthread_once_t self_once = PTHREAD_ONCE_INIT;

static void self_forget(void)
{
	__atomic_store_n(&self_pid, 0, __ATOMIC_RELAXED);
}

static void self_init(void)
{
	pthread_atfork(NULL, NULL, self_forget);
}

static pid_t self(void)
{
	pthread_once(&self_once, self_init);
	pid_t p = __atomic_load_n(&self_pid, __ATOMIC_RELAXED);

	if (!p) {
		p = getpid();
		__atomic_store_n(&self_pid, p, __ATOMIC_RELAXED);
	}
	return p;
}

static int uget(void *dst, const void *src, size_t n)
{
	struct iovec l = { dst, n }, r = { (void *)(uintptr_t)src, n };

	if (!n)
		return 0;
	if (!src)
		return -EFAULT;
	return process_vm_readv(self(), &l, 1, &r, 1, 0) == (ssize_t)n ?
	       0 : -EFAULT;
}

static int uput(void *dst, const void *src, size_t n)
{
	struct iovec l = { (void *)(uintptr_t)src, n }, r = { dst, n };

	if (!n)
		return 0;
	if (!dst)
		return -EFAULT;
	return process_vm_writev(self(), &l, 1, &r, 1, 0) == (ssize_t)n ?
	       0 : -EFAULT;
}

/* The same, returning EFAULT from the caller on a bad address. */
#define UGET(dst, src, n)                                                    \
	do {                                                                 \
		if (uget((dst), (src), (n)))                                 \
			return -EFAULT;                                      \
	} while (0)
#define UPUT(dst, src, n)                                                    \
	do {                                                                 \
		if (uput((dst), (src), (n)))                                 \
			return -EFAULT;                                      \
	} while (0)

/* ---------------------------------------------------------------------- */
/* Partitions.                                                             */

static struct mobj *obj_new(enum mobj_kind kind, struct mpart *p,
			    struct mvp *vp)
{
	struct mobj *o = calloc(1, sizeof(*o));

	if (o) {
		o->kind = kind;
		o->part = p;
		o->vp = vp;
	}
	return o;
}

/* A new fd for a partition-held object; the partition gains a reference. */
static int part_fd(struct mpart *p, enum mobj_kind kind, struct mvp *vp)
{
	struct mobj *o = obj_new(kind, p, vp);

	if (!o)
		return -ENOMEM;
	p->refs++;		/* lay.mu held */
	int fd = mshv_fd_new(o, true);

	if (fd < 0) {
		p->refs--;
		free(o);
	}
	return fd;
}

static int dev_create_partition(const void *arg)
{
	struct mshv_create_partition_v2 a;

	memset(&a, 0, sizeof(a));
	UGET(&a, arg, sizeof(struct mshv_create_partition));
	if (a.pt_flags & ~MSHV_PT_FLAGS_MASK ||
	    a.pt_isolation >= MSHV_PT_ISOLATION_COUNT)
		return -EINVAL;
	if (a.pt_flags & (1ull << MSHV_PT_BIT_CPU_AND_XSAVE_FEATURES)) {
		/* The 64-byte form (mshv-uapi A.2, A.9). */
		UGET(&a, arg, sizeof(a));
		if (a.pt_num_cpu_fbanks > MSHV_NUM_CPU_FEATURES_BANKS ||
		    a.pt_rsvd[0] | a.pt_rsvd[1] | a.pt_rsvd[2] | a.pt_rsvd[3] |
		    a.pt_rsvd[4] | a.pt_rsvd[5] || a.pt_rsvd1[0] ||
		    a.pt_rsvd1[1])
			return -EINVAL;
	}
	struct hv_input_create_partition in;

	memset(&in, 0, sizeof(in));
	/* mshv-uapi A.9: always EXO with the intercept message page. */
	in.flags = HV_PARTITION_CREATION_FLAG_EXO_PARTITION |
		   HV_PARTITION_CREATION_FLAG_INTERCEPT_MESSAGE_PAGE_ENABLED;
	if (a.pt_flags & 1ull << MSHV_PT_BIT_LAPIC)
		in.flags |= HV_PARTITION_CREATION_FLAG_LAPIC_ENABLED;
	if (a.pt_flags & 1ull << MSHV_PT_BIT_X2APIC)
		in.flags |= HV_PARTITION_CREATION_FLAG_X2APIC_CAPABLE;
	if (a.pt_flags & 1ull << MSHV_PT_BIT_GPA_SUPER_PAGES)
		in.flags |= HV_PARTITION_CREATION_FLAG_GPA_SUPER_PAGES_ENABLED;
	if (a.pt_flags & 1ull << MSHV_PT_BIT_NESTED_VIRTUALIZATION)
		in.flags |=
			HV_PARTITION_CREATION_FLAG_NESTED_VIRTUALIZATION_CAPABLE;
	if (a.pt_flags & 1ull << MSHV_PT_BIT_SMT_ENABLED_GUEST)
		in.flags |= HV_PARTITION_CREATION_FLAG_SMT_ENABLED_GUEST;
	in.compatibility_version = 0x0609;	/* Linux's (hvhdk.h) */
	in.proximity_domain_info.domain_id = 0;
	if (a.pt_flags & (1ull << MSHV_PT_BIT_CPU_AND_XSAVE_FEATURES)) {
		for (unsigned i = 0; i < a.pt_num_cpu_fbanks; i++)
			in.disabled_processor_features[i] = a.pt_cpu_fbanks[i];
		in.disabled_processor_xsave_features = a.pt_disabled_xsave;
	}
	in.isolation_properties = 0;

	struct mpart *p = calloc(1, sizeof(*p));

	if (!p)
		return -ENOMEM;
	pthread_mutex_lock(&lay.mu);
	hv_status_t st = ohv_client_create_partition(lay.root, &in, &p->id);
	int fd = hv_errno(st);

	if (!fd) {
		struct mpart **t = realloc(lay.parts,
					   (lay.nparts + 1) * sizeof(*t));

		fd = t ? part_fd(p, MOBJ_PARTITION, NULL) : -ENOMEM;
		if (t)
			lay.parts = t;
		if (fd >= 0)
			lay.parts[lay.nparts++] = p;
		else
			ohv_client_destroy_partition(lay.root, p->id);
	}
	pthread_mutex_unlock(&lay.mu);
	if (fd < 0)
		free(p);
	return fd;
}

/* ---------------------------------------------------------------------- */
/* Guest memory (mshv-uapi A.6).                                           */

/* True when every mapping of [addr, addr + len) is anonymous: then a page
 * the kernel has never filled (pagemap: neither present nor swapped) is
 * zero and need not be copied. */
static bool range_anonymous(uint64_t addr, uint64_t len)
{
	FILE *f = fopen("/proc/self/maps", "re");
	char line[512];
	bool anon = f != NULL;

	while (f && fgets(line, sizeof(line), f)) {
		unsigned long lo, hi, ino;
		char path[256] = "";

		if (sscanf(line, "%lx-%lx %*s %*s %*s %lu %255s", &lo, &hi, &ino,
			   path) < 3)
			continue;
		if (hi <= addr || lo >= addr + len)
			continue;
		/* MAP_SHARED|MAP_ANONYMOUS shows as /dev/zero, and pagemap
		 * tells its pages as it does private ones. */
		if (!strcmp(path, "/dev/zero"))
			continue;
		if (ino || path[0] == '/' || !strncmp(path, "[vdso", 5))
			anon = false;
	}
	if (f)
		fclose(f);
	return anon;
}

#define SPARSE_COPY_MIN	(2u << 20)

/* Copy n pages from src to the root pages (dst_page[i] each); with
 * sparse, pages the kernel never filled are skipped (they are zero, as
 * the root pages are). */
static void copy_in(const uint8_t *src, const uint64_t *pages, uint64_t n,
		    bool sparse)
{
	int pm = sparse ? open("/proc/self/pagemap", O_RDONLY | O_CLOEXEC) : -1;
	uint64_t ent[512];

	for (uint64_t i = 0; i < n; i += 512) {
		uint64_t k = n - i < 512 ? n - i : 512;
		bool have = pm >= 0 &&
			pread(pm, ent, k * 8,
			      (off_t)(((uintptr_t)src / HV_PAGE_SIZE + i) * 8)) ==
			(ssize_t)(k * 8);

		for (uint64_t j = 0; j < k; j++) {
			/* bit 63 present, bit 62 swapped */
			if (have && !(ent[j] >> 62))
				continue;
			uint8_t *dst = ohv_gpa(lay.hv, ohv_root_id(lay.hv),
					       pages[i + j] * HV_PAGE_SIZE,
					       HV_PAGE_SIZE);

			if (dst)
				memcpy(dst, src + (i + j) * HV_PAGE_SIZE,
				       HV_PAGE_SIZE);
		}
	}
	if (pm >= 0)
		close(pm);
}

/* Map root pages over the client's range, run by run of pages that
 * follow each other.  0 or -errno. */
static int alias(uint64_t uaddr, const uint64_t *pages, uint64_t n)
{
	for (uint64_t i = 0; i < n;) {
		uint64_t run = 1;

		while (i + run < n && pages[i + run] == pages[i] + run)
			run++;
		void *src = ohv_gpa(lay.hv, ohv_root_id(lay.hv),
				    pages[i] * HV_PAGE_SIZE, run * HV_PAGE_SIZE);

		if (!src ||
		    mremap(src, 0, run * HV_PAGE_SIZE,
			   MREMAP_MAYMOVE | MREMAP_FIXED,
			   (void *)(uintptr_t)(uaddr + i * HV_PAGE_SIZE)) ==
		    MAP_FAILED)
			return -EFAULT;
		i += run;
	}
	return 0;
}

/* The client's range gets a private copy of what the region holds; pages
 * never written (not resident in machine memory) stay zero. */
static void unalias(const struct mregion *r)
{
	uint64_t len = r->npages * HV_PAGE_SIZE;
	uint8_t *tmp = mshv_real_mmap(NULL, len, PROT_READ | PROT_WRITE,
				      MAP_PRIVATE | MAP_ANONYMOUS |
				      MAP_NORESERVE, -1, 0);
	const uint8_t *cur = (const uint8_t *)(uintptr_t)r->uaddr;

	if (tmp == MAP_FAILED)
		return;
	unsigned char vec[512];

	for (uint64_t i = 0; i < r->npages; i += 512) {
		uint64_t k = r->npages - i < 512 ? r->npages - i : 512;
		bool have = !mincore((void *)(cur + i * HV_PAGE_SIZE),
				     k * HV_PAGE_SIZE, vec);

		for (uint64_t j = 0; j < k; j++)
			if (!have || (vec[j] & 1))
				memcpy(tmp + (i + j) * HV_PAGE_SIZE,
				       cur + (i + j) * HV_PAGE_SIZE,
				       HV_PAGE_SIZE);
	}
	mremap(tmp, len, len, MREMAP_MAYMOVE | MREMAP_FIXED,
	       (void *)(uintptr_t)r->uaddr);
}

static void region_free(struct mregion *r, bool unmap_gpa)
{
	if (unmap_gpa)
		ohv_linux_unmap_memory(lay.root, 0, r->gfn, r->npages, 0);
	unalias(r);
	ohv_root_free_many(lay.hv, r->pages, r->npages);
	free(r->pages);
	free(r);
}

static int part_set_memory(struct mpart *p, const void *arg)
{
	struct mshv_user_mem_region a;

	UGET(&a, arg, sizeof(a));
	static const uint8_t zero[7];

	if (!a.size || a.size % HV_PAGE_SIZE || a.userspace_addr % HV_PAGE_SIZE ||
	    a.flags & ~((1u << MSHV_SET_MEM_BIT_COUNT) - 1) ||
	    memcmp(a.rsvd, zero, sizeof(zero)))
		return -EINVAL;
	uint64_t n = a.size / HV_PAGE_SIZE;

	if (a.guest_pfn + n < a.guest_pfn ||
	    a.userspace_addr + a.size < a.userspace_addr)
		return -EINVAL;
	if (a.flags & (1u << MSHV_SET_MEM_BIT_UNMAP)) {
		struct mregion **pp = &p->regions;

		while (*pp && !((*pp)->gfn == a.guest_pfn &&
				(*pp)->uaddr == a.userspace_addr &&
				(*pp)->npages == n))
			pp = &(*pp)->next;
		if (!*pp)
			return -EINVAL;
		struct mregion *r = *pp;
		hv_status_t st = ohv_linux_unmap_memory(lay.root, p->id, r->gfn,
							r->npages, 0);

		if (st)
			return hv_errno(st);
		*pp = r->next;
		region_free(r, false);
		return 0;
	}
	/* The client's range must be mapped (A.6: EINVAL), and no region
	 * may overlap in GPA or user space (EEXIST). */
	for (uint64_t off = 0; off < a.size; off += 1ull << 30) {
		uint64_t k = a.size - off < (1ull << 30) ? a.size - off :
			     1ull << 30;

		if (msync((void *)(uintptr_t)(a.userspace_addr + off), k,
			  MS_ASYNC))
			return -EINVAL;
	}
	for (const struct mregion *r = p->regions; r; r = r->next)
		if ((a.guest_pfn < r->gfn + r->npages &&
		     r->gfn < a.guest_pfn + n) ||
		    (a.userspace_addr < r->uaddr + r->npages * HV_PAGE_SIZE &&
		     r->uaddr < a.userspace_addr + a.size))
			return -EEXIST;
	struct mregion *r = calloc(1, sizeof(*r));

	if (!r)
		return -ENOMEM;
	r->pages = malloc(n * sizeof(*r->pages));
	r->gfn = a.guest_pfn;
	r->npages = n;
	r->uaddr = a.userspace_addr;
	r->flags = a.flags;
	size_t got = r->pages ? ohv_root_alloc_many(lay.hv, OHV_ANY_NODE,
						    r->pages, n) : 0;

	if (got != n) {
		/* What it found goes back: the instance is out of memory
		 * (OPENHV_MSHV_MEMORY_MB). */
		if (got)
			ohv_root_free_many(lay.hv, r->pages, got);
		free(r->pages);
		free(r);
		return -ENOMEM;
	}
	/* A small region is copied whole; a large one page by page where
	 * the kernel has filled it (reading the maps costs more than
	 * copying a few pages). */
	copy_in((const uint8_t *)(uintptr_t)a.userspace_addr, r->pages, n,
		a.size > SPARSE_COPY_MIN &&
		range_anonymous(a.userspace_addr, a.size));
	int err = alias(a.userspace_addr, r->pages, n);
	hv_status_t st = HV_STATUS_SUCCESS;

	if (!err) {
		st = ohv_linux_map_memory(
			lay.root, p->id, a.guest_pfn, r->pages, n,
			!!(a.flags & (1u << MSHV_SET_MEM_BIT_WRITABLE)),
			!!(a.flags & (1u << MSHV_SET_MEM_BIT_EXECUTABLE)), 0);
		err = hv_errno(st);
	}
	if (err) {
		region_free(r, false);
		return err;
	}
	r->next = p->regions;
	p->regions = r;
	return 0;
}

/* ---------------------------------------------------------------------- */
/* MSHV_ROOT_HVCALL (mshv-uapi A.5).                                       */

static bool passthru_allowed(uint16_t code)
{
	switch (code) {
	case HVCALL_GET_PARTITION_PROPERTY:
	case HVCALL_SET_PARTITION_PROPERTY:
	case HVCALL_INSTALL_INTERCEPT:
	case HVCALL_GET_VP_REGISTERS:
	case HVCALL_SET_VP_REGISTERS:
	case HVCALL_TRANSLATE_VIRTUAL_ADDRESS:
	case HVCALL_READ_GPA:
	case HVCALL_WRITE_GPA:
	case HVCALL_CLEAR_VIRTUAL_INTERRUPT:
	case HVCALL_REGISTER_INTERCEPT_RESULT:
	case HVCALL_ASSERT_VIRTUAL_INTERRUPT:
	case HVCALL_GET_GPA_PAGES_ACCESS_STATES:
	case HVCALL_SIGNAL_EVENT_DIRECT:
	case HVCALL_POST_MESSAGE_DIRECT:
	case HVCALL_GET_VP_CPUID_VALUES:
	case HVCALL_GET_PARTITION_PROPERTY_EX:
		return true;
	default:
		return false;
	}
}

/* pt_id: the fd's partition (HV_PARTITION_ID_SELF on /dev/mshv);
 * on_partition: the partition fd, where alone SetPartitionProperty (an
 * asynchronous call in Linux) is allowed. */
static long root_hvcall(uint64_t pt_id, bool on_partition, void *arg)
{
	struct mshv_root_hvcall a;
	static const uint8_t zero[6];

	UGET(&a, arg, sizeof(a));
	if (a.status || !a.in_ptr || a.in_sz < sizeof(uint64_t) ||
	    memcmp(a.rsvd, zero, sizeof(zero)) || a.in_sz > HV_PAGE_SIZE)
		return -EINVAL;
	if (a.out_ptr && (!a.out_sz || a.out_sz > HV_PAGE_SIZE))
		return -EINVAL;
	if (!passthru_allowed(a.code))
		return -EINVAL;
	if (a.code == HVCALL_SET_PARTITION_PROPERTY && !on_partition)
		return -EINVAL;
	uint8_t in[HV_PAGE_SIZE], out[HV_PAGE_SIZE];

	UGET(in, (const void *)(uintptr_t)a.in_ptr, a.in_sz);
	/* Every allowed call's input starts with the partition id. */
	memcpy(in, &pt_id, sizeof(pt_id));
	memset(out, 0, sizeof(out));

	uint64_t result;
	uint16_t done = 0;
	hv_status_t st;

	pthread_mutex_lock(&lay.mu);
	/* The call's own pages, as Linux's two: the output is the
	 * client's whatever the status. */
	uint8_t *ipg = ohv_gpa(lay.hv, ohv_root_id(lay.hv),
			       lay.hc_pages[0] * HV_PAGE_SIZE, HV_PAGE_SIZE);
	uint8_t *opg = ohv_gpa(lay.hv, ohv_root_id(lay.hv),
			       lay.hc_pages[1] * HV_PAGE_SIZE, HV_PAGE_SIZE);

	memcpy(ipg, in, a.in_sz);
	memset(opg, 0, HV_PAGE_SIZE);
	for (;;) {
		struct ohv_hvcall call = {
			.control = a.code | (uint64_t)a.reps << 32 |
				   (uint64_t)done << 48,
			.fast = { lay.hc_pages[0] * HV_PAGE_SIZE,
				  lay.hc_pages[1] * HV_PAGE_SIZE },
		};

		result = ohv_hypercall(lay.hv, ohv_root_id(lay.hv), 0, &call);
		st = (hv_status_t)(result & 0xFFFF);
		if (a.reps)
			done = (uint16_t)(result >> 32 & 0xFFF);
		if (st == HV_STATUS_INSUFFICIENT_MEMORY) {
			/* Deposit a page where it is missing and go on. */
			uint64_t page;

			if (ohv_root_alloc(lay.hv, OHV_ANY_NODE, &page))
				break;
			hv_status_t ds = ohv_call_deposit_memory(
				lay.root, pt_id == HV_PARTITION_ID_SELF ?
				ohv_root_id(lay.hv) : pt_id, &page, 1, NULL);

			if (ds) {
				ohv_root_free(lay.hv, page);
				break;
			}
			continue;
		}
		if (st || !a.reps || done >= a.reps)
			break;
	}
	memcpy(out, opg, a.out_sz);
	pthread_mutex_unlock(&lay.mu);
	long ret = hv_errno(st);

	/* Linux returns the status and the output whatever the result. */
	a.status = st;
	a.reps = a.reps ? done : 0;
	if (uput(arg, &a, sizeof(a)) ||
	    (a.out_ptr && uput((void *)(uintptr_t)a.out_ptr, out, a.out_sz)))
		ret = -EFAULT;
	return ret;
}

/* ---------------------------------------------------------------------- */
/* VPs.                                                                    */

static int part_create_vp(struct mpart *p, const void *arg)
{
	struct mshv_create_vp a;

	UGET(&a, arg, sizeof(a));
	if (a.vp_index >= MSHV_MAX_VPS)
		return -EINVAL;
	if (p->vps[a.vp_index])
		return -EEXIST;
	struct mvp *vp = calloc(1, sizeof(*vp));

	if (!vp)
		return -ENOMEM;
	vp->p = p;
	vp->index = a.vp_index;
	hv_status_t st = ohv_linux_create_vp(lay.root, p->id, a.vp_index,
					     &vp->regs_page, &vp->icpt_page);
	int fd = hv_errno(st);

	if (!fd) {
		fd = part_fd(p, MOBJ_VP, vp);
		if (fd >= 0)
			p->vps[a.vp_index] = vp;
		else
			ohv_linux_unmap_vp_state(lay.root, p->id, a.vp_index);
	}
	if (fd < 0)
		free(vp);
	return fd;
}

static long vp_run(struct mvp *vp, void *arg)
{
	struct hv_message msg;
	int err = ohv_vp_run(lay.hv, vp->p->id, vp->index, &msg);

	if (err == -EINVAL)
		err = -EBADFD;		/* the partition went away */
	if (!err && uput(arg, &msg, sizeof(msg)))
		err = -EFAULT;
	return err;
}

/* MSHV_GET_VP_STATE / MSHV_SET_VP_STATE (mshv-uapi A.8), as Linux: the
 * state's size first (written back to buf_sz whatever follows), a buffer
 * short of it EINVAL, then HvGetVpState / HvSetVpState through a page of
 * the root's (or, for the synthetic timers, in the call itself). */
static long vp_state(struct mvp *vp, void *arg, bool set)
{
	struct mshv_get_set_vp_state a;

	UGET(&a, arg, sizeof(a));
	if (a.type >= MSHV_VP_STATE_COUNT || a.rsvd[0] | a.rsvd[1] | a.rsvd[2] ||
	    !a.buf_sz || a.buf_sz % HV_PAGE_SIZE || a.buf_ptr % HV_PAGE_SIZE)
		return -EINVAL;
	void *ubuf = (void *)(uintptr_t)a.buf_ptr;
	uint64_t data_sz = HV_PAGE_SIZE, states = 0;
	hv_status_t st = HV_STATUS_SUCCESS;

	pthread_mutex_lock(&lay.mu);
	if (a.type == MSHV_VP_STATE_XSAVE) {
		st = ohv_call_get_partition_property(
			lay.root, vp->p->id, HV_PARTITION_PROPERTY_XSAVE_STATES,
			&states);
		if (!st)
			st = ohv_call_get_partition_property(
				lay.root, vp->p->id,
				HV_PARTITION_PROPERTY_MAX_XSAVE_DATA_SIZE,
				&data_sz);
		/* Always the legacy states. */
		states |= HV_XSAVE_STATE_X87 | HV_XSAVE_STATE_SSE;
	} else if (a.type == MSHV_VP_STATE_SYNTHETIC_TIMERS) {
		data_sz = sizeof(struct hv_synthetic_timers_state);
	}
	pthread_mutex_unlock(&lay.mu);
	if (st)
		return hv_errno(st);
	uint32_t sz32 = (uint32_t)data_sz;

	UPUT(&((struct mshv_get_set_vp_state *)arg)->buf_sz, &sz32,
	     sizeof(sz32));
	if (data_sz > a.buf_sz || data_sz > HV_PAGE_SIZE)
		return -EINVAL;
	uint8_t buf[HV_PAGE_SIZE];

	memset(buf, 0, sizeof(buf));
	if (set)
		UGET(buf, ubuf, data_sz);
	pthread_mutex_lock(&lay.mu);
	if (!set) {
		size_t size;

		st = ohv_linux_get_vp_state(lay.root, vp->p->id, vp->index,
					    a.type, buf, sizeof(buf), &size);
	} else {
		uint64_t in[5 + HV_PAGE_SIZE / 8];
		struct hv_input_set_vp_state *h = (void *)in;
		bool paged = a.type != MSHV_VP_STATE_SYNTHETIC_TIMERS;
		uint64_t page = 0;

		memset(in, 0, sizeof(in));
		h->partition_id = vp->p->id;
		h->vp_index = vp->index;
		h->state_data.type = a.type;
		h->state_data.xsave_states = states;
		if (paged && ohv_root_alloc(lay.hv, OHV_ANY_NODE, &page)) {
			st = HV_STATUS_NO_RESOURCES;
		} else if (paged) {
			memcpy(ohv_gpa(lay.hv, ohv_root_id(lay.hv),
				       page * HV_PAGE_SIZE, HV_PAGE_SIZE),
			       buf, data_sz);
			h->data[0] = page;
		} else {
			memcpy(h->data, buf, data_sz);
		}
		if (!st) {
			size_t vh = paged ? 8 : data_sz;
			uint64_t ctl = HVCALL_SET_VP_STATE |
				       (uint64_t)((vh + 7) / 8) << 17;

			st = (hv_status_t)ohv_client_hvcall(
				lay.root, ctl, in, sizeof(*h) + vh, NULL, 0);
		}
		if (page)
			ohv_root_free(lay.hv, page);
	}
	pthread_mutex_unlock(&lay.mu);
	if (!st && !set)
		UPUT(ubuf, buf, data_sz);
	return hv_errno(st);
}

void *mshv_mmap(struct mobj *o, void *addr, size_t len, int prot, int flags,
		int fd, off_t off)
{
	uint64_t page;

	if (o->kind != MOBJ_VP) {
		errno = ENODEV;
		return MAP_FAILED;
	}
	switch (off / HV_PAGE_SIZE) {
	case MSHV_VP_MMAP_OFFSET_REGISTERS:
		page = o->vp->regs_page;
		break;
	case MSHV_VP_MMAP_OFFSET_INTERCEPT_MESSAGE:
		page = o->vp->icpt_page;
		break;
	case MSHV_VP_MMAP_OFFSET_GHCB:
		errno = ENODEV;		/* no GHCB without SNP */
		return MAP_FAILED;
	default:
		errno = EINVAL;
		return MAP_FAILED;
	}
	if (off % HV_PAGE_SIZE || !len || len > HV_PAGE_SIZE ||
	    !(flags & MAP_SHARED)) {
		errno = EINVAL;
		return MAP_FAILED;
	}
	/* The place the client asked for, then the VP's page over it. */
	void *p = mshv_real_mmap(addr, len, prot, flags, fd, off);
	void *src = ohv_gpa(lay.hv, ohv_root_id(lay.hv), page * HV_PAGE_SIZE,
			    HV_PAGE_SIZE);

	if (p == MAP_FAILED)
		return p;
	if (!src || mremap(src, 0, HV_PAGE_SIZE, MREMAP_MAYMOVE | MREMAP_FIXED,
			   p) == MAP_FAILED ||
	    mprotect(p, HV_PAGE_SIZE, prot)) {
		munmap(p, len);
		errno = ENOMEM;
		return MAP_FAILED;
	}
	return p;
}

/* ---------------------------------------------------------------------- */
/* Interrupts and doorbells (mshv-uapi A.7).                               */

static bool is_eventfd(int fd)
{
	char link[64], path[64];

	snprintf(link, sizeof(link), "/proc/self/fd/%d", fd);
	ssize_t n = readlink(link, path, sizeof(path) - 1);

	if (n < 0)
		return false;
	path[n] = 0;
	return !strcmp(path, "anon_inode:[eventfd]");
}

/* An MSI of the partition's routing table for gsi, as Linux's irqfd does
 * (mshv_eventfd.c): the APIC id, vector, delivery and destination modes
 * and trigger of the entry, asserted with HvAssertVirtualInterrupt.  No
 * entry: nothing.  lay.mu held. */
static void irq_inject(struct mpart *p, uint32_t gsi)
{
	const struct mshv_user_irq_entry *e = NULL;

	for (uint32_t i = 0; i < p->nmsi; i++)
		if (p->msi[i].gsi == gsi)
			e = &p->msi[i];
	if (!e)
		return;
	struct hv_input_assert_virtual_interrupt in = {
		.partition_id = p->id,
		/* data 10:8 the delivery mode, 15 the trigger. */
		.control = (e->data >> 8 & 7) |
			   (e->data & 1u << 15 ? HV_INTERRUPT_CONTROL_LEVEL : 0) |
			   /* address 2: logical destination */
			   (e->address_lo & 1u << 2 ?
			    HV_INTERRUPT_CONTROL_LOGICAL : 0),
		/* address 19:12, and 31:8 of the high half (x2APIC) */
		.dest_addr = (e->address_lo >> 12 & 0xFF) |
			     (e->address_hi & 0xFFFFFF00u),
		.vector = e->data & 0xFF,
	};
	uint64_t r = ohv_client_hvcall(lay.root,
				       HVCALL_ASSERT_VIRTUAL_INTERRUPT, &in,
				       sizeof(in), NULL, 0);

	mshv_trace("{\"irqfd\":%u,\"partition\":%" PRIu64 ",\"vector\":%u,"
		   "\"apic\":%" PRIu64 ",\"status\":\"%s\"}", gsi, p->id,
		   in.vector, in.dest_addr, ohv_status_name((hv_status_t)r));
}

/* The poller: an irqfd signalled is an interrupt (and, for a resample
 * one, the resample fd is signalled once it went in: openhv has no EOI
 * notification from KVM's LAPIC to wait for). */
static void *poller(void *unused)
{
	(void)unused;
	mshv_layer_thread();
	for (;;) {
		struct epoll_event ev[16];
		int n = epoll_wait(lay.epfd, ev, 16, -1);

		if (n < 0 && errno != EINTR)
			return NULL;
		for (int i = 0; i < n; i++) {
			pthread_mutex_lock(&lay.mu);
			for (size_t k = 0; k < lay.nparts; k++)
				for (struct mirqfd *f = lay.parts[k]->irqfds; f;
				     f = f->next) {
					uint64_t cnt, one = 1;

					if (f->key != ev[i].data.u64)
						continue;
					if (read(f->own, &cnt, sizeof(cnt)) !=
					    sizeof(cnt))
						continue;
					irq_inject(f->p, f->gsi);
					if (f->own_resample >= 0 &&
					    write(f->own_resample, &one,
						  sizeof(one)) < 0)
						continue;
				}
			pthread_mutex_unlock(&lay.mu);
		}
	}
}

/* lay.mu held. */
static int poller_start(void)
{
	if (lay.poller)
		return 0;
	lay.epfd = epoll_create1(EPOLL_CLOEXEC);
	if (lay.epfd < 0)
		return -errno;
	sigset_t all, old;
	pthread_t t;

	/* The client's signals (vCPU kicks) are not the poller's. */
	sigfillset(&all);
	pthread_sigmask(SIG_SETMASK, &all, &old);
	int err = pthread_create(&t, NULL, poller, NULL);

	pthread_sigmask(SIG_SETMASK, &old, NULL);
	if (err) {
		mshv_real_close(lay.epfd);
		lay.epfd = -1;
		return -err;
	}
	pthread_detach(t);
	lay.poller = true;
	return 0;
}

static void irqfd_free(struct mirqfd *f)
{
	epoll_ctl(lay.epfd, EPOLL_CTL_DEL, f->own, NULL);
	mshv_real_close(f->own);
	if (f->own_resample >= 0)
		mshv_real_close(f->own_resample);
	free(f);
}

static long part_irqfd(struct mpart *p, const void *arg)
{
	struct mshv_user_irqfd a;

	UGET(&a, arg, sizeof(a));
	if (a.flags & ~((1u << MSHV_IRQFD_BIT_COUNT) - 1))
		return -EINVAL;
	if (a.flags & (1u << MSHV_IRQFD_BIT_DEASSIGN)) {
		for (struct mirqfd **pp = &p->irqfds; *pp; pp = &(*pp)->next)
			if ((*pp)->fd == a.fd && (*pp)->gsi == a.gsi) {
				struct mirqfd *f = *pp;

				*pp = f->next;
				irqfd_free(f);
				return 0;
			}
		return 0;	/* Linux: nothing to deassign is no error */
	}
	if (a.fd < 0 || fcntl(a.fd, F_GETFD) < 0)
		return -EBADF;
	if (!is_eventfd(a.fd))
		return -EINVAL;
	bool resample = a.flags & (1u << MSHV_IRQFD_BIT_RESAMPLE);

	if (resample && (a.resamplefd < 0 || fcntl(a.resamplefd, F_GETFD) < 0))
		return -EBADF;
	if (resample && !is_eventfd(a.resamplefd))
		return -EINVAL;
	for (const struct mirqfd *f = p->irqfds; f; f = f->next)
		if (f->fd == a.fd)
			return -EBUSY;
	int err = poller_start();

	if (err)
		return err;
	struct mirqfd *f = calloc(1, sizeof(*f));

	if (!f)
		return -ENOMEM;
	f->p = p;
	f->fd = a.fd;
	f->resamplefd = resample ? a.resamplefd : -1;
	f->gsi = a.gsi;
	f->key = ++lay.next_key;
	/* Our own references, as Linux holds the eventfd files. */
	f->own = fcntl(a.fd, F_DUPFD_CLOEXEC, 0);
	f->own_resample = resample ? fcntl(a.resamplefd, F_DUPFD_CLOEXEC, 0) :
			  -1;
	struct epoll_event ev = { .events = EPOLLIN, .data.u64 = f->key };

	if (f->own < 0 || (resample && f->own_resample < 0) ||
	    epoll_ctl(lay.epfd, EPOLL_CTL_ADD, f->own, &ev)) {
		err = -errno;
		if (f->own >= 0)
			mshv_real_close(f->own);
		if (f->own_resample >= 0)
			mshv_real_close(f->own_resample);
		free(f);
		return err;
	}
	f->next = p->irqfds;
	p->irqfds = f;
	return 0;
}

static long part_ioeventfd(struct mpart *p, const void *arg)
{
	struct mshv_user_ioeventfd a;
	static const uint8_t zero[4];

	UGET(&a, arg, sizeof(a));
	if (a.flags & ~((1u << MSHV_IOEVENTFD_BIT_COUNT) - 1) ||
	    memcmp(a.rsvd, zero, sizeof(zero)))
		return -EINVAL;
	if (a.flags & (1u << MSHV_IOEVENTFD_BIT_PIO))
		return -EOPNOTSUPP;	/* A.7: no PIO doorbells */
	if (a.len != 0 && a.len != 1 && a.len != 2 && a.len != 4 &&
	    a.len != 8)
		return -EINVAL;
	if (a.addr + a.len < a.addr)
		return -EINVAL;
	bool dm = a.flags & (1u << MSHV_IOEVENTFD_BIT_DATAMATCH);

	if (a.flags & (1u << MSHV_IOEVENTFD_BIT_DEASSIGN)) {
		for (struct mioeventfd **pp = &p->ioeventfds; *pp;
		     pp = &(*pp)->next) {
			struct mioeventfd *e = *pp;

			if (e->fd != a.fd || e->addr != a.addr ||
			    e->len != a.len ||
			    ((e->flags ^ a.flags) &
			     (1u << MSHV_IOEVENTFD_BIT_DATAMATCH)) ||
			    (dm && e->datamatch != a.datamatch))
				continue;
			ohv_linux_unregister_doorbell(lay.root, p->id,
						      e->port_id);
			db_del(e->port_id);
			*pp = e->next;
			mshv_real_close(e->own);
			free(e);
			return 0;
		}
		return -ENOENT;
	}
	if (a.fd < 0 || fcntl(a.fd, F_GETFD) < 0)
		return -EBADF;
	if (!is_eventfd(a.fd))
		return -EINVAL;
	for (const struct mioeventfd *e = p->ioeventfds; e; e = e->next)
		if (e->addr == a.addr && e->len == a.len &&
		    (!dm || !(e->flags & (1u << MSHV_IOEVENTFD_BIT_DATAMATCH)) ||
		     e->datamatch == a.datamatch))
			return -EEXIST;
	struct mioeventfd *e = calloc(1, sizeof(*e));

	if (!e)
		return -ENOMEM;
	e->addr = a.addr;
	e->len = a.len;
	e->flags = a.flags;
	e->datamatch = a.datamatch;
	e->fd = a.fd;
	e->own = fcntl(a.fd, F_DUPFD_CLOEXEC, 0);
	if (e->own < 0) {
		free(e);
		return -errno;
	}
	e->port_id = lay.next_port++;
	/* The trigger size: 0 any, 1 byte, 2 word, 3 dword, 4 qword. */
	uint32_t size = a.len == 0 ? 0 : a.len == 1 ? 1 : a.len == 2 ? 2 :
			a.len == 4 ? 3 : 4;
	uint32_t flags = size | (dm ? 0 : HV_DOORBELL_FLAG_TRIGGER_ANY_VALUE);
	hv_status_t st = ohv_linux_register_doorbell(lay.root, p->id,
						     e->port_id, a.addr,
						     dm ? a.datamatch : 0,
						     flags);

	int err = st ? hv_errno(st) : db_add(e->port_id, e->own);

	if (err) {
		if (!st)
			ohv_linux_unregister_doorbell(lay.root, p->id,
						      e->port_id);
		mshv_real_close(e->own);
		free(e);
		return err;
	}
	e->next = p->ioeventfds;
	p->ioeventfds = e;
	return 0;
}

/*
 * A guest rang a doorbell: the ioeventfd behind it is signalled, as
 * Linux's doorbell handler does.  openhv calls this with its lock held,
 * from the guest's thread: it only looks up lay.db and writes an eventfd.
 */
static void doorbell_rang(void *ctx, uint64_t partition, uint32_t port)
{
	(void)ctx;
	(void)partition;	/* port ids are the layer's, unique */
	pthread_mutex_lock(&lay.db_mu);
	for (size_t i = 0; i < lay.ndb; i++) {
		uint64_t one = 1;

		if (lay.db[i].port == port &&
		    write(lay.db[i].fd, &one, sizeof(one)) < 0)
			break;
	}
	pthread_mutex_unlock(&lay.db_mu);
}

static int db_add(uint32_t port, int fd)
{
	pthread_mutex_lock(&lay.db_mu);
	void *t = realloc(lay.db, (lay.ndb + 1) * sizeof(*lay.db));

	if (t) {
		lay.db = t;
		lay.db[lay.ndb].port = port;
		lay.db[lay.ndb++].fd = fd;
	}
	pthread_mutex_unlock(&lay.db_mu);
	return t ? 0 : -ENOMEM;
}

static void db_del(uint32_t port)
{
	pthread_mutex_lock(&lay.db_mu);
	for (size_t i = 0; i < lay.ndb; i++)
		if (lay.db[i].port == port) {
			lay.db[i] = lay.db[--lay.ndb];
			break;
		}
	pthread_mutex_unlock(&lay.db_mu);
}

static long part_msi_routing(struct mpart *p, const void *arg)
{
	struct mshv_user_irq_table h;

	UGET(&h, arg, sizeof(h));
	if (h.nr > MSHV_MAX_MSI_ROUTES || h.rsvd)
		return -EINVAL;
	struct mshv_user_irq_entry *e = NULL;

	if (h.nr) {
		e = malloc(h.nr * sizeof(*e));
		if (!e)
			return -ENOMEM;
		if (uget(e, (const uint8_t *)arg + sizeof(h), h.nr * sizeof(*e))) {
			free(e);
			return -EFAULT;
		}
	}
	free(p->msi);
	p->msi = e;
	p->nmsi = h.nr;
	return 0;
}

/* ---------------------------------------------------------------------- */
/* Dirty and accessed pages (MSHV_GET_GPAP_ACCESS_BITMAP).                 */

#define ACCESS_BATCH	2048u

static long part_access_bitmap(struct mpart *p, const void *arg)
{
	struct mshv_gpap_access_bitmap a;
	static const uint8_t zero[6];

	UGET(&a, arg, sizeof(a));
	if (a.access_type >= MSHV_GPAP_ACCESS_TYPE_COUNT ||
	    a.access_op >= MSHV_GPAP_ACCESS_OP_COUNT ||
	    memcmp(a.rsvd, zero, sizeof(zero)) || !a.page_count ||
	    !a.bitmap_ptr || a.gpap_base + a.page_count < a.gpap_base)
		return -EINVAL;
	bool dirty = a.access_type == MSHV_GPAP_ACCESS_TYPE_DIRTY;
	uint64_t flags = 0;

	/* As Linux: not accessed implies not dirty, dirty implies
	 * accessed. */
	if (a.access_op == MSHV_GPAP_ACCESS_OP_CLEAR)
		flags = dirty ? HV_GPA_PAGE_ACCESS_CLEAR_DIRTY :
				HV_GPA_PAGE_ACCESS_CLEAR_ACCESSED |
				HV_GPA_PAGE_ACCESS_CLEAR_DIRTY;
	else if (a.access_op == MSHV_GPAP_ACCESS_OP_SET)
		flags = dirty ? HV_GPA_PAGE_ACCESS_SET_DIRTY |
				HV_GPA_PAGE_ACCESS_SET_ACCESSED :
				HV_GPA_PAGE_ACCESS_SET_ACCESSED;
	uint8_t *ubitmap = (uint8_t *)(uintptr_t)a.bitmap_ptr;
	size_t blen = (size_t)((a.page_count + 7) / 8);
	uint8_t *bitmap = calloc(1, blen);

	if (!bitmap)
		return -ENOMEM;
	uint8_t bit = dirty ? HV_GPA_PAGE_ACCESS_STATE_DIRTY :
			      HV_GPA_PAGE_ACCESS_STATE_ACCESSED;
	uint8_t states[HV_PAGE_SIZE];
	hv_status_t st = HV_STATUS_SUCCESS;

	pthread_mutex_lock(&lay.mu);
	for (uint64_t i = 0; i < a.page_count && !st;) {
		/* A rep count has 12 bits; a state is a byte of the
		 * output page. */
		uint64_t k = a.page_count - i < ACCESS_BATCH ?
			     a.page_count - i : ACCESS_BATCH;
		struct hv_input_get_gpa_pages_access_state in = {
			.partition_id = p->id, .flags = flags,
			.hv_gpa_page_number = a.gpap_base + i,
		};
		uint64_t r = ohv_client_hvcall(
			lay.root, HVCALL_GET_GPA_PAGES_ACCESS_STATES |
			k << 32, &in, sizeof(in), states, k);

		st = (hv_status_t)(r & 0xFFFF);
		uint64_t done = r >> 32 & 0xFFF;

		if (st)
			break;
		for (uint64_t j = 0; j < done; j++)
			if (states[j] & bit)
				bitmap[(i + j) / 8] |= (uint8_t)(1u << ((i + j) % 8));
		i += done ? done : k;
	}
	pthread_mutex_unlock(&lay.mu);
	long ret = hv_errno(st);

	if (!st && uput(ubitmap, bitmap, blen))
		ret = -EFAULT;
	free(bitmap);
	return ret;
}

/* ---------------------------------------------------------------------- */
/* The VFIO pseudo-device (MSHV_CREATE_DEVICE), checked as KVM's kvm-vfio. */

static long part_create_device(struct mpart *p, void *arg)
{
	struct mshv_create_device a;

	UGET(&a, arg, sizeof(a));
	if (a.type != MSHV_DEV_TYPE_VFIO)
		return -ENODEV;
	if (a.flags & ~(uint32_t)MSHV_CREATE_DEVICE_TEST)
		return -EINVAL;
	if (a.flags & MSHV_CREATE_DEVICE_TEST)
		return 0;
	int fd = part_fd(p, MOBJ_DEVICE, NULL);

	if (fd < 0)
		return fd;
	a.fd = (uint32_t)fd;
	UPUT(arg, &a, sizeof(a));
	return 0;
}

static long device_ioctl(unsigned long req, const void *arg)
{
	struct mshv_device_attr a;

	UGET(&a, arg, sizeof(a));
	if (a.flags)
		return -EINVAL;
	switch (req) {
	case MSHV_HAS_DEVICE_ATTR:
		if (a.group == MSHV_DEV_VFIO_FILE &&
		    (a.attr == MSHV_DEV_VFIO_FILE_ADD ||
		     a.attr == MSHV_DEV_VFIO_FILE_DEL))
			return 0;
		return -ENXIO;
	case MSHV_SET_DEVICE_ATTR: {
		if (a.group != MSHV_DEV_VFIO_FILE ||
		    (a.attr != MSHV_DEV_VFIO_FILE_ADD &&
		     a.attr != MSHV_DEV_VFIO_FILE_DEL))
			return -ENXIO;
		int32_t fd;

		UGET(&fd, (const void *)(uintptr_t)a.addr, sizeof(fd));
		if (fd < 0 || fcntl(fd, F_GETFD) < 0)
			return -EBADF;
		/* Only a VFIO group or device file is one. */
		return -EINVAL;
	}
	case MSHV_GET_DEVICE_ATTR:
		return -ENXIO;
	default:
		return -ENOTTY;
	}
}

/* ---------------------------------------------------------------------- */
/* Dispatch: by fd kind first (mshv-uapi A.1).                             */

static long dispatch(struct mobj *o, unsigned long req, void *arg)
{
	long r;

	switch (o->kind) {
	case MOBJ_DEV:
		switch (req) {
		case MSHV_CREATE_PARTITION:
			return arg ? dev_create_partition(arg) : -EFAULT;
		case MSHV_ROOT_HVCALL:
			return arg ? root_hvcall(HV_PARTITION_ID_SELF, false,
						 arg) : -EFAULT;
		case MSHV_GET_HOST_PARTITION_PROPERTY: {
			struct mshv_partition_property a;
			uint64_t v = 0;

			if (!arg)
				return -EFAULT;
			UGET(&a, arg, sizeof(a));
			pthread_mutex_lock(&lay.mu);
			hv_status_t st = ohv_call_get_partition_property(
				lay.root, HV_PARTITION_ID_SELF, a.property_code,
				&v);
			pthread_mutex_unlock(&lay.mu);
			if (st)
				return hv_errno(st);
			a.property_value = v;
			UPUT(arg, &a, sizeof(a));
			return 0;
		}
		default:
			return -ENOTTY;
		}
	case MOBJ_PARTITION: {
		struct mpart *p = o->part;

		if (req == MSHV_ROOT_HVCALL)
			return root_hvcall(p->id, true, arg);
		pthread_mutex_lock(&lay.mu);
		switch (req) {
		case MSHV_INITIALIZE_PARTITION: {
			hv_status_t st = HV_STATUS_SUCCESS;

			if (!p->initialized)
				st = ohv_client_initialize_partition(lay.root,
								     p->id);
			p->initialized = p->initialized || !st;
			r = hv_errno(st);
			break;
		}
		case MSHV_CREATE_VP:
			r = part_create_vp(p, arg);
			break;
		case MSHV_SET_GUEST_MEMORY:
			r = part_set_memory(p, arg);
			break;
		case MSHV_IRQFD:
			r = part_irqfd(p, arg);
			break;
		case MSHV_IOEVENTFD:
			r = part_ioeventfd(p, arg);
			break;
		case MSHV_SET_MSI_ROUTING:
			r = part_msi_routing(p, arg);
			break;
		case MSHV_GET_GPAP_ACCESS_BITMAP:
			pthread_mutex_unlock(&lay.mu);
			return part_access_bitmap(p, arg);
		case MSHV_CREATE_DEVICE:
			r = part_create_device(p, arg);
			break;
		default:
			r = -ENOTTY;
			break;
		}
		pthread_mutex_unlock(&lay.mu);
		return r;
	}
	case MOBJ_VP:
		switch (req) {
		case MSHV_RUN_VP:
			return vp_run(o->vp, arg);
		case MSHV_GET_VP_STATE:
			return vp_state(o->vp, arg, false);
		case MSHV_SET_VP_STATE:
			return vp_state(o->vp, arg, true);
		case MSHV_ROOT_HVCALL:
			return root_hvcall(o->vp->p->id, false, arg);
		default:
			return -ENOTTY;
		}
	case MOBJ_DEVICE:
		return device_ioctl(req, arg);
	}
	return -ENOTTY;
}

static const char *ioctl_name(enum mobj_kind kind, unsigned long req)
{
	switch (kind) {
	case MOBJ_DEV:
		return req == MSHV_CREATE_PARTITION ? "MSHV_CREATE_PARTITION" :
		       req == MSHV_ROOT_HVCALL ? "MSHV_ROOT_HVCALL" :
		       req == MSHV_GET_HOST_PARTITION_PROPERTY ?
		       "MSHV_GET_HOST_PARTITION_PROPERTY" : NULL;
	case MOBJ_PARTITION:
		switch (req) {
		case MSHV_INITIALIZE_PARTITION: return "MSHV_INITIALIZE_PARTITION";
		case MSHV_CREATE_VP: return "MSHV_CREATE_VP";
		case MSHV_SET_GUEST_MEMORY: return "MSHV_SET_GUEST_MEMORY";
		case MSHV_IRQFD: return "MSHV_IRQFD";
		case MSHV_IOEVENTFD: return "MSHV_IOEVENTFD";
		case MSHV_SET_MSI_ROUTING: return "MSHV_SET_MSI_ROUTING";
		case MSHV_GET_GPAP_ACCESS_BITMAP: return "MSHV_GET_GPAP_ACCESS_BITMAP";
		case MSHV_ROOT_HVCALL: return "MSHV_ROOT_HVCALL";
		case MSHV_CREATE_DEVICE: return "MSHV_CREATE_DEVICE";
		default: return NULL;
		}
	case MOBJ_VP:
		return req == MSHV_RUN_VP ? "MSHV_RUN_VP" :
		       req == MSHV_GET_VP_STATE ? "MSHV_GET_VP_STATE" :
		       req == MSHV_SET_VP_STATE ? "MSHV_SET_VP_STATE" :
		       req == MSHV_ROOT_HVCALL ? "MSHV_ROOT_HVCALL" : NULL;
	case MOBJ_DEVICE:
		return req == MSHV_SET_DEVICE_ATTR ? "MSHV_SET_DEVICE_ATTR" :
		       req == MSHV_GET_DEVICE_ATTR ? "MSHV_GET_DEVICE_ATTR" :
		       req == MSHV_HAS_DEVICE_ATTR ? "MSHV_HAS_DEVICE_ATTR" : NULL;
	}
	return NULL;
}

long mshv_ioctl(struct mobj *o, unsigned long req, void *arg)
{
	static const char *const kinds[] = {
		[MOBJ_DEV] = "mshv", [MOBJ_PARTITION] = "partition",
		[MOBJ_VP] = "vp", [MOBJ_DEVICE] = "device",
	};
	long r = dispatch(o, req, arg);

	if (lay.trace) {
		const char *name = ioctl_name(o->kind, req);
		char num[24], msg[80] = "";
		struct hv_message m;

		if (!name) {
			snprintf(num, sizeof(num), "0x%lx", req);
			name = num;
		}
		struct mshv_user_mem_region mr;

		/* A region: where, how big, which rights. */
		if (o->kind == MOBJ_PARTITION && req == MSHV_SET_GUEST_MEMORY &&
		    !uget(&mr, arg, sizeof(mr)))
			snprintf(msg, sizeof(msg), ",\"gpa\":\"0x%" PRIx64
				 "\",\"size\":\"0x%" PRIx64 "\",\"flags\":%u",
				 mr.guest_pfn * HV_PAGE_SIZE, mr.size, mr.flags);
		/* A run's message: its type, and the intercepted RIP. */
		if (o->kind == MOBJ_VP && req == MSHV_RUN_VP && !r &&
		    !uget(&m, arg, sizeof(m))) {
			const struct hv_x64_intercept_message_header *h =
				(const void *)m.payload;

			snprintf(msg, sizeof(msg), ",\"message\":\"0x%x\","
				 "\"rip\":\"0x%" PRIx64 "\"",
				 m.header.message_type, h->rip);
		}
		mshv_trace("{\"ioctl\":\"%s\",\"fd\":\"%s\",\"partition\":"
			   "%" PRIu64 ",\"vp\":%d,\"ret\":%ld%s%s%s%s}", name,
			   kinds[o->kind], o->part ? o->part->id : 0,
			   o->vp ? (int)o->vp->index : -1, r,
			   r < 0 ? ",\"errno\":\"" : "",
			   r < 0 ? strerror((int)-r) : "", r < 0 ? "\"" : "",
			   msg);
	}
	return r;
}

/* ---------------------------------------------------------------------- */
/* Release: as Linux's destroy_partition (mshv_root_main.c).               */

static void part_destroy(struct mpart *p)
{
	for (uint32_t i = 0; i < MSHV_MAX_VPS; i++)
		if (p->vps[i])
			ohv_linux_unmap_vp_state(lay.root, p->id, i);
	while (p->ioeventfds) {
		struct mioeventfd *e = p->ioeventfds;

		p->ioeventfds = e->next;
		ohv_linux_unregister_doorbell(lay.root, p->id, e->port_id);
		db_del(e->port_id);
		mshv_real_close(e->own);
		free(e);
	}
	while (p->irqfds) {
		struct mirqfd *f = p->irqfds;

		p->irqfds = f->next;
		irqfd_free(f);
	}
	for (size_t k = 0; k < lay.nparts; k++)
		if (lay.parts[k] == p) {
			lay.parts[k] = lay.parts[--lay.nparts];
			break;
		}
	/* Finalize, withdraw, delete; the regions' pages are then the
	 * root's again, and the client's ranges get their copies. */
	ohv_client_destroy_partition(lay.root, p->id);
	while (p->regions) {
		struct mregion *r = p->regions;

		p->regions = r->next;
		region_free(r, false);
	}
	for (uint32_t i = 0; i < MSHV_MAX_VPS; i++)
		free(p->vps[i]);
	free(p->msi);
	mshv_trace("{\"release\":\"partition\",\"partition\":%" PRIu64 "}",
		   p->id);
	free(p);
}

void mshv_release(struct mobj *o)
{
	if (o->kind == MOBJ_DEV || !o->part)
		return;
	pthread_mutex_lock(&lay.mu);
	bool last = --o->part->refs == 0;

	if (last)
		part_destroy(o->part);
	pthread_mutex_unlock(&lay.mu);
}

/* ---------------------------------------------------------------------- */
/* `openhv exec --trace`: every hypercall, one JSON line.                  */

static void trace_call(void *ctx, const struct ohv_trace_event *ev)
{
	(void)ctx;
	mshv_trace("{\"hypercall\":\"%s\",\"control\":\"0x%" PRIx64
		   "\",\"status\":\"%s\",\"reps\":%" PRIu64
		   ",\"ns\":%" PRIu64 "}",
		   ohv_call_name((uint16_t)ev->control), ev->control,
		   ohv_status_name((hv_status_t)ev->result),
		   ev->result >> 32 & 0xFFF, ev->elapsed_ns);
}
