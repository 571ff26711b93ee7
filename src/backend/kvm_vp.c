/* SPDX-License-Identifier: MIT */
/*
 * The KVM backend's VPs (spec.md §11.1, 11.3-11.5): one vCPU each, its
 * registers, and the run loop that turns KVM exits into guest hypercalls,
 * synthetic MSR accesses and, when the VP stops for its parent, TLFS
 * intercept messages.
 *
 * Threads.  A VP runs only on the thread inside its ohv_vp_run.  Another
 * thread that reads or writes its registers announces itself (holds),
 * kicks the run out of KVM_RUN and then issues its vCPU ioctl; the run
 * loop does not re-enter KVM_RUN while holds is non-zero, and writes
 * registers back only if nobody wrote them since the exit (gen).  Nothing
 * here waits for the instance lock while holding a VP's mutex.
 */
#include "kvm.h"
#include "kvm_insn.h"

#include <openhv/calls.h>

#include <errno.h>
#include <stddef.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <sys/syscall.h>
#include <time.h>
#include <unistd.h>

struct kvm_vp {
	struct kvm_part *kp;
	struct ohv_be_vp id;
	int fd;
	struct kvm_run *run;
	pthread_mutex_t mu;
	pthread_cond_t cv;
	int refs;		/* the core's, and a claimed run's          */
	int holds;		/* threads in a register ioctl              */
	uint64_t gen;		/* register writes from other threads       */
	bool in_run;		/* inside KVM_RUN                           */
	bool claimed;
	bool deleted;
	bool kick_req;		/* ohv_vp_kick: the run returns -EINTR      */
	bool notified;		/* the suspend registers changed            */
	bool check;		/* ask the core whether it may run           */
	bool sregs_pending;	/* sregs below wait for the next run        */
	struct kvm_sregs sregs;
	/*
	 * The vCPU's registers as the last register access read or wrote
	 * them, while no run can change them (the VP not claimed): a
	 * parent that reads a page of registers (the register page's
	 * refresh) pays an ioctl per kind of state, not one per register.
	 */
	bool cregs_ok, csregs_ok, cxsave_ok, cdebug_ok, cxcrs_ok;
	/* The run's sync area (kvm-facts §3) holds the vCPU's registers
	 * (regs: as the last KVM_RUN stored them, or as set since, for the
	 * next KVM_RUN to load) and its special registers (sregs: as the
	 * last KVM_RUN stored them, nothing set since). */
	bool sync_regs_ok, sync_sregs_ok;
	struct kvm_regs cregs;
	struct kvm_sregs csregs;
	struct kvm_debugregs cdebug;
	struct kvm_xcrs cxcrs;
	pthread_t thread;
	timer_t *wd;		/* the running thread's watchdog, or NULL  */
	long wd_ns;		/* its next look comes after this long      */
	bool sigmask_set;	/* KVM_RUN runs with sigmask (run_sigmask): */
	uint64_t sigmask;	/* signals 1-64 blocked inside KVM_RUN      */
	kvm_vcpu_io_fn *io;	/* NULL: ioctl on fd (else the fuzz target) */
	void *io_ctx;
	/* Last: its header ends in a flexible array (no bytes of it). */
	struct kvm_xsave cxsave;
};

/* vCPU ioctls that leave the special registers as they are. */
static bool keeps_sregs(unsigned long req)
{
	switch (req) {
	case KVM_GET_REGS: case KVM_GET_SREGS: case KVM_GET_FPU:
	case KVM_GET_XSAVE: case KVM_GET_DEBUGREGS: case KVM_GET_XCRS:
	case KVM_GET_MSRS: case KVM_GET_VCPU_EVENTS: case KVM_GET_MP_STATE:
	case KVM_GET_LAPIC: case KVM_TRANSLATE: case KVM_SET_FPU:
	case KVM_SET_XSAVE: case KVM_SET_DEBUGREGS: case KVM_SET_XCRS:
	case KVM_SET_SIGNAL_MASK:
		return true;
	default:
		/* Any other may change them (an MSR the EFER, the LAPIC the
		 * TPR that is CR8). */
		return false;
	}
}

/* vCPU ioctls that neither read nor change the general registers. */
static bool keeps_regs(unsigned long req)
{
	return (keeps_sregs(req) && req != KVM_GET_REGS) ||
	       req == KVM_SET_VCPU_EVENTS || req == KVM_SET_MP_STATE ||
	       req == KVM_SET_LAPIC;
}

/*
 * Every vCPU ioctl of this file.  Between two KVM_RUNs the general
 * registers live in the run's sync area (kvm-facts §3): KVM_GET_REGS
 * reads it and KVM_SET_REGS writes it for the next KVM_RUN to load,
 * neither a system call (an exit's round trip to the parent reads and
 * sets them several times).  An ioctl that may touch them sees them in
 * KVM first.  The caller runs the VP or holds it (hold()), so no KVM_RUN
 * is in progress.
 */
static int vcpu_ioctl(struct kvm_vp *v, unsigned long req, void *arg)
{
	struct kvm_regs *sr = &v->run->s.regs.regs;
	__u64 *dirty = &v->run->kvm_dirty_regs;

	if (v->sync_regs_ok && req == KVM_GET_REGS) {
		memcpy(arg, sr, sizeof(*sr));
		return 0;
	}
	if (v->sync_regs_ok && req == KVM_SET_REGS) {
		memcpy(sr, arg, sizeof(*sr));
		sr->rflags |= 2;	/* fixed to 1, as KVM_SET_REGS keeps it */
		*dirty |= KVM_SYNC_X86_REGS;
		return 0;
	}
	if (req == KVM_SET_REGS) {
		*dirty &= ~(__u64)KVM_SYNC_X86_REGS;	/* superseded */
	} else if (req != KVM_RUN && !keeps_regs(req) &&
		   (*dirty & KVM_SYNC_X86_REGS)) {
		*dirty &= ~(__u64)KVM_SYNC_X86_REGS;
		if (v->io ? v->io(v->io_ctx, KVM_SET_REGS, sr) :
			    ioctl(v->fd, KVM_SET_REGS, sr))
			v->sync_regs_ok = false;
	}
	int rc = v->io ? v->io(v->io_ctx, req, arg) : ioctl(v->fd, req, arg);

	if (req == KVM_RUN) {
		/* KVM stores the synced state however the run ends, once
		 * it has entered KVM_RUN's body: 0 or EINTR. */
		v->sync_regs_ok = v->sync_sregs_ok =
			!v->io && (rc >= 0 || errno == EINTR);
	} else {
		if (!keeps_regs(req))
			v->sync_regs_ok = false;
		if (!keeps_sregs(req))
			v->sync_sregs_ok = false;
	}
	return rc;
}

/* One MSR of the vCPU through KVM_GET_MSRS or KVM_SET_MSRS: 0, or -1
 * when KVM refuses it. */
static int vcpu_msr(struct kvm_vp *v, uint32_t index, uint64_t *data,
		    bool write)
{
	union {
		struct kvm_msrs h;	/* with room for its one entry */
		uint8_t room[sizeof(struct kvm_msrs) +
			     sizeof(struct kvm_msr_entry)];
	} m;

	memset(&m, 0, sizeof(m));
	m.h.nmsrs = 1;
	m.h.entries[0].index = index;
	m.h.entries[0].data = *data;
	if (vcpu_ioctl(v, write ? KVM_SET_MSRS : KVM_GET_MSRS, &m) != 1)
		return -1;
	*data = m.h.entries[0].data;
	return 0;
}

/* A run may change the vCPU's state: what the caches hold is stale. */
static void cache_drop(struct kvm_vp *v)
{
	v->cregs_ok = v->csregs_ok = false;
	v->cxsave_ok = v->cdebug_ok = v->cxcrs_ok = false;
}

/* One kind of the vCPU's state through its cache (*ok): a GET ioctl only
 * when the cache is stale.  0, or -1 with errno. */
static int cached_get(struct kvm_vp *v, unsigned long req, void *cache,
		      bool *ok, void *out, size_t size)
{
	if (!*ok) {
		if (vcpu_ioctl(v, req, cache))
			return -1;
		*ok = true;
	}
	memcpy(out, cache, size);
	return 0;
}

/* ---------------------------------------------------------------------- */
/* Creation and deletion.                                                  */

int kvm_vp_create(struct ohv_bpart *bp, const struct ohv_be_vp *id,
		  struct ohv_bvp **out)
{
	struct kvm_part *kp = (struct kvm_part *)bp;
	struct kvm_vp *v = calloc(1, sizeof(*v));
	int err;

	if (!v)
		return -ENOMEM;
	v->kp = kp;
	v->id = *id;
	v->refs = 1;
	v->run = MAP_FAILED;
	/* The vCPU id is the VP index, and so is its APIC id. */
	v->fd = ioctl(kp->vm_fd, KVM_CREATE_VCPU, (unsigned long)id->index);
	if (v->fd < 0) {
		/* KVM never frees a vCPU id before its VM closes. */
		err = errno == EEXIST ? -EBUSY : -errno;
		goto fail;
	}
	v->run = mmap(NULL, (size_t)kp->k->run_size, PROT_READ | PROT_WRITE,
		      MAP_SHARED, v->fd, 0);
	if (v->run == MAP_FAILED) {
		err = -errno;
		goto fail;
	}
	if (vcpu_ioctl(v, KVM_SET_CPUID2, kp->cpuid)) {
		err = -errno;
		goto fail;
	}
	/*
	 * With the in-kernel LAPIC every vCPU but 0 waits for a SIPI; a VP
	 * runs when its parent runs it (kvm-facts §5).
	 */
	struct kvm_mp_state mp = { .mp_state = KVM_MP_STATE_RUNNABLE };

