/* SPDX-License-Identifier: MIT */
/*
 * The KVM backend's exit handlers (spec.md §11.3, 11.4) without KVM: each
 * input is one exit (I/O, MMIO, RDMSR, WRMSR, HLT, shutdown, anything)
 * with a random register image, segment state, events and exit data, and
 * the vCPU ioctls the handlers make are answered from the input.  The
 * guest's memory is a child partition of a real instance (null backend),
 * so hypercalls and synthetic MSRs reach the core for real.
 *
 * Checked: the handler's answer is one of "run on", "stopped" or "gone";
 * a stop carries a TLFS intercept message of a known type whose payload
 * size is its layout's, with at most 16 instruction bytes and a length of
 * at most 15; a hypercall's result has no reserved bit set; an MSR access
 * answers or raises #GP, and stops for the parent only where an installed
 * intercept names its MSR and access; the invariant checker passes; the
 * teardown brings every frame back to the root.
 *
 * Input: byte 0 the exit kind, byte 1 flags, then the register image, the
 * exit's fields and the bytes of guest memory (page 1 of the child),
 * zeros once the input runs out.
 */
#include "fuzz.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <openhv/client.h>

#include "kvm.h"

#define CHILD_PAGES	16u
#define CODE_PAGE	1u

struct rd {
	const uint8_t *p;
	size_t n;
};

static void take(struct rd *r, void *out, size_t len)
{
	size_t n = len < r->n ? len : r->n;

	memset(out, 0, len);
	memcpy(out, r->p, n);
	r->p += n;
	r->n -= n;
}

static uint8_t u8(struct rd *r)
{
	uint8_t b;

	take(r, &b, 1);
	return b;
}

/* The vCPU the handlers talk to. */
struct fake {
	struct kvm_regs regs;
	struct kvm_fpu fpu;
	uint8_t flags;
	unsigned runs;
};

static int fake_io(void *ctx, unsigned long req, void *arg)
{
	struct fake *f = ctx;

	switch (req) {
	case KVM_RUN:
		f->runs++;
		errno = EINTR;		/* immediate_exit: nothing runs */
		return -1;
	case KVM_GET_REGS:
		memcpy(arg, &f->regs, sizeof(f->regs));
		return 0;
	case KVM_SET_REGS:
		memcpy(&f->regs, arg, sizeof(f->regs));
		return 0;
	case KVM_GET_FPU:
		memcpy(arg, &f->fpu, sizeof(f->fpu));
		return 0;
	case KVM_SET_FPU:
		memcpy(&f->fpu, arg, sizeof(f->fpu));
		return 0;
	case KVM_TRANSLATE: {
		/* Paging off, or a fault, as flag bit 0 says. */
		struct kvm_translation *t = arg;

		t->physical_address = t->linear_address;
		t->valid = !(f->flags & 1);
		return 0;
	}
	case KVM_GET_VCPU_EVENTS:
		memset(arg, 0, sizeof(struct kvm_vcpu_events));
		return 0;
	case KVM_SET_VCPU_EVENTS:
	case KVM_SET_MP_STATE:
		return 0;
	case KVM_GET_MSRS:
	case KVM_SET_MSRS:
		/* An MSR KVM has (one done) or one it refuses (none). */
		if (((struct kvm_msrs *)arg)->nmsrs != 1)
			abort();
		if (!(f->flags & 128))
			return 0;
		if (req == KVM_GET_MSRS)
			((struct kvm_msrs *)arg)->entries[0].data = 0x5A;
		return 1;
	case KVM_GET_MP_STATE:
		((struct kvm_mp_state *)arg)->mp_state = KVM_MP_STATE_RUNNABLE;
		return 0;
	default:
		errno = EINVAL;
		return -1;
	}
}

static const uint32_t exits[] = {
	KVM_EXIT_IO, KVM_EXIT_MMIO, KVM_EXIT_X86_RDMSR, KVM_EXIT_X86_WRMSR,
	KVM_EXIT_HLT, KVM_EXIT_SHUTDOWN, KVM_EXIT_INTR, KVM_EXIT_FAIL_ENTRY,
	KVM_EXIT_INTERNAL_ERROR,
};

