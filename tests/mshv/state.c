/* SPDX-License-Identifier: MIT */
/*
 * MSHV_GET_VP_STATE / MSHV_SET_VP_STATE (mshv-uapi A.8): the LAPIC,
 * XSAVE, SIM and SIEF pages and the synthetic timers of a VP, in
 * page-aligned buffers of whole pages.
 */
#include "case.h"

static int vp_state(int vp, bool set, uint8_t type, void *buf, uint32_t size,
		    uint32_t *buf_sz)
{
	struct mshv_get_set_vp_state s = {
		.type = type, .buf_sz = size, .buf_ptr = (uintptr_t)buf,
	};
	int r = ioctl(vp, set ? MSHV_SET_VP_STATE : MSHV_GET_VP_STATE, &s);

	if (buf_sz)
		*buf_sz = s.buf_sz;
	return r;
}

MCASE(vp_state_checks)
{
	int mshv = mc_open();
	int part = mc_partition(mshv, 1ull << MSHV_PT_BIT_LAPIC, true);
	int vp = mc_vp(part, 0);
	uint8_t *buf = mc_pages(2 * HV_PAGE_SIZE);
	const unsigned long req[] = { MSHV_GET_VP_STATE, MSHV_SET_VP_STATE };

	for (unsigned i = 0; i < 2; i++) {
		struct mshv_get_set_vp_state s = {
			.type = MSHV_VP_STATE_LAPIC, .buf_sz = HV_PAGE_SIZE,
			.buf_ptr = (uintptr_t)buf,
		};

		MCHECK_OK(ioctl(vp, req[i], &s));
		s.type = MSHV_VP_STATE_COUNT;
		MCHECK_ERRNO(ioctl(vp, req[i], &s), EINVAL);
		s.type = 0xFF;
		MCHECK_ERRNO(ioctl(vp, req[i], &s), EINVAL);
		s.type = MSHV_VP_STATE_LAPIC;
		for (unsigned k = 0; k < 3; k++) {
			s.rsvd[k] = 1;
			MCHECK_ERRNO(ioctl(vp, req[i], &s), EINVAL);
			s.rsvd[k] = 0;
		}
		s.buf_sz = 0;
		MCHECK_ERRNO(ioctl(vp, req[i], &s), EINVAL);
		s.buf_sz = HV_PAGE_SIZE + 8;
		MCHECK_ERRNO(ioctl(vp, req[i], &s), EINVAL);
		s.buf_sz = 512;
		MCHECK_ERRNO(ioctl(vp, req[i], &s), EINVAL);
		s.buf_sz = HV_PAGE_SIZE;
		s.buf_ptr = (uintptr_t)buf + 8;
		MCHECK_ERRNO(ioctl(vp, req[i], &s), EINVAL);
		s.buf_ptr = (uintptr_t)buf;
		MCHECK_ERRNO(ioctl(vp, req[i], NULL), EFAULT);
		MCHECK_ERRNO(ioctl(vp, req[i], (void *)8), EFAULT);
	}
	close(vp);
	close(part);
	close(mshv);
}

/* GET tells the size it needs in buf_sz: a page for the LAPIC, SIM and
 * SIEF pages, the MAX_XSAVE_DATA_SIZE property for XSAVE and the timers'
 * structure for the timers (A.8: the kernel writes the required size
 * back first, on SET too). */
MCASE(vp_state_sizes)
{
	int mshv = mc_open();
	int part = mc_partition(mshv, 1ull << MSHV_PT_BIT_LAPIC, true);
	int vp = mc_vp(part, 0);
	uint8_t *buf = mc_pages(4 * HV_PAGE_SIZE);
	uint64_t xsave;
	uint32_t sz;

	MREQUIRE(!mc_get_prop(part, HV_PARTITION_PROPERTY_MAX_XSAVE_DATA_SIZE,
			      &xsave));
	const uint32_t want[MSHV_VP_STATE_COUNT] = {
		[MSHV_VP_STATE_LAPIC] = HV_PAGE_SIZE,
		[MSHV_VP_STATE_XSAVE] = (uint32_t)xsave,
		[MSHV_VP_STATE_SIMP] = HV_PAGE_SIZE,
		[MSHV_VP_STATE_SIEFP] = HV_PAGE_SIZE,
		[MSHV_VP_STATE_SYNTHETIC_TIMERS] =
			sizeof(struct hv_synthetic_timers_state),
	};

	for (uint8_t t = 0; t < MSHV_VP_STATE_COUNT; t++) {
		MCHECK_OK(vp_state(vp, false, t, buf, 4 * HV_PAGE_SIZE, &sz));
		mc_check(sz == want[t], __FILE__, __LINE__,
			 "GET type %u: buf_sz %u, want %u", t, sz, want[t]);
		MCHECK_OK(vp_state(vp, true, t, buf, 4 * HV_PAGE_SIZE, &sz));
		mc_check(sz == want[t], __FILE__, __LINE__,
			 "SET type %u: buf_sz %u, want %u", t, sz, want[t]);
	}
	close(vp);
	close(part);
	close(mshv);
}