	if (id->index != 0 && vcpu_ioctl(v, KVM_SET_MP_STATE, &mp)) {
		err = -errno;
		goto fail;
	}
	v->run->kvm_valid_regs = KVM_SYNC_X86_REGS | KVM_SYNC_X86_SREGS |
				 KVM_SYNC_X86_EVENTS;
	pthread_mutex_init(&v->mu, NULL);
	pthread_cond_init(&v->cv, NULL);
	__atomic_add_fetch(&kp->refs, 1, __ATOMIC_ACQ_REL);
	*out = (struct ohv_bvp *)v;
	return 0;
fail:
	if (v->run != MAP_FAILED)
		munmap(v->run, (size_t)kp->k->run_size);
	if (v->fd >= 0)
		close(v->fd);
	free(v);
	return err;
}

static void vp_put(struct kvm_vp *v)
{
	pthread_mutex_lock(&v->mu);
	bool last = --v->refs == 0;

	pthread_mutex_unlock(&v->mu);
	if (!last)
		return;
	struct kvm_part *kp = v->kp;

	munmap(v->run, (size_t)kp->k->run_size);
	close(v->fd);
	pthread_cond_destroy(&v->cv);
	pthread_mutex_destroy(&v->mu);
	free(v);
	kvm_part_put(kp);
}

/* Make the run leave KVM_RUN (or not enter it): v->mu held. */
static void kick_locked(struct kvm_vp *v)
{
	__atomic_store_n(&v->run->immediate_exit, 1, __ATOMIC_RELEASE);
	if (v->in_run)
		pthread_kill(v->thread, OHV_KVM_KICK_SIGNAL);
	pthread_cond_broadcast(&v->cv);
}

void kvm_vp_delete(struct ohv_bvp *bv)
{
	struct kvm_vp *v = (struct kvm_vp *)bv;

	pthread_mutex_lock(&v->mu);
	v->deleted = true;
	kick_locked(v);
	pthread_mutex_unlock(&v->mu);
	vp_put(v);
}

void kvm_vp_kick(struct ohv_bvp *bv)
{
	struct kvm_vp *v = (struct kvm_vp *)bv;

	pthread_mutex_lock(&v->mu);
	v->kick_req = true;
	kick_locked(v);
	pthread_mutex_unlock(&v->mu);
}

void kvm_vp_notify(struct ohv_bvp *bv)
{
	struct kvm_vp *v = (struct kvm_vp *)bv;

	pthread_mutex_lock(&v->mu);
	v->notified = true;
	v->check = true;
	if (v->claimed)
		kick_locked(v);
	pthread_mutex_unlock(&v->mu);
}

int kvm_vp_claim(struct ohv_bvp *bv)
{
	struct kvm_vp *v = (struct kvm_vp *)bv;
	int err = 0;

	pthread_mutex_lock(&v->mu);
	if (v->claimed) {
		err = -EBUSY;
	} else {
		v->claimed = true;
		v->check = true;
		v->refs++;
	}
	pthread_mutex_unlock(&v->mu);
	return err;
}

/* ---------------------------------------------------------------------- */
/* Interrupts (spec.md §11.3): an MSI to the VP's LAPIC.                   */

#define MSI_ADDRESS		0xFEE00000u
#define MSI_DEST_SHIFT		12
#define MSI_DEST_LOGICAL	(1u << 2)
#define MSI_DELIVERY_SHIFT	8
#define MSI_LEVEL_ASSERT	(1u << 14)
#define MSI_TRIGGER_LEVEL	(1u << 15)

void kvm_interrupt(struct ohv_bvp *bv, const struct ohv_be_irq *irq)
{
	struct kvm_vp *v = (struct kvm_vp *)bv;

	/* The x64 interrupt types 0-7 are the APIC's delivery modes. */
	if (irq->type > 7)
		return;
	struct kvm_msi msi = {
		.address_lo = MSI_ADDRESS | v->id.index << MSI_DEST_SHIFT |
			      (irq->logical ? MSI_DEST_LOGICAL : 0),
		.data = (irq->vector & 0xFF) | irq->type << MSI_DELIVERY_SHIFT |
			(irq->level ? MSI_TRIGGER_LEVEL | MSI_LEVEL_ASSERT : 0),
	};

	/* Not delivered (the LAPIC is off): lost, as on hardware. */
	ioctl(v->kp->vm_fd, KVM_SIGNAL_MSI, &msi);
}

/* ---------------------------------------------------------------------- */
/* Registers (spec.md §11.1).                                              */

/* The segment attribute word (TLFS; VMX's access-rights layout). */
static uint16_t seg_attributes(const struct kvm_segment *s)
{
	return (uint16_t)((s->type & 0xF) | (s->s & 1) << 4 |
			  (s->dpl & 3) << 5 | (s->present & 1) << 7 |
			  (s->avl & 1) << 12 | (s->l & 1) << 13 |
			  (s->db & 1) << 14 | (s->g & 1) << 15);
}

static void seg_to_hv(const struct kvm_segment *s,
		      struct hv_x64_segment_register *h)
{
	h->base = s->base;
	h->limit = s->limit;
	h->selector = s->selector;
	h->attributes = s->unusable ? 0 : seg_attributes(s);
}

static void seg_from_hv(const struct hv_x64_segment_register *h,
			struct kvm_segment *s)
{
	memset(s, 0, sizeof(*s));
	s->base = h->base;
	s->limit = h->limit;
	s->selector = h->selector;
	s->type = h->attributes & 0xF;
	s->s = h->attributes >> 4 & 1;
	s->dpl = h->attributes >> 5 & 3;
	s->present = h->attributes >> 7 & 1;
	s->avl = h->attributes >> 12 & 1;
	s->l = h->attributes >> 13 & 1;
	s->db = h->attributes >> 14 & 1;
	s->g = h->attributes >> 15 & 1;
	s->unusable = !s->present;
}

static struct kvm_segment *sreg_seg(struct kvm_sregs *s, uint32_t name)
{
	switch (name) {
	case HV_X64_REGISTER_ES:	return &s->es;
	case HV_X64_REGISTER_CS:	return &s->cs;
	case HV_X64_REGISTER_SS:	return &s->ss;
	case HV_X64_REGISTER_DS:	return &s->ds;
	case HV_X64_REGISTER_FS:	return &s->fs;
	case HV_X64_REGISTER_GS:	return &s->gs;
	case HV_X64_REGISTER_LDTR:	return &s->ldt;
	case HV_X64_REGISTER_TR:	return &s->tr;
	default:			return NULL;
	}
}

static uint64_t *sreg_u64(struct kvm_sregs *s, uint32_t name)
{
	switch (name) {
	case HV_X64_REGISTER_CR0:	return (uint64_t *)&s->cr0;
	case HV_X64_REGISTER_CR2:	return (uint64_t *)&s->cr2;
	case HV_X64_REGISTER_CR3:	return (uint64_t *)&s->cr3;
	case HV_X64_REGISTER_CR4:	return (uint64_t *)&s->cr4;
	case HV_X64_REGISTER_CR8:	return (uint64_t *)&s->cr8;
	case HV_X64_REGISTER_EFER:	return (uint64_t *)&s->efer;
	case HV_X64_REGISTER_APIC_BASE:	return (uint64_t *)&s->apic_base;
	default:			return NULL;
	}
}

/* HV register name -> architectural MSR, for those the vCPU holds. */
static uint32_t reg_msr(uint32_t name)
{
	switch (name) {
	case HV_X64_REGISTER_TSC:		return 0x00000010u;
	case HV_X64_REGISTER_SYSENTER_CS:	return 0x00000174u;
	case HV_X64_REGISTER_SYSENTER_ESP:	return 0x00000175u;
	case HV_X64_REGISTER_SYSENTER_EIP:	return 0x00000176u;
	case HV_X64_REGISTER_PAT:		return 0x00000277u;
	case HV_X64_REGISTER_STAR:		return 0xC0000081u;
	case HV_X64_REGISTER_LSTAR:		return 0xC0000082u;
	case HV_X64_REGISTER_CSTAR:		return 0xC0000083u;
	case HV_X64_REGISTER_SFMASK:		return 0xC0000084u;
	case HV_X64_REGISTER_KERNEL_GS_BASE:	return 0xC0000102u;
	case HV_X64_REGISTER_TSC_AUX:		return 0xC0000103u;
	default:				return 0;
	}
}

/* Another thread is about to use the vCPU: get the run out of KVM_RUN. */
static void hold(struct kvm_vp *v)
{
	pthread_mutex_lock(&v->mu);
	v->holds++;
	/*
	 * A run inside KVM_RUN is kicked out, and waited for: its
	 * registers then are KVM's and the sync area's (vcpu_ioctl), so the
	 * ioctl below neither waits for a guest nor is overwritten by the
	 * run's sync.  The run takes no instance lock meanwhile.
	 */
	if (v->in_run) {
		kick_locked(v);
		while (v->in_run)
			pthread_cond_wait(&v->cv, &v->mu);
	}
	/* A run in progress changes them between two accesses. */
	if (v->claimed || v->io)
		cache_drop(v);
	pthread_mutex_unlock(&v->mu);
}

static void unhold(struct kvm_vp *v, bool wrote)
{
	pthread_mutex_lock(&v->mu);
	v->holds--;
	if (wrote)
		v->gen++;
	pthread_cond_broadcast(&v->cv);
	pthread_mutex_unlock(&v->mu);
}

/*
 * Special registers.  HvSetVpRegisters names one register at a time, and
 * a parent that builds a state (real mode to long mode, say) passes
 * through combinations KVM_SET_SREGS refuses: PAE paging on before
 * EFER.LMA, LMA before a 64-bit CS.  The TLFS checks the state as a whole
 * when the VP next runs (an invalid one stops it with
 * HvMessageTypeInvalidVpRegisterValue), so a state KVM refuses waits here
 * and is loaded at the run; a value invalid by itself is refused now.
 * The caller holds the VP (holds > 0) or runs it.
 */