/* A stop's message: a known type with its layout's size. */
static void check_message(struct fz *f, const struct hv_message *m)
{
	const struct hv_x64_intercept_message_header *h = (const void *)m->payload;
	size_t want;
	unsigned bytes = 0;

	switch (m->header.message_type) {
	case HVMSG_X64_IO_PORT_INTERCEPT:
		want = sizeof(struct hv_x64_io_port_intercept_message);
		bytes = ((const struct hv_x64_io_port_intercept_message *)
			 (const void *)m->payload)->instruction_byte_count;
		break;
	case HVMSG_UNMAPPED_GPA:
	case HVMSG_GPA_INTERCEPT:
		want = sizeof(struct hv_x64_memory_intercept_message);
		bytes = ((const struct hv_x64_memory_intercept_message *)
			 (const void *)m->payload)->instruction_byte_count;
		break;
	case HVMSG_X64_MSR_INTERCEPT:
		want = sizeof(struct hv_x64_msr_intercept_message);
		break;
	case HVMSG_X64_HALT:
	case HVMSG_UNRECOVERABLE_EXCEPTION:
		want = sizeof(*h);
		break;
	default:
		fz_fail(f, "stop with message type %#x", m->header.message_type);
	}
	if (m->header.payload_size != want)
		fz_fail(f, "message %#x: payload size %u, layout %zu",
			m->header.message_type, m->header.payload_size, want);
	if (bytes > 16 || (h->instruction_length_cr8 & 0xF) > 15 ||
	    h->vp_index != 0)
		fz_fail(f, "message %#x: %u instruction bytes, length %u, VP %u",
			m->header.message_type, bytes,
			h->instruction_length_cr8 & 0xF, h->vp_index);
}