/* LAPIC round trip (test_set_get_lapic), and a change that stays. */
MCASE(vp_state_lapic)
{
	int mshv = mc_open();
	int part = mc_partition(mshv, 1ull << MSHV_PT_BIT_LAPIC, true);
	int vp = mc_vp(part, 0);
	uint8_t *a = mc_pages(HV_PAGE_SIZE), *b = mc_pages(HV_PAGE_SIZE);
	struct hv_local_interrupt_controller_state *s = (void *)a;

	MREQUIRE(!vp_state(vp, false, MSHV_VP_STATE_LAPIC, a, HV_PAGE_SIZE,
			   NULL));
	MCHECK_EQ(s->apic_id, 0);
	MCHECK_OK(vp_state(vp, true, MSHV_VP_STATE_LAPIC, a, HV_PAGE_SIZE,
			   NULL));
	MREQUIRE(!vp_state(vp, false, MSHV_VP_STATE_LAPIC, b, HV_PAGE_SIZE,
			   NULL));
	MCHECK(!memcmp(a, b, sizeof(*s)));

	/* Software-enable it with spurious vector 0xFF, mask LINT0 with
	 * vector 0x31. */
	s->apic_spurious = 0x1FF;
	s->apic_lvt_lint0 = 0x10031;
	MCHECK_OK(vp_state(vp, true, MSHV_VP_STATE_LAPIC, a, HV_PAGE_SIZE,
			   NULL));
	memset(b, 0, HV_PAGE_SIZE);
	MREQUIRE(!vp_state(vp, false, MSHV_VP_STATE_LAPIC, b, HV_PAGE_SIZE,
			   NULL));
	const struct hv_local_interrupt_controller_state *g = (void *)b;

	MCHECK_EQ(g->apic_spurious & 0x1FF, 0x1FF);
	MCHECK_EQ(g->apic_lvt_lint0, 0x10031);

	/* Each VP has its own: VP 1's APIC id is 1. */
	int vp1 = mc_vp(part, 1);

	MREQUIRE(!vp_state(vp1, false, MSHV_VP_STATE_LAPIC, b, HV_PAGE_SIZE,
			   NULL));
	MCHECK_EQ(g->apic_id, 1);
	close(vp1);
	close(vp);
	close(part);
	close(mshv);
}

/* XSAVE (test_get_set_xsave), and every component
 * (test_get_set_vp_state_components): get, set, get the same. */
MCASE(vp_state_components)
{
	int mshv = mc_open();
	int part = mc_partition(mshv, 1ull << MSHV_PT_BIT_LAPIC, true);
	int vp = mc_vp(part, 0);
	const uint32_t size = 4 * HV_PAGE_SIZE;
	uint8_t *a = mc_pages(size), *b = mc_pages(size);

	for (uint8_t t = 0; t < MSHV_VP_STATE_COUNT; t++) {
		uint32_t sz = 0;

		memset(a, 0, size);
		memset(b, 0, size);
		MREQUIRE(!vp_state(vp, false, t, a, size, &sz));
		MREQUIRE(sz && sz <= size);
		MCHECK_OK(vp_state(vp, true, t, a, size, NULL));
		MREQUIRE(!vp_state(vp, false, t, b, size, NULL));
		mc_check(!memcmp(a, b, sz), __FILE__, __LINE__,
			 "state %u changed in a round trip", t);
	}

	/* XSAVE: the legacy area's XMM0 is XMM0 the register. */
	struct {
		struct hv_input_set_vp_registers h;
		struct hv_register_assoc a;
	} in;
	uint16_t st;

	memset(&in, 0, sizeof(in));
	in.a.name = HV_X64_REGISTER_XMM0;
	in.a.value.reg128[0] = 0x1122334455667788ull;
	in.a.value.reg128[1] = 0x99AABBCCDDEEFF00ull;
	MREQUIRE(!mc_hvcall(vp, HVCALL_SET_VP_REGISTERS, 1, &in, sizeof(in),
			    NULL, 0, &st));
	MREQUIRE(!vp_state(vp, false, MSHV_VP_STATE_XSAVE, a, size, NULL));
	MCHECK(!memcmp(a + 160, &in.a.value, 16));
	close(vp);
	close(part);
	close(mshv);
}