#define CR0_PE		1ull
#define CR0_NW		(1ull << 29)
#define CR0_CD		(1ull << 30)
#define CR0_PG		(1ull << 31)
#define EFER_LME	(1ull << 8)
/* EFER: SCE, LME, LMA, NXE, SVME, LMSLE, FFXSR, TCE (SDM 2.2.1, APM 3.1.7). */
#define EFER_DEFINED	0xFD01ull

static int get_sregs(struct kvm_vp *v, struct kvm_sregs *s)
{
	if (v->sregs_pending) {
		*s = v->sregs;
		return 0;
	}
	if (!v->csregs_ok) {
		if (vcpu_ioctl(v, KVM_GET_SREGS, &v->csregs))
			return -1;
		v->csregs_ok = true;
	}
	*s = v->csregs;
	return 0;
}

/* Paging outside long mode: a state KVM is handed only at a run, and
 * only where it can run it (kvm_legacy_paging). */
static bool legacy_paging(const struct kvm_sregs *s)
{
	return (s->cr0 & CR0_PG) && !(s->efer & EFER_LME);
}

/* Load s into the vCPU: false when KVM cannot take it. */
static bool load_sregs(struct kvm_vp *v, const struct kvm_sregs *s)
{
	if (legacy_paging(s) && !v->io && !kvm_legacy_paging(v->kp->k))
		return false;
	return !vcpu_ioctl(v, KVM_SET_SREGS, (void *)s);
}

static int set_sregs(struct kvm_vp *v, const struct kvm_sregs *s)
{
	v->sregs_pending = legacy_paging(s) || !load_sregs(v, s);
	if (v->sregs_pending)
		v->sregs = *s;
	/* What KVM holds may differ from s (bits it forces): read again. */
	v->csregs_ok = false;
	return 0;
}

/* Values the architecture refuses whatever the other registers hold. */
static bool sreg_value_valid(uint32_t name, uint64_t x)
{
	switch (name) {
	case HV_X64_REGISTER_CR0:
		return !(x >> 32) && !((x & CR0_PG) && !(x & CR0_PE)) &&
		       !((x & CR0_NW) && !(x & CR0_CD));
	case HV_X64_REGISTER_CR8:
		return x <= 15;
	case HV_X64_REGISTER_EFER:
		return !(x & ~EFER_DEFINED);
	default:
		return true;
	}
}

static int reg_access(struct kvm_vp *v, uint32_t name,
		      union hv_register_value *val, bool write)
{
	if (name >= HV_X64_REGISTER_RAX && name <= HV_X64_REGISTER_RFLAGS) {
		if (!v->cregs_ok) {
			if (vcpu_ioctl(v, KVM_GET_REGS, &v->cregs))
				return -EIO;
			v->cregs_ok = true;
		}
		struct kvm_regs r = v->cregs;

		/* struct kvm_regs keeps RAX..R15, RIP, RFLAGS in HV's order
		 * but for RBX/RCX/RDX and RSP/RBP/RSI/RDI. */
		uint64_t *slot[] = {
			(uint64_t *)&r.rax, (uint64_t *)&r.rcx,
			(uint64_t *)&r.rdx, (uint64_t *)&r.rbx,
			(uint64_t *)&r.rsp, (uint64_t *)&r.rbp,
			(uint64_t *)&r.rsi, (uint64_t *)&r.rdi,
			(uint64_t *)&r.r8, (uint64_t *)&r.r9,
			(uint64_t *)&r.r10, (uint64_t *)&r.r11,
			(uint64_t *)&r.r12, (uint64_t *)&r.r13,
			(uint64_t *)&r.r14, (uint64_t *)&r.r15,
			(uint64_t *)&r.rip, (uint64_t *)&r.rflags,
		};
		uint64_t *u = slot[name - HV_X64_REGISTER_RAX];

		if (!write) {
			val->reg64 = *u;
			return 0;
		}
		*u = val->reg64;
		if (vcpu_ioctl(v, KVM_SET_REGS, &r)) {
			v->cregs_ok = false;
			return -EINVAL;
		}
		v->cregs = r;
		return 0;
	}
	if (name >= HV_X64_REGISTER_DR0 && name <= HV_X64_REGISTER_DR7) {
		/* DR0-3, DR6, DR7 (HV's order is KVM's, DR4-5 absent). */
		struct kvm_debugregs d;
		unsigned i = name - HV_X64_REGISTER_DR0;
		__u64 *u = i < 4 ? &d.db[i] : i == 4 ? &d.dr6 : &d.dr7;

		if (cached_get(v, KVM_GET_DEBUGREGS, &v->cdebug,
			       &v->cdebug_ok, &d, sizeof(d)))
			return -EIO;
		if (!write) {
			val->reg64 = *u;
			return 0;
		}
		if (i >= 4 && (val->reg64 >> 32))
			return -EINVAL;	/* reserved, as the core says */
		*u = val->reg64;
		v->cdebug_ok = false;	/* KVM may keep other bits */
		return vcpu_ioctl(v, KVM_SET_DEBUGREGS, &d) ? -EINVAL : 0;
	}
	if (name == HV_X64_REGISTER_XFEM) {
		/* XCR0, within the partition's XSAVE states (x87, SSE,
		 * AVX): x87 always, AVX only with SSE (SDM 13.3). */
		struct kvm_xcrs x;

		memset(&x, 0, sizeof(x));
		if (!write) {
			if (cached_get(v, KVM_GET_XCRS, &v->cxcrs,
				       &v->cxcrs_ok, &x, sizeof(x)))
				return -EIO;
			val->reg64 = 1;		/* no XCR0 entry: x87 only */
			for (uint32_t i = 0; i < x.nr_xcrs; i++)
				if (x.xcrs[i].xcr == 0)
					val->reg64 = x.xcrs[i].value;
			return 0;
		}
		uint64_t x0 = val->reg64;

		if (!(x0 & 1) || (x0 & ~7ull) || ((x0 & 4) && !(x0 & 2)))
			return -EINVAL;
		x.nr_xcrs = 1;
		x.xcrs[0].xcr = 0;
		x.xcrs[0].value = x0;
		v->cxcrs_ok = v->cxsave_ok = false;
		return vcpu_ioctl(v, KVM_SET_XCRS, &x) ? -EINVAL : 0;
	}
	uint32_t msr = reg_msr(name);

	if (msr) {
		if (vcpu_msr(v, msr, &val->reg64, write))
			return write ? -EINVAL : -EIO;
		return 0;
	}
	struct kvm_sregs s;
	struct kvm_segment *seg;
	uint64_t *u = NULL;
	struct kvm_dtable *t = NULL;

	if (name == HV_X64_REGISTER_IDTR || name == HV_X64_REGISTER_GDTR) {
		if (get_sregs(v, &s))
			return -EIO;
		t = name == HV_X64_REGISTER_IDTR ? &s.idt : &s.gdt;
		if (!write) {
			memset(&val->table, 0, sizeof(val->table));
			val->table.base = t->base;
			val->table.limit = t->limit;
			return 0;
		}
		t->base = val->table.base;
		t->limit = val->table.limit;
	} else {
		struct kvm_sregs probe;

		seg = sreg_seg(&probe, name);
		u = sreg_u64(&probe, name);
		if (!seg && !u)
			return -ENOENT;	/* the core keeps it */
		if (get_sregs(v, &s))
			return -EIO;
		seg = sreg_seg(&s, name);
		u = sreg_u64(&s, name);
		if (!write) {
			if (seg)
				seg_to_hv(seg, &val->segment);
			else
				val->reg64 = *u;
			return 0;
		}
		if (seg) {
			seg_from_hv(&val->segment, seg);
		} else {
			if (!sreg_value_valid(name, val->reg64))
				return -EINVAL;
			*u = val->reg64;
		}
	}
	return set_sregs(v, &s);
}

int kvm_vp_reg(struct ohv_bvp *bv, uint32_t name, union hv_register_value *val,
	       bool write)
{
	struct kvm_vp *v = (struct kvm_vp *)bv;

	hold(v);
	int err = reg_access(v, name, val, write);

	unhold(v, write && !err);
	return err;
}

/* ---------------------------------------------------------------------- */
/* The LAPIC: KVM's xAPIC register page (KVM API "KVM_GET_LAPIC"; SDM      */
/* 11.4.1 table 11-1 offsets) and hvhdk.h's LAPIC state.                   */

#define XAPIC_ID	0x020
#define XAPIC_LDR	0x0D0
#define XAPIC_DFR	0x0E0
#define XAPIC_SVR	0x0F0
#define XAPIC_ISR	0x100
#define XAPIC_TMR	0x180
#define XAPIC_IRR	0x200
#define XAPIC_ESR	0x280
#define XAPIC_CMCI	0x2F0
#define XAPIC_ICR_LO	0x300
#define XAPIC_ICR_HI	0x310
#define XAPIC_LVT_TIMER	0x320
#define XAPIC_LVT_THERM	0x330
#define XAPIC_LVT_PERF	0x340
#define XAPIC_LVT_LINT0	0x350
#define XAPIC_LVT_LINT1	0x360
#define XAPIC_LVT_ERR	0x370
#define XAPIC_TMICT	0x380
#define XAPIC_TMCCT	0x390
#define XAPIC_TDCR	0x3E0

static uint32_t *apic_reg(struct kvm_lapic_state *k, unsigned off)
{
	return (uint32_t *)(void *)(k->regs + off);
}

/* The fields both share; the version and the current count are KVM's to
 * compute, the TPR is CR8. */