/* A child with every guest-facing privilege, 16 pages and VP 0. */
static uint64_t child_setup(struct fz *f, struct rd *r, uint64_t *code_root)
{
	struct ohv_client *c;
	uint64_t id, pages[CHILD_PAGES];
	struct hv_proximity_domain_info prox = { 0 };

	f->stage = "setup";
	if (ohv_client_open(f->hv, 0, &c))
		fz_fail(f, "client");
	if (ohv_client_create_partition(c, NULL, &id) ||
	    ohv_call_set_partition_property(c, id,
			HV_PARTITION_PROPERTY_PRIVILEGE_FLAGS,
			OHV_CHILD_PRIVILEGES | HV_PARTITION_PRIV_POST_MESSAGES |
			HV_PARTITION_PRIV_SIGNAL_EVENTS |
			HV_PARTITION_PRIV_ACCESS_PARTITION_ID) ||
	    ohv_client_initialize_partition(c, id))
		fz_fail(f, "child");
	if (ohv_root_alloc_many(f->hv, OHV_ANY_NODE, pages, CHILD_PAGES) !=
	    CHILD_PAGES)
		fz_fail(f, "root pages");
	*code_root = pages[CODE_PAGE];
	uint8_t *code = ohv_gpa(f->hv, FZ_ROOT, pages[CODE_PAGE] * HV_PAGE_SIZE,
				HV_PAGE_SIZE);

	if (code)
		take(r, code, 64);
	/* Pages 0-13 read-write, 14 read-only, 15 not mapped. */
	if (ohv_client_map_gpa_pages(c, id, 0, HV_MAP_GPA_READABLE |
				     HV_MAP_GPA_WRITABLE |
				     HV_MAP_GPA_EXECUTABLE, pages, 14, NULL) ||
	    ohv_client_map_gpa_pages(c, id, 14, HV_MAP_GPA_READABLE,
				     pages + 14, 1, NULL) ||
	    ohv_client_create_vp(c, id, 0, prox) ||
	    ohv_call_set_vp_register(c, id, 0, HV_REGISTER_EXPLICIT_SUSPEND, 0))
		fz_fail(f, "child memory and VP");
	ohv_root_free(f->hv, pages[15]);
	ohv_client_close(c);
	return id;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct rd r = { data, size };
	struct fz f;
	struct ohv_config cfg;

	ohv_config_init(&cfg);
	cfg.memory_pages = 1024;
	fz_open(&f, &cfg);

	uint8_t kind = u8(&r);
	struct fake vcpu;

	memset(&vcpu, 0, sizeof(vcpu));
	vcpu.flags = u8(&r);
	uint64_t code_root;
	uint64_t id = child_setup(&f, &r, &code_root);

	/* The backend's partition, as partition_init makes it, minus KVM. */
	static uint8_t stub[HV_PAGE_SIZE] = { 0xE6, OHV_KVM_HC_PORT, 0xC3 };
	struct kvm_ctx k = { .hv = f.hv, .kvm_fd = -1, .memfd = -1 };
	struct kvm_part kp = {
		.k = &k, .id = id, .vm_fd = -1, .refs = 1, .stub = stub,
		.hc_page = vcpu.flags & 2 ? 2 : KVM_NO_PAGE,
	};

	pthread_mutex_init(&kp.mu, NULL);
	kp.chunks = calloc(KVM_WINDOW_PAGES / 512, sizeof(*kp.chunks));
	if (!kp.chunks)
		fz_fail(&f, "no memory");

	/* The exit: KVM's view of the registers and what it exits for. */
	static struct kvm_run run;

	memset(&run, 0, sizeof(run));
	run.exit_reason = exits[kind % (sizeof(exits) / sizeof(exits[0]))];
	take(&r, &run.s.regs.regs, sizeof(run.s.regs.regs));
	take(&r, &vcpu.fpu.xmm, sizeof(vcpu.fpu.xmm));
	struct kvm_sregs *s = &run.s.regs.sregs;

	take(&r, &s->cr0, sizeof(s->cr0));
	take(&r, &s->efer, sizeof(s->efer));
	take(&r, &s->cs.base, sizeof(s->cs.base));
	uint8_t segbits = u8(&r);

	s->cs.l = segbits & 1;
	s->cs.db = segbits >> 1 & 1;
	s->cs.dpl = segbits >> 2 & 3;
	s->ss.dpl = segbits >> 4 & 3;
	s->cr8 = segbits >> 6;
	/* Keep the code page in reach for most inputs. */
	if (!(vcpu.flags & 4)) {
		s->cs.base = 0;
		run.s.regs.regs.rip = CODE_PAGE * HV_PAGE_SIZE + u8(&r) % 64;
	}
	switch (run.exit_reason) {
	case KVM_EXIT_IO:
		take(&r, &run.io.port, sizeof(run.io.port));
		run.io.size = (uint8_t)(1u << (u8(&r) % 4));
		run.io.count = 1 + u8(&r) % 2;
		run.io.direction = u8(&r) & 1;
		run.io.data_offset = offsetof(struct kvm_run, s);
		if (vcpu.flags & 8) {
			/* The hypercall page's out, at its start or past it. */
			run.io.port = OHV_KVM_HC_PORT;
			run.io.size = 1;
			run.io.count = 1;
			run.io.direction = KVM_EXIT_IO_OUT;
			s->cs.base = 0;
			run.s.regs.regs.rip = 2 * HV_PAGE_SIZE +
					      (vcpu.flags & 16 ? 2 : 0);
		}
		break;
	case KVM_EXIT_MMIO:
		take(&r, &run.mmio.phys_addr, sizeof(run.mmio.phys_addr));
		if (!(vcpu.flags & 32))
			run.mmio.phys_addr %= CHILD_PAGES * HV_PAGE_SIZE + 64;
		run.mmio.len = u8(&r) % 9;
		run.mmio.is_write = u8(&r) & 1;
		take(&r, run.mmio.data, sizeof(run.mmio.data));
		break;
	case KVM_EXIT_X86_RDMSR:
	case KVM_EXIT_X86_WRMSR:
		run.msr.index = HV_X64_MSR_SYNTHETIC_FIRST + u8(&r);
		take(&r, &run.msr.data, sizeof(run.msr.data));
		if (vcpu.flags & 64) {
			/* Another MSR, as installed intercepts send them:
			 * one intercepted alone, and all MSRs. */
			uint8_t a = u8(&r);

			take(&r, &run.msr.index, sizeof(run.msr.index));
			kp.nmsr_icpt = 1;
			kp.msr_icpt[0].msr = a & 16 ? run.msr.index :
						      run.msr.index ^ 1;
			kp.msr_icpt[0].access = a & 3;
			kp.msr_all = a >> 2 & 3;
		}
		run.msr.reason = KVM_MSR_EXIT_REASON_FILTER;
		break;
	case KVM_EXIT_INTERNAL_ERROR:
		/* Mostly an emulation failure: code fetched from a GPA
		 * with no memslot, or any other. */
		run.internal.suberror = u8(&r) & 1 ?
			KVM_INTERNAL_ERROR_EMULATION : u8(&r);
		break;
	default:
		break;
	}
	vcpu.regs = run.s.regs.regs;

	struct ohv_be_vp vp = { .partition_id = id, .index = 0 };
	struct hv_message m;

	/* Serials: the first VP the instance made is 1. */
	vp.serial = 1;
	f.stage = "exit";
	int rc = kvm_exit_for_test(&kp, &vp, &run, fake_io, &vcpu, &m);

	if (getenv("OHV_FUZZ_TRACE"))
		fprintf(stderr, "exit %u: answer %d, message %#x, RIP %#llx, "
			"RAX %#llx, MSR %#x error %u data %#llx\n", run.exit_reason,
			rc, rc ? 0 : m.header.message_type,
			(unsigned long long)vcpu.regs.rip,
			(unsigned long long)vcpu.regs.rax, run.msr.index,
			run.msr.error,
			(unsigned long long)run.msr.data);
	if (rc == 0)
		check_message(&f, &m);
	else if (rc != 1)
		fz_fail(&f, "exit handler answered %d", rc);
	/* A hypercall made (CPL 0, 64-bit mode, the page reachable): its
	 * result is a TLFS result value.  Otherwise #UD left RAX alone. */
	bool made = (vcpu.flags & 10) == 10 && !(vcpu.flags & 1) &&
		    (s->efer & (1u << 10)) && s->cs.l &&
		    ((s->cr0 & 1) ? s->ss.dpl : 0) == 0;

	if (run.exit_reason == KVM_EXIT_IO && made && rc == 1 &&
	    (vcpu.regs.rax & ~0x00000FFF0000FFFFull))
		fz_fail(&f, "hypercall result %#llx has reserved bits",
			(unsigned long long)vcpu.regs.rax);
	if ((run.exit_reason == KVM_EXIT_X86_RDMSR ||
	     run.exit_reason == KVM_EXIT_X86_WRMSR) && run.msr.error > 1)
		fz_fail(&f, "MSR error %u", run.msr.error);
	/* An MSR intercept stops for its own MSR and access, only when an
	 * installed intercept names them. */
	if (rc == 0 && m.header.message_type == HVMSG_X64_MSR_INTERCEPT) {
		const struct hv_x64_msr_intercept_message *mi =
			(const void *)m.payload;
		uint32_t bit = run.exit_reason == KVM_EXIT_X86_WRMSR ? 2 : 1;
		uint32_t named = kp.msr_all |
				 (kp.msr_icpt[0].msr == run.msr.index ?
				  kp.msr_icpt[0].access : 0);

		if (!kp.nmsr_icpt || mi->msr_number != run.msr.index ||
		    mi->header.intercept_access_type != bit - 1 ||
		    !(named & bit))
			fz_fail(&f, "MSR intercept of %#x access %u unasked",
				mi->msr_number,
				mi->header.intercept_access_type);
	}
	fz_check(&f);

	for (uint64_t i = 0; i < KVM_WINDOW_PAGES / 512; i++)
		free(kp.chunks[i]);
	free(kp.chunks);
	free(kp.slots);
	pthread_mutex_destroy(&kp.mu);
	fz_teardown(&f);
	return 0;
}