static void lapic_fields(struct kvm_lapic_state *k,
			 struct hv_local_interrupt_controller_state *h,
			 bool to_kvm)
{
#define HF(f) offsetof(struct hv_local_interrupt_controller_state, f)
	static const struct { unsigned off; size_t field; } map[] = {
		{ XAPIC_LDR, HF(apic_ldr) },
		{ XAPIC_DFR, HF(apic_dfr) },
		{ XAPIC_SVR, HF(apic_spurious) },
		{ XAPIC_ESR, HF(apic_esr) },
		{ XAPIC_CMCI, HF(apic_lvt_cmci) },
		{ XAPIC_ICR_LO, HF(apic_icr_low) },
		{ XAPIC_ICR_HI, HF(apic_icr_high) },
		{ XAPIC_LVT_TIMER, HF(apic_lvt_timer) },
		{ XAPIC_LVT_THERM, HF(apic_lvt_thermal) },
		{ XAPIC_LVT_PERF, HF(apic_lvt_perfmon) },
		{ XAPIC_LVT_LINT0, HF(apic_lvt_lint0) },
		{ XAPIC_LVT_LINT1, HF(apic_lvt_lint1) },
		{ XAPIC_LVT_ERR, HF(apic_lvt_error) },
		{ XAPIC_TMICT, HF(apic_initial_count) },
		{ XAPIC_TDCR, HF(apic_divide_configuration) },
	};
#undef HF
	uint8_t *hb = (uint8_t *)h;

	for (size_t i = 0; i < sizeof(map) / sizeof(map[0]); i++) {
		uint32_t *kr = apic_reg(k, map[i].off);

		if (to_kvm)
			memcpy(kr, hb + map[i].field, 4);
		else
			memcpy(hb + map[i].field, kr, 4);
	}
	for (unsigned i = 0; i < 8; i++) {
		if (to_kvm) {
			*apic_reg(k, XAPIC_ISR + 16 * i) = h->apic_isr[i];
			*apic_reg(k, XAPIC_TMR + 16 * i) = h->apic_tmr[i];
			*apic_reg(k, XAPIC_IRR + 16 * i) = h->apic_irr[i];
		} else {
			h->apic_isr[i] = *apic_reg(k, XAPIC_ISR + 16 * i);
			h->apic_tmr[i] = *apic_reg(k, XAPIC_TMR + 16 * i);
			h->apic_irr[i] = *apic_reg(k, XAPIC_IRR + 16 * i);
		}
	}
}

int kvm_vp_lapic(struct ohv_bvp *bv,
		 struct hv_local_interrupt_controller_state *state, bool write)
{
	struct kvm_vp *v = (struct kvm_vp *)bv;
	struct kvm_lapic_state k;
	int err = 0;

	hold(v);
	if (vcpu_ioctl(v, KVM_GET_LAPIC, &k)) {
		err = -ENOENT;	/* no in-kernel LAPIC: the core's */
	} else if (!write) {
		uint32_t id = *apic_reg(&k, XAPIC_ID);

		lapic_fields(&k, state, false);
		/* xAPIC keeps the id in bits 31:24 (SDM 11.4.6). */
		state->apic_id = id >> 24;
		state->apic_counter_value = *apic_reg(&k, XAPIC_TMCCT);
	} else {
		if (state->apic_id > 0xFF)
			err = -EINVAL;
		else {
			lapic_fields(&k, state, true);
			*apic_reg(&k, XAPIC_ID) = state->apic_id << 24;
			if (vcpu_ioctl(v, KVM_SET_LAPIC, &k))
				err = -EINVAL;
		}
	}
	unhold(v, write && !err);
	return err;
}

/* ---------------------------------------------------------------------- */
/* x87, SSE and AVX: KVM's standard XSAVE area and the compacted image of  */
/* the core (SDM 13.4).  With no component past AVX the two agree but for  */
/* XCOMP_BV: legacy area 0-511, header 512-575, AVX from 576.               */

#define XSAVE_XSTATE_BV		512
#define XSAVE_XCOMP_BV		520
#define XSAVE_EXTENDED		576
#define XCOMP_COMPACTED		(1ull << 63)

/* The legacy components of img not in their initial state: x87 (FCW
 * 0x37F, the rest zero) and SSE (XMM registers zero, MXCSR 0x1F80). */
static uint64_t legacy_in_use(const uint8_t *img)
{
	static const uint8_t zero[256];
	uint16_t fcw;
	uint32_t mxcsr;
	uint64_t bv = 0;

	memcpy(&fcw, img, 2);
	memcpy(&mxcsr, img + 24, 4);
	if (fcw != 0x37F || memcmp(img + 2, zero, 22) ||
	    memcmp(img + 32, zero, 128))
		bv |= HV_XSAVE_STATE_X87;
	if (mxcsr != 0x1F80 || memcmp(img + 160, zero, 256))
		bv |= HV_XSAVE_STATE_SSE;
	return bv;
}

int kvm_vp_xsave(struct ohv_bvp *bv, uint8_t *img, size_t len,
		 uint64_t states, bool write)
{
	struct kvm_vp *v = (struct kvm_vp *)bv;
	struct kvm_xsave k;
	uint8_t *area = (uint8_t *)k.region;
	int err = 0;

	if (len > sizeof(k.region) || len < XSAVE_EXTENDED ||
	    (states & ~(uint64_t)7))
		return -ENOENT;	/* a layout this does not convert */
	hold(v);
	if (cached_get(v, KVM_GET_XSAVE, &v->cxsave, &v->cxsave_ok, &k,
		       sizeof(k))) {
		err = -ENOENT;
	} else if (!write) {
		uint64_t bv_, comp = XCOMP_COMPACTED | states;

		memcpy(img, area, len);
		memcpy(&bv_, area + XSAVE_XSTATE_BV, 8);
		bv_ &= states;
		memcpy(img + XSAVE_XSTATE_BV, &bv_, 8);
		memcpy(img + XSAVE_XCOMP_BV, &comp, 8);
	} else {
		uint64_t bv_, zero = 0;

		memcpy(area, img, HV_XSAVE_LEGACY_SIZE);
		memcpy(&bv_, img + XSAVE_XSTATE_BV, 8);
		/* A component whose bytes are not its initial state is in
		 * use, whatever XSTATE_BV says, or XRSTOR would take the
		 * initial state instead (SDM 13.6). */
		bv_ |= legacy_in_use(img);
		bv_ &= states;
		memcpy(area + XSAVE_XSTATE_BV, &bv_, 8);
		memcpy(area + XSAVE_XCOMP_BV, &zero, 8);
		if (len > XSAVE_EXTENDED)
			memcpy(area + XSAVE_EXTENDED, img + XSAVE_EXTENDED,
			       len - XSAVE_EXTENDED);
		v->cxsave_ok = false;
		if (vcpu_ioctl(v, KVM_SET_XSAVE, &k))
			err = -EINVAL;
	}
	unhold(v, write && !err);
	return err;
}

/* ---------------------------------------------------------------------- */
/* The run loop.                                                           */

/* Write regs back after an exit, unless another thread wrote registers
 * since the exit (then only the fields the exit changed). */
static void regs_writeback(struct kvm_vp *v, uint64_t gen,
			   const struct kvm_regs *r)
{
	pthread_mutex_lock(&v->mu);
	while (v->holds)
		pthread_cond_wait(&v->cv, &v->mu);
	if (v->gen == gen && !v->io) {
		/* Synced at the next KVM_RUN: no ioctl (kvm-facts §3). */
		v->run->s.regs.regs = *r;
		v->run->kvm_dirty_regs |= KVM_SYNC_X86_REGS;
	} else if (v->gen == gen) {
		vcpu_ioctl(v, KVM_SET_REGS, (void *)r);
	} else {
		struct kvm_regs now;

		if (!vcpu_ioctl(v, KVM_GET_REGS, &now)) {
			now.rax = r->rax;
			now.rcx = r->rcx;
			now.rdx = r->rdx;
			now.r8 = r->r8;
			vcpu_ioctl(v, KVM_SET_REGS, &now);
		}
	}
	pthread_mutex_unlock(&v->mu);
}

#define CR4_LA57	(1ull << 12)
#define EFER_LMA	(1ull << 10)
#define PTE_P		1ull
#define PTE_PS		(1ull << 7)
#define PTE_ADDR	0x000FFFFFFFFFF000ull

/* A qword of guest memory at gpa (8-aligned: never across a page). */
static bool read_gpa64(struct kvm_vp *v, uint64_t gpa, uint64_t *out)
{
	uint32_t frame;
	unsigned rights;

	if (!kvm_gpa_frame(v->kp, gpa / HV_PAGE_SIZE, &frame, &rights) ||
	    !(rights & HV_MAP_GPA_READABLE))
		return false;
	const uint8_t *page = ohv_be_frame(v->kp->k->hv, frame);

	if (!page)
		return false;
	memcpy(out, page + gpa % HV_PAGE_SIZE, sizeof(*out));
	return true;
}

/*
 * The GPA behind a linear address.  Paging off, or 4-level long-mode
 * paging: the guest's page tables, read here (no vCPU ioctl, which costs
 * microseconds on a hypercall's path); any other mode: KVM_TRANSLATE.
 */
static bool translate(struct kvm_vp *v, const struct kvm_sregs *s,
		      uint64_t linear, uint64_t *gpa)
{
	if (!(s->cr0 & CR0_PG)) {
		*gpa = linear & 0xFFFFFFFFu;
		return true;
	}
	if (!(s->efer & EFER_LMA) || (s->cr4 & CR4_LA57)) {
		struct kvm_translation t = { .linear_address = linear };

		if (vcpu_ioctl(v, KVM_TRANSLATE, &t) || !t.valid)
			return false;
		*gpa = t.physical_address;
		return true;
	}
	uint64_t table = s->cr3 & PTE_ADDR;

	for (int level = 4; level >= 1; level--) {
		unsigned shift = 12 + 9 * (unsigned)(level - 1);
		uint64_t e;

		if (!read_gpa64(v, table + ((linear >> shift) & 511) * 8, &e) ||
		    !(e & PTE_P))
			return false;
		if (level == 1 || (level <= 3 && (e & PTE_PS))) {
			uint64_t size = 1ull << shift;

			*gpa = ((e & PTE_ADDR) & ~(size - 1)) | (linear & (size - 1));
			return true;
		}
		table = e & PTE_ADDR;
	}
	return false;
}

/* Read guest memory at a linear address through the GPA map. */
static size_t read_linear(struct kvm_vp *v, const struct kvm_sregs *s,
			  uint64_t linear, uint8_t *buf, size_t len)
{
	struct ohv *hv = v->kp->k->hv;
	size_t done = 0;

	while (done < len) {
		uint64_t gpa;
		uint32_t frame;
		unsigned rights;

		if (!translate(v, s, linear + done, &gpa) ||
		    !kvm_gpa_frame(v->kp, gpa / HV_PAGE_SIZE, &frame, &rights) ||
		    !(rights & HV_MAP_GPA_READABLE))
			break;
		const uint8_t *page = ohv_be_frame(hv, frame);
		size_t off = gpa % HV_PAGE_SIZE;
		size_t n = HV_PAGE_SIZE - off;

		if (!page)
			break;
		if (n > len - done)
			n = len - done;
		memcpy(buf + done, page + off, n);
		done += n;
	}
	return done;
}

/* CPL: CS.RPL in protected mode (SDM 5.5; a PVM KVM's SS.DPL does not
 * follow it, kvm-facts §3), 3 in virtual-8086 mode, 0 in real mode. */
#define RFLAGS_VM	(1ull << 17)

static unsigned cpl_of(const struct kvm_sregs *s, const struct kvm_regs *r)
{
	if (!(s->cr0 & 1))
		return 0;
	return r->rflags & RFLAGS_VM ? 3 : s->cs.selector & 3;
}

/*
 * What the parent sees of the stop: KVM's pending completion of the
 * exiting instruction is retired (re-entering with immediate_exit runs no
 * guest code, KVM API "KVM_RUN"), then the registers go back to the exit's
 * with RIP on the intercepted instruction, which is not completed
 * (spec.md §11.4).  Returns that instruction's address and sets *len (0
 * when it cannot be told).  past is the length of the instruction that
 * ends at RIP, for when KVM has moved RIP past it already (0: unknown).
 */
static uint64_t retire(struct kvm_vp *v, uint64_t gen, struct kvm_regs *r,
		       unsigned past, unsigned *len)
{
	uint64_t before = r->rip, after = before;
	struct kvm_regs now;

	__atomic_store_n(&v->run->immediate_exit, 1, __ATOMIC_RELEASE);
	vcpu_ioctl(v, KVM_RUN, NULL);
	v->run->immediate_exit = 0;
	/* KVM_RUN stores the synced registers however it returns. */
	if (!v->io)
		after = v->run->s.regs.regs.rip;
	else if (!vcpu_ioctl(v, KVM_GET_REGS, &now))
		after = now.rip;
	*len = 0;
	if (after > before && after - before <= 15) {
		*len = (unsigned)(after - before);
	} else if (past) {
		/* KVM had moved RIP past the instruction at the exit. */
		*len = past;
		before -= past;
	}
	r->rip = before;
	regs_writeback(v, gen, r);
	return before;
}

static void fill_header(struct kvm_vp *v,
			struct hv_x64_intercept_message_header *h,
			const struct kvm_regs *r, const struct kvm_sregs *s,
			const struct kvm_vcpu_events *ev, uint64_t rip,
			unsigned len, unsigned access)
{
	uint16_t st = (uint16_t)cpl_of(s, r);

	if (s->cr0 & 1)
		st |= HV_X64_EXEC_STATE_CR0_PE;
	if (s->cr0 & (1u << 18))
		st |= HV_X64_EXEC_STATE_CR0_AM;
	if (s->efer & (1u << 10))
		st |= HV_X64_EXEC_STATE_EFER_LMA;
	if (ev->exception.injected || ev->interrupt.injected || ev->nmi.injected)
		st |= HV_X64_EXEC_STATE_INTERRUPTION_PENDING;
	if (ev->interrupt.shadow)
		st |= HV_X64_EXEC_STATE_INTERRUPT_SHADOW;
	h->vp_index = v->id.index;
	h->instruction_length_cr8 = (uint8_t)((len & 0xF) | (s->cr8 & 0xF) << 4);
	h->intercept_access_type = (uint8_t)access;
	h->execution_state = st;
	seg_to_hv(&s->cs, &h->cs_segment);
	h->rip = rip;
	h->rflags = r->rflags;
}

static void msg_begin(struct kvm_vp *v, struct hv_message *m, uint32_t type,
		      size_t size)
{
	memset(m, 0, sizeof(*m));
	m->header.message_type = type;
	m->header.payload_size = (uint8_t)size;
	/* Intercept messages name the intercepted partition (facts §4.10). */
	m->header.sender = v->id.partition_id;
}

/* The length of the I/O instruction that ends at rip (when KVM has moved
 * past it), from its opcode: E4-E7 take an imm8 port, EC-EF and the
 * string forms 6C-6F none. */
static unsigned io_length_before(struct kvm_vp *v, const struct kvm_sregs *s,
				 uint64_t rip, uint16_t port)
{
	uint8_t b[2];

	if (rip < 2 || read_linear(v, s, s->cs.base + rip - 2, b, 2) != 2)
		return 0;
	if (b[0] >= 0xE4 && b[0] <= 0xE7 && b[1] == (uint8_t)port)
		return 2;
	if ((b[1] >= 0xEC && b[1] <= 0xEF) || (b[1] >= 0x6C && b[1] <= 0x6F))
		return 1;
	return 0;
}

static int io_intercept(struct kvm_vp *v, uint64_t gen, struct kvm_regs *r,
			const struct kvm_sregs *s,
			const struct kvm_vcpu_events *ev, struct hv_message *m)
{
	const struct kvm_run *run = v->run;
	struct hv_x64_io_port_intercept_message *io = (void *)m->payload;
	unsigned guess = io_length_before(v, s, r->rip, run->io.port);
	unsigned len;
	/*
	 * Hardware KVM leaves RIP on the instruction and moves it past when
	 * the exit is retired; a PVM KVM has moved it already, and retiring
	 * leaves it (kvm-facts, addendum).  retire() tells them apart by
	 * that motion, not by the bytes at RIP: the next instruction may
	 * start like an I/O one (F3 of movdqu, a second out).
	 */
	uint64_t rip = retire(v, gen, r, guess, &len);

	msg_begin(v, m, HVMSG_X64_IO_PORT_INTERCEPT, sizeof(*io));
	fill_header(v, &io->header, r, s, ev, rip, len,
		    run->io.direction == KVM_EXIT_IO_OUT ?
		    HV_INTERCEPT_ACCESS_WRITE : HV_INTERCEPT_ACCESS_READ);
	io->port_number = run->io.port;
	io->access_info = run->io.size & HV_X64_IO_ACCESS_SIZE_MASK;
	io->instruction_byte_count = (uint8_t)read_linear(v, s, s->cs.base + rip,
				io->instruction_bytes, len ? len : 16);
	for (unsigned i = 0; i < io->instruction_byte_count; i++) {
		uint8_t b = io->instruction_bytes[i];

		if (b == 0xF3 || b == 0xF2)
			io->access_info |= HV_X64_IO_ACCESS_REP;
		else if (b >= 0x6C && b <= 0x6F)
			io->access_info |= HV_X64_IO_ACCESS_STRING;
		if (b != 0xF3 && b != 0xF2 && b != 0x66 && (b & 0xF0) != 0x40)
			break;	/* past the prefixes: the opcode */
	}
	io->rax = r->rax;
	seg_to_hv(&s->ds, &io->ds_segment);
	seg_to_hv(&s->es, &io->es_segment);
	io->rcx = r->rcx;
	io->rsi = r->rsi;
	io->rdi = r->rdi;
	return 0;
}

static unsigned code_mode(const struct kvm_sregs *s)
{
	if ((s->efer & (1u << 10)) && s->cs.l)
		return 64;
	return (s->cr0 & 1) && s->cs.db ? 32 : 16;
}

static int mem_intercept(struct kvm_vp *v, uint64_t gen, struct kvm_regs *r,
			 const struct kvm_sregs *s,
			 const struct kvm_vcpu_events *ev, struct hv_message *m,
			 uint32_t type, uint64_t gpa, unsigned access)
{
	struct hv_x64_memory_intercept_message *mi = (void *)m->payload;
	unsigned len, past = 0;
	struct kvm_insn_ctx c = {
		.mode = code_mode(s),
		.gpr = { r->rax, r->rcx, r->rdx, r->rbx, r->rsp, r->rbp,
			 r->rsi, r->rdi, r->r8, r->r9, r->r10, r->r11,
			 r->r12, r->r13, r->r14, r->r15 },
		.seg_base = { s->es.base, s->cs.base, s->ss.base,
			      s->ds.base, s->fs.base, s->gs.base },
		.end = r->rip,
		.fault_gpa = gpa,
	};

	/* KVM finishes an instruction that writes before it exits, so RIP
	 * is past it: find where it began. */
	if (access == HV_INTERCEPT_ACCESS_WRITE && r->rip >= 15) {
		uint8_t b[15];

		if (read_linear(v, s, s->cs.base + r->rip - 15, b, 15) == 15)
			past = kvm_insn_before(b, 15, &c);
	}
	uint64_t rip = retire(v, gen, r, past, &len);
	uint64_t gva = s->cs.base + rip, back;

	msg_begin(v, m, type, sizeof(*mi));
	fill_header(v, &mi->header, r, s, ev, rip, len, access);
	mi->guest_physical_address = gpa;
	mi->instruction_byte_count = (uint8_t)read_linear(v, s, s->cs.base + rip,
				mi->instruction_bytes, len ? len : 16);
	/*
	 * The guest virtual address of the access (TLFS: GVA valid): the
	 * fetch's, or the operand's as the instruction's bytes and the
	 * registers give it, when it leads back to the GPA.  A VMM that
	 * emulates the access (QEMU's mshv) starts from it.
	 */
	if ((access == HV_INTERCEPT_ACCESS_EXECUTE ||
	     kvm_insn_operand(mi->instruction_bytes, mi->instruction_byte_count,
			      &c, rip, &gva)) &&
	    translate(v, s, gva, &back) && back == gpa) {
		mi->guest_virtual_address = gva;
		mi->memory_access_info |= HV_X64_MEMORY_ACCESS_GVA_VALID;
	}
	return 0;
}

static int header_only(struct kvm_vp *v, uint64_t gen, struct kvm_regs *r,
		       const struct kvm_sregs *s,
		       const struct kvm_vcpu_events *ev, struct hv_message *m,
		       uint32_t type)
{
	struct hv_x64_intercept_message_header *h = (void *)m->payload;

	msg_begin(v, m, type, sizeof(*h));
	fill_header(v, h, r, s, ev, r->rip, 0, HV_INTERCEPT_ACCESS_READ);
	(void)gen;
	return 0;
}

/*
 * KVM could not emulate an instruction.  It ends up here when the guest
 * executes from a page with no memslot: KVM cannot fetch the instruction.
 * Then the TLFS's answer is a memory intercept of the execute access
 * (spec.md §11.4), UNMAPPED_GPA where nothing is mapped, GPA_INTERCEPT
 * where the page is mapped without read access, no instruction bytes; the
 * parent may emulate the instruction from its own view of the memory, as
 * a VMM does with a ROM it keeps to itself.  Any other failure stops the
 * VP as unrecoverable.
 */
static int fetch_fault(struct kvm_vp *v, uint64_t gen, struct kvm_regs *r,
		       const struct kvm_sregs *s,
		       const struct kvm_vcpu_events *ev, struct hv_message *m)
{
	uint64_t gpa;
	uint32_t frame;
	unsigned rights = 0;

	if (translate(v, s, s->cs.base + r->rip, &gpa)) {
		bool mapped = kvm_gpa_frame(v->kp, gpa / HV_PAGE_SIZE, &frame,
					    &rights);

		if (!mapped || !(rights & HV_MAP_GPA_READABLE))
			return mem_intercept(v, gen, r, s, ev, m,
					     mapped ? HVMSG_GPA_INTERCEPT :
					     HVMSG_UNMAPPED_GPA, gpa,
					     HV_INTERCEPT_ACCESS_EXECUTE);
	}
	return header_only(v, gen, r, s, ev, m, HVMSG_UNRECOVERABLE_EXCEPTION);
}

/*
 * A guest access KVM had no memslot for (spec.md §11.2): done here against
 * the model's GPA map when the page is reachable, else the parent's.
 * Returns 1 to go on running, 0 with an intercept in *m.
 */
static int mmio_exit(struct kvm_vp *v, uint64_t gen, struct kvm_regs *r,
		     const struct kvm_sregs *s, const struct kvm_vcpu_events *ev,
		     struct hv_message *m)
{
	struct kvm_run *run = v->run;
	struct ohv *hv = v->kp->k->hv;
	uint64_t gpa = run->mmio.phys_addr;
	unsigned n = run->mmio.len > 8 ? 8 : run->mmio.len;
	bool wr = run->mmio.is_write;
	unsigned need = wr ? HV_MAP_GPA_WRITABLE : HV_MAP_GPA_READABLE;

	if (kvm_is_hypercall_page(v->kp, gpa / HV_PAGE_SIZE)) {
		/* The overlay is read-only: writes are dropped. */
		if (!wr)
			memcpy(run->mmio.data, v->kp->stub + gpa % HV_PAGE_SIZE,
			       n > HV_PAGE_SIZE - gpa % HV_PAGE_SIZE ? 0 : n);
		return 1;
	}
	if (wr) {
		/* A doorbell of the partition's (spec.md §10): the write
		 * rings it and is done. */
		uint64_t value = 0;

		memcpy(&value, run->mmio.data, n);
		int rang = ohv_be_doorbell(hv, &v->id, gpa, n, value);

		if (rang)
			return rang < 0 ? rang : 1;
	}
	for (unsigned i = 0; i < n; i++) {
		uint64_t a = gpa + i;
		uint32_t frame;
		unsigned rights;
		bool mapped = ohv_be_gpa(hv, v->id.partition_id,
					 a / HV_PAGE_SIZE, &frame, &rights);
		uint8_t *page = mapped ? ohv_be_frame(hv, frame) : NULL;

		if (!page || !(rights & need))
			return mem_intercept(v, gen, r, s, ev, m,
					     mapped ? HVMSG_GPA_INTERCEPT :
					     HVMSG_UNMAPPED_GPA, a,
					     wr ? HV_INTERCEPT_ACCESS_WRITE :
					     HV_INTERCEPT_ACCESS_READ);
	}
	for (unsigned i = 0; i < n; i++) {
		uint64_t a = gpa + i;
		uint32_t frame;
		unsigned rights;

		if (!ohv_be_gpa(hv, v->id.partition_id, a / HV_PAGE_SIZE,
				&frame, &rights))
			continue;
		uint8_t *b = (uint8_t *)ohv_be_frame(hv, frame) + a % HV_PAGE_SIZE;

		if (wr)
			*b = run->mmio.data[i];
		else
			run->mmio.data[i] = *b;
	}
	return 1;
}

/* Inject an exception with no error code at the faulting instruction. */
static void inject(struct kvm_vp *v, uint64_t gen, struct kvm_regs *r,
		   unsigned vector, unsigned io_len)
{
	unsigned len;
	struct kvm_vcpu_events ev;

	retire(v, gen, r, io_len, &len);
	if (vcpu_ioctl(v, KVM_GET_VCPU_EVENTS, &ev))
		return;
	ev.exception.injected = 1;
	ev.exception.nr = (uint8_t)vector;
	ev.exception.has_error_code = 0;
	ev.flags = 0;
	vcpu_ioctl(v, KVM_SET_VCPU_EVENTS, &ev);
}

#define VEC_UD	6

/*
 * Whether a fast call's input and output go beyond RDX and R8 into XMM0-5
 * (XMM-fast, TLFS-md hypercall-interface.md): its layouts in the call
 * table say.  Only then are the XMM registers read (KVM_GET_FPU).
 */
static bool needs_xmm(uint64_t control)
{
	if (!(control & HV_HYPERCALL_FAST_BIT))
		return false;
	const struct ohv_call_info *ci = ohv_call_info((uint16_t)control);

	if (!ci)
		return false;
	uint64_t reps = (control & HV_HYPERCALL_REP_COUNT_MASK) >>
			HV_HYPERCALL_REP_COMP_OFFSET;
	uint64_t var = ((control & HV_HYPERCALL_VARHEAD_MASK) >>
			HV_HYPERCALL_VARHEAD_OFFSET) * 8;
	uint64_t in = ci->in_size[OHV_ARCH_X64] + var +
		      (ci->rep ? reps * ci->in_elem : 0);
	uint64_t out = ci->rep ? reps * ci->out_elem : ci->out_size;

	return in + out > 16;
}

/*
 * A guest hypercall (spec.md §11.3): 64-bit mode, CPL 0, the registers of
 * the x64 convention.  A call the core cut short for time is issued again
 * at once, as the hypervisor re-executes it for the guest.  Returns 0, or
 * -ESHUTDOWN when the VP went away meanwhile.
 */
static int hypercall(struct kvm_vp *v, uint64_t gen, struct kvm_regs *r,
		     const struct kvm_sregs *s, bool at_insn)
{
	struct ohv *hv = v->kp->k->hv;

	if (cpl_of(s, r) != 0 || !(s->efer & (1u << 10)) || !s->cs.l) {
		inject(v, gen, r, VEC_UD, at_insn ? 0 : 2);
		return 0;
	}
	struct ohv_hvcall c = { .control = r->rcx, .fast = { r->rdx, r->r8 } };
	struct kvm_fpu fpu;
	bool xmm = needs_xmm(c.control) && !vcpu_ioctl(v, KVM_GET_FPU, &fpu);

	if (xmm)
		for (int i = 0; i < 6; i++)
			memcpy(&c.fast[2 + 2 * i], fpu.xmm[i], 16);
	uint64_t in[16];

	memcpy(in, c.fast, sizeof(in));
	for (;;) {
		uint64_t res = ohv_be_hypercall(hv, &v->id, &c);
		uint32_t count = (uint32_t)(c.control >> 32) & 0xFFF;
		uint32_t start = (uint32_t)(c.control >> 48) & 0xFFF;

		if ((res & 0xFFFF) == HV_STATUS_INVALID_VP_INDEX &&
		    __atomic_load_n(&v->deleted, __ATOMIC_ACQUIRE))
			return -ESHUTDOWN;
		/* Cut short for time: SUCCESS, rep start advanced. */
		if ((res & 0xFFFF) != HV_STATUS_SUCCESS || !count ||
		    start >= count || ohv_result_reps(res) >= count)
			break;
	}
	r->rax = c.result;
	r->rcx = c.control;
	r->rdx = c.fast[0];
	r->r8 = c.fast[1];
	if (xmm && memcmp(in + 2, c.fast + 2, 12 * sizeof(uint64_t))) {
		for (int i = 0; i < 6; i++)
			memcpy(fpu.xmm[i], &c.fast[2 + 2 * i], 16);
		vcpu_ioctl(v, KVM_SET_FPU, &fpu);
	}
	regs_writeback(v, gen, r);
	return 0;
}

/*
 * An MSR KVM sent to user space that is not a synthetic one: an installed
 * intercept's (HvInstallIntercept) stops the VP with
 * HVMSG_X64_MSR_INTERCEPT, the instruction not done; an access the
 * intercepts do not name (all-MSR filtering denies by default) is done
 * here with KVM's own MSR ioctls.  0 stopped (*m), 1 run on.
 */
static int msr_other(struct kvm_vp *v, uint64_t gen, struct kvm_regs *r,
		     const struct kvm_sregs *s,
		     const struct kvm_vcpu_events *ev, struct hv_message *m,
		     bool write)
{
	struct kvm_run *run = v->run;
	uint32_t idx = run->msr.index;
	uint32_t a = kvm_msr_intercepted(v->kp, idx);

	if (a & (write ? HV_INTERCEPT_ACCESS_MASK_WRITE :
			 HV_INTERCEPT_ACCESS_MASK_READ)) {
		struct hv_x64_msr_intercept_message *mi = (void *)m->payload;
		unsigned len;

		run->msr.error = 0;
		uint64_t rip = retire(v, gen, r, 0, &len);

		msg_begin(v, m, HVMSG_X64_MSR_INTERCEPT, sizeof(*mi));
		/* rdmsr and wrmsr are two bytes, 0F 32 and 0F 30. */
		fill_header(v, &mi->header, r, s, ev, rip, len ? len : 2,
			    write ? HV_INTERCEPT_ACCESS_WRITE :
				    HV_INTERCEPT_ACCESS_READ);
		mi->msr_number = idx;
		mi->rdx = r->rdx;
		mi->rax = r->rax;
		return 0;
	}
	uint64_t data = run->msr.data;

	if (vcpu_msr(v, idx, &data, write)) {
		run->msr.error = 1;	/* #GP, as the CPU */
	} else {
		run->msr.error = 0;
		run->msr.data = data;
	}
	return 1;
}

/* An MSR exit: a synthetic MSR (spec.md §11.3) goes to the core, #GP
 * when it refuses; any other to msr_other.  0 stopped (*m), 1 run on. */
static int msr_exit(struct kvm_vp *v, uint64_t gen, struct kvm_regs *r,
		    const struct kvm_sregs *s,
		    const struct kvm_vcpu_events *ev, struct hv_message *m,
		    bool write)
{
	struct kvm_run *run = v->run;
	struct ohv *hv = v->kp->k->hv;
	uint64_t val = run->msr.data;

	if (run->msr.index < HV_X64_MSR_SYNTHETIC_FIRST ||
	    run->msr.index >= HV_X64_MSR_SYNTHETIC_FIRST +
			      HV_X64_MSR_SYNTHETIC_COUNT)
		return msr_other(v, gen, r, s, ev, m, write);
	int err = ohv_be_msr(hv, &v->id, run->msr.index, &val, write);

	if (err == -ESHUTDOWN)
		return err;
	run->msr.error = err ? 1 : 0;
	if (!err && !write)
		run->msr.data = val;
	if (!err && write && (run->msr.index == HV_X64_MSR_HYPERCALL ||
			      run->msr.index == HV_X64_MSR_GUEST_OS_ID)) {
		uint64_t hc = 0;

		ohv_be_msr(hv, &v->id, HV_X64_MSR_HYPERCALL, &hc, false);
		kvm_set_hypercall_page(v->kp, hc & HV_X64_MSR_HYPERCALL_ENABLE ?
				       hc / HV_PAGE_SIZE : KVM_NO_PAGE);
	}
	return 1;
}

/* Is this I/O exit the hypercall page's `out`?  *at_insn: RIP is still
 * on it (hardware KVM) rather than past it. */
static bool is_hypercall(struct kvm_vp *v, const struct kvm_regs *r,
			 const struct kvm_sregs *s, bool *at_insn)
{
	const struct kvm_run *run = v->run;

	if (run->io.port != OHV_KVM_HC_PORT || run->io.size != 1 ||
	    run->io.count != 1 || run->io.direction != KVM_EXIT_IO_OUT)
		return false;
	uint64_t linear = s->cs.base + r->rip;
	unsigned off = linear % HV_PAGE_SIZE;

	if (off != 0 && off != 2)
		return false;
	uint64_t gpa;

	if (!translate(v, s, linear, &gpa) ||
	    !kvm_is_hypercall_page(v->kp, gpa / HV_PAGE_SIZE))
		return false;
	*at_insn = off == 0;
	return true;
}

/* Wait until the VP may run or the run must end: 0, -EINTR, -ESHUTDOWN. */
static int wait_runnable(struct kvm_vp *v)
{
	struct ohv *hv = v->kp->k->hv;

	for (;;) {
		pthread_mutex_lock(&v->mu);
		int err = 0;

		while (v->holds)
			pthread_cond_wait(&v->cv, &v->mu);
		if (v->deleted || __atomic_load_n(&v->kp->dead, __ATOMIC_ACQUIRE))
			err = -ESHUTDOWN;
		else if (v->kick_req)
			err = -EINTR;
		if (err) {
			v->kick_req = false;
			pthread_mutex_unlock(&v->mu);
			return err;
		}
		/* Whether it may run changes only with a notification (a
		 * suspend register) or the flags above: ask the core then. */
		bool check = v->check;

		v->notified = false;
		v->check = false;
		pthread_mutex_unlock(&v->mu);
		if (!check || ohv_be_vp_runnable(hv, &v->id))
			return 0;
		pthread_mutex_lock(&v->mu);
		while (!v->notified && !v->kick_req && !v->deleted &&
		       !__atomic_load_n(&v->kp->dead, __ATOMIC_ACQUIRE))
			pthread_cond_wait(&v->cv, &v->mu);
		pthread_mutex_unlock(&v->mu);
	}
}

/*
 * One exit of KVM_RUN: 1 to run on, 0 when the VP stopped for its parent
 * with the intercept message in *m, -ESHUTDOWN when it went away.
 */
static int handle_exit(struct kvm_vp *v, uint64_t gen, struct hv_message *m)
{
	struct kvm_run *run = v->run;
	struct kvm_regs r = run->s.regs.regs;
	const struct kvm_sregs s = run->s.regs.sregs;
	const struct kvm_vcpu_events ev = run->s.regs.events;
	bool at_insn = false;
	int err;

	switch (run->exit_reason) {
	case KVM_EXIT_IO:
		if (is_hypercall(v, &r, &s, &at_insn)) {
			err = hypercall(v, gen, &r, &s, at_insn);
			return err ? err : 1;
		}
		return io_intercept(v, gen, &r, &s, &ev, m);
	case KVM_EXIT_MMIO:
		return mmio_exit(v, gen, &r, &s, &ev, m);
	case KVM_EXIT_X86_RDMSR:
	case KVM_EXIT_X86_WRMSR:
		return msr_exit(v, gen, &r, &s, &ev, m,
				run->exit_reason == KVM_EXIT_X86_WRMSR);
	case KVM_EXIT_HLT:
		return header_only(v, gen, &r, &s, &ev, m, HVMSG_X64_HALT);
	case KVM_EXIT_IRQ_WINDOW_OPEN:
	case KVM_EXIT_INTR:
		return 1;
	case KVM_EXIT_INTERNAL_ERROR:
		if (run->internal.suberror == KVM_INTERNAL_ERROR_EMULATION)
			return fetch_fault(v, gen, &r, &s, &ev, m);
		/* fall through */
	default:
		/* Triple fault, failed entry. */
		return header_only(v, gen, &r, &s, &ev, m,
				   HVMSG_UNRECOVERABLE_EXCEPTION);
	}
}

/*
 * With the LAPIC in the kernel, KVM sleeps in HLT without an exit
 * (kvm-facts, addendum).  The run's watchdog interrupts KVM_RUN now and
 * then; a VP found halted with interrupts off and nothing pending can
 * never wake: it stops for its parent with HVMSG_X64_HALT (spec.md
 * §11.4), RIP on the HLT.  Returns 1 with the message in *m, else 0.
 */
#define RFLAGS_IF	(1ull << 9)
#define WATCHDOG_NS	20000000L	/* 20 ms */
/* The first looks come sooner, each after twice the time of the one
 * before: a guest that halts for good soon after it starts (a test, a
 * VMM's last step) stops within about twice the time it ran, and a run
 * that goes on pays a handful of looks before the 20 ms pace. */
#define WATCHDOG_FIRST_NS 200000L	/* 200 us */

static int halt_check(struct kvm_vp *v, struct hv_message *m)
{
	struct kvm_mp_state mp;
	struct kvm_regs r;
	struct kvm_sregs s;
	struct kvm_vcpu_events ev;

	if (vcpu_ioctl(v, KVM_GET_MP_STATE, &mp) ||
	    mp.mp_state != KVM_MP_STATE_HALTED)
		return 0;
	if (vcpu_ioctl(v, KVM_GET_REGS, &r) || (r.rflags & RFLAGS_IF) ||
	    vcpu_ioctl(v, KVM_GET_SREGS, &s) ||
	    vcpu_ioctl(v, KVM_GET_VCPU_EVENTS, &ev) || ev.nmi.pending ||
	    ev.smi.pending)
		return 0;
	/* KVM has moved RIP past the HLT (F4) it sleeps in. */
	uint8_t op;

	if (r.rip && read_linear(v, &s, s.cs.base + r.rip - 1, &op, 1) == 1 &&
	    op == 0xF4)
		r.rip--;
	mp.mp_state = KVM_MP_STATE_RUNNABLE;
	vcpu_ioctl(v, KVM_SET_MP_STATE, &mp);
	vcpu_ioctl(v, KVM_SET_REGS, &r);
	struct hv_x64_intercept_message_header *h = (void *)m->payload;

	msg_begin(v, m, HVMSG_X64_HALT, sizeof(*h));
	fill_header(v, h, &r, &s, &ev, r.rip, 1, HV_INTERCEPT_ACCESS_EXECUTE);
	return 1;
}

/*
 * The watchdog: a timer that sends the kick signal to the thread running
 * a VP, armed for each run.  One per thread, made at its first run and
 * deleted when the thread ends, so that a run pays two system calls for
 * it, not four.
 */
static pthread_key_t wd_key;
static pthread_once_t wd_once = PTHREAD_ONCE_INIT;
static bool wd_key_ok;

static void wd_free(void *p)
{
	timer_delete(*(timer_t *)p);
	free(p);
}

static void wd_init(void)
{
	wd_key_ok = !pthread_key_create(&wd_key, wd_free);
}

static timer_t *watchdog_start(void)
{
	pthread_once(&wd_once, wd_init);
	if (!wd_key_ok)
		return NULL;
	timer_t *t = pthread_getspecific(wd_key);

	if (!t) {
		struct sigevent se;

		memset(&se, 0, sizeof(se));
		se.sigev_notify = SIGEV_THREAD_ID;
		se.sigev_signo = OHV_KVM_KICK_SIGNAL;
		se._sigev_un._tid = (pid_t)syscall(SYS_gettid);
		t = malloc(sizeof(*t));
		if (!t)
			return NULL;
		if (timer_create(CLOCK_MONOTONIC, &se, t)) {
			free(t);
			return NULL;
		}
		if (pthread_setspecific(wd_key, t)) {
			wd_free(t);
			return NULL;
		}
	}
	struct itimerspec it = {
		.it_interval = { 0, WATCHDOG_NS },
		.it_value = { 0, WATCHDOG_FIRST_NS },
	};

	return timer_settime(*t, 0, &it, NULL) ? NULL : t;
}

/* The next look after ns, then every WATCHDOG_NS (so a look lost
 * outside KVM_RUN is followed by another). */
static void watchdog_arm(timer_t *t, long ns)
{
	struct itimerspec it = {
		.it_interval = { 0, WATCHDOG_NS },
		.it_value = { ns / 1000000000L, ns % 1000000000L },
	};

	timer_settime(*t, 0, &it, NULL);
}

/* Disarmed, so that no kick reaches the thread outside a run. */
static void watchdog_stop(timer_t *t)
{
	static const struct itimerspec off;

	if (t)
		timer_settime(*t, 0, &off, NULL);
}

/* The registers the parent left cannot run (TLFS: the VP stops with
 * HvMessageTypeInvalidVpRegisterValue); they stay for the parent to fix. */
static int invalid_state(struct kvm_vp *v, const struct kvm_sregs *s,
			 struct hv_message *m)
{
	struct kvm_regs r;
	const struct kvm_vcpu_events ev = { 0 };
	struct hv_x64_intercept_message_header *h = (void *)m->payload;

	if (vcpu_ioctl(v, KVM_GET_REGS, &r))
		memset(&r, 0, sizeof(r));
	msg_begin(v, m, HVMSG_INVALID_VP_REGISTER_VALUE, sizeof(*h));
	fill_header(v, h, &r, s, &ev, r.rip, 0, HV_INTERCEPT_ACCESS_READ);
	return 0;
}

/* Under run_sigmask's mask a kick ends KVM_RUN but stays pending in the
 * thread, which blocks it: take it, so that it is neither mistaken for
 * the program's signal nor ends every KVM_RUN after.  Whether one was. */
static bool kick_taken(struct kvm_vp *v)
{
	static const struct timespec now;
	sigset_t k;

	if (!v->sigmask_set)
		return false;
	sigemptyset(&k);
	sigaddset(&k, OHV_KVM_KICK_SIGNAL);
	return sigtimedwait(&k, NULL, &now) == OHV_KVM_KICK_SIGNAL;
}

/*
 * A timer signal still pending when its timer is set again is stale: the
 * kernel drops it when it is taken (posix timers), so it ends the next
 * KVM_RUN and then is nowhere to be found, and that EINTR would look like
 * the program's own signal.  Where the thread blocks the kick signal
 * (run_sigmask), such a signal is taken here, right after the timer is
 * set; elsewhere the kernel already dropped it on the way back from
 * timer_settime.  A kick of ohv_vp_kick or hold() taken here is not
 * lost: it leaves its flag as well.
 */
static void watchdog_drain(struct kvm_vp *v)
{
	if (v->wd)
		kick_taken(v);
}

static int run_loop(struct kvm_vp *v, struct hv_message *m)
{
	struct kvm_run *run = v->run;

	for (;;) {
		int err = wait_runnable(v);

		if (err)
			return err;
		kvm_slots_catch_up(v->kp);
		pthread_mutex_lock(&v->mu);
		if (v->holds) {
			/* Another thread came for the vCPU meanwhile. */
			pthread_mutex_unlock(&v->mu);
			continue;
		}
		if (v->sregs_pending) {
			if (!load_sregs(v, &v->sregs)) {
				const struct kvm_sregs s = v->sregs;

				pthread_mutex_unlock(&v->mu);
				return invalid_state(v, &s, m);
			}
			v->sregs_pending = false;
		}
		v->in_run = true;
		pthread_mutex_unlock(&v->mu);
		kvm_kick_seen = 0;
		int rc = vcpu_ioctl(v, KVM_RUN, NULL);
		int e = errno;

		pthread_mutex_lock(&v->mu);
		v->in_run = false;
		uint64_t gen = v->gen;

		pthread_cond_broadcast(&v->cv);
		pthread_mutex_unlock(&v->mu);
		if (rc < 0) {
			if (e == EINTR || e == EAGAIN) {
				/* openhv's: its kick signal, or immediate_exit
				 * (a kick that came outside KVM_RUN). */
				bool ours = kvm_kick_seen ||
					    __atomic_load_n(&run->immediate_exit,
							    __ATOMIC_ACQUIRE) ||
					    kick_taken(v);

				run->immediate_exit = 0;
				if (halt_check(v, m))
					return 0;
				if (v->wd && v->wd_ns < WATCHDOG_NS) {
					v->wd_ns = 2 * v->wd_ns < WATCHDOG_NS ?
						   2 * v->wd_ns : WATCHDOG_NS;
					watchdog_arm(v->wd, v->wd_ns);
					watchdog_drain(v);
				}
				/* The program's own signal: its kick (as a
				 * signal ends Linux's MSHV_RUN_VP). */
				if (e == EINTR && kvm_kick_handler_ours &&
				    !ours && !v->io)
					return -EINTR;
				continue;
			}
			return -e;
		}
		err = handle_exit(v, gen, m);
		if (err <= 0)
			return err;
	}
}

/*
 * The kick signal must reach KVM_RUN (kicks, the watchdog) even where the
 * program blocks it in the running thread, as a VMM's vCPU threads block
 * all but their own signals.  Then the vCPU runs with the thread's mask
 * minus the kick signal (KVM_SET_SIGNAL_MASK, which stands for the
 * thread's mask inside KVM_RUN only); outside KVM_RUN the thread keeps its
 * own, and a kick that comes there waits for the next KVM_RUN, which it
 * ends at once.
 */
static void run_sigmask(struct kvm_vp *v)
{
	sigset_t cur;
	uint64_t bits;

	if (v->io || pthread_sigmask(SIG_BLOCK, NULL, &cur))
		return;
	bool blocked = sigismember(&cur, OHV_KVM_KICK_SIGNAL) == 1;

	sigdelset(&cur, OHV_KVM_KICK_SIGNAL);
	/* The kernel's sigset: signals 1-64, glibc's first 8 bytes. */
	memcpy(&bits, &cur, sizeof(bits));
	if (blocked && !(v->sigmask_set && v->sigmask == bits)) {
		union {
			struct kvm_signal_mask h;
			uint8_t room[sizeof(struct kvm_signal_mask) + 8];
		} km;

		km.h.len = 8;
		memcpy(km.h.sigset, &bits, 8);
		v->sigmask_set = !vcpu_ioctl(v, KVM_SET_SIGNAL_MASK, &km);
		v->sigmask = bits;
	} else if (!blocked && v->sigmask_set) {
		/* The thread's own mask lets it through: KVM's goes. */
		if (!vcpu_ioctl(v, KVM_SET_SIGNAL_MASK, NULL))
			v->sigmask_set = false;
	}
}

int kvm_vp_run(struct ohv_bvp *bv, struct hv_message *m)
{
	struct kvm_vp *v = (struct kvm_vp *)bv;

	pthread_mutex_lock(&v->mu);
	v->thread = pthread_self();
	cache_drop(v);
	pthread_mutex_unlock(&v->mu);

	run_sigmask(v);
	v->wd = watchdog_start();
	v->wd_ns = WATCHDOG_FIRST_NS;
	watchdog_drain(v);
	int err = run_loop(v, m);

	watchdog_stop(v->wd);
	v->wd = NULL;

	pthread_mutex_lock(&v->mu);
	cache_drop(v);
	/* The parent reads the registers next (the register page): what
	 * the last exit stored is KVM's state still, unless set since. */
	if (v->sync_sregs_ok && !v->sregs_pending) {
		v->csregs = v->run->s.regs.sregs;
		v->csregs_ok = true;
	}
	v->claimed = false;
	v->in_run = false;
	pthread_cond_broadcast(&v->cv);
	pthread_mutex_unlock(&v->mu);
	vp_put(v);
	return err;
}

int kvm_exit_for_test(struct kvm_part *kp, const struct ohv_be_vp *id,
		      struct kvm_run *run, kvm_vcpu_io_fn *io, void *ctx,
		      struct hv_message *m)
{
	struct kvm_vp v = {
		.kp = kp, .id = *id, .fd = -1, .run = run, .refs = 1,
		.io = io, .io_ctx = ctx,
	};

	pthread_mutex_init(&v.mu, NULL);
	pthread_cond_init(&v.cv, NULL);
	memset(m, 0, sizeof(*m));
	int rc = handle_exit(&v, 0, m);

	pthread_cond_destroy(&v.cv);
	pthread_mutex_destroy(&v.mu);
	return rc;
}
