/* SPDX-License-Identifier: MIT */
/* The cases' runner and helpers (case.h). */
#include "case.h"

#include <stdarg.h>

#define MAX_CASES 256

struct mcase {
	const char *name;
	void (*fn)(void);
};

static struct mcase cases[MAX_CASES];
static unsigned ncases;
static bool failed;

void mc_register(const char *name, void (*fn)(void))
{
	if (ncases < MAX_CASES)
		cases[ncases++] = (struct mcase){ name, fn };
}

bool mc_check(bool ok, const char *file, int line, const char *fmt, ...)
{
	if (ok)
		return true;
	va_list ap;

	va_start(ap, fmt);
	fprintf(stderr, "    %s:%d: ", file, line);
	vfprintf(stderr, fmt, ap);
	fputc('\n', stderr);
	va_end(ap);
	failed = true;
	return false;
}

void mc_skip(const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	fputc('\n', stderr);
	va_end(ap);
	exit(77);
}

void mc_stop(void)
{
	exit(1);
}

int main(int argc, char **argv)
{
	if (argc == 2 && !strcmp(argv[1], "--list")) {
		for (unsigned i = 0; i < ncases; i++)
			puts(cases[i].name);
		return 0;
	}
	if (argc != 2) {
		fprintf(stderr, "usage: %s CASE | --list\n", argv[0]);
		return 2;
	}
	for (unsigned i = 0; i < ncases; i++)
		if (!strcmp(cases[i].name, argv[1])) {
			cases[i].fn();
			return failed ? 1 : 0;
		}
	fprintf(stderr, "no case %s\n", argv[1]);
	return 2;
}

int mc_open(void)
{
	int fd = open("/dev/mshv", O_RDWR | O_CLOEXEC);

	if (fd < 0)
		mc_skip("no /dev/mshv (%s): libopenhv-mshv needs /dev/kvm",
			strerror(errno));
	return fd;
}

int mc_partition(int mshv, uint64_t pt_flags, bool initialize)
{
	struct mshv_create_partition cp = { .pt_flags = pt_flags };
	int fd = ioctl(mshv, MSHV_CREATE_PARTITION, &cp);

	if (!mc_check(fd >= 0, __FILE__, __LINE__,
		      "MSHV_CREATE_PARTITION: %s", strerror(errno)))
		mc_stop();
	if (initialize && !mc_check(!ioctl(fd, MSHV_INITIALIZE_PARTITION),
				    __FILE__, __LINE__,
				    "MSHV_INITIALIZE_PARTITION: %s",
				    strerror(errno)))
		mc_stop();
	return fd;
}

int mc_vp(int part, uint32_t index)
{
	struct mshv_create_vp cv = { .vp_index = index };
	int fd = ioctl(part, MSHV_CREATE_VP, &cv);

	if (!mc_check(fd >= 0, __FILE__, __LINE__, "MSHV_CREATE_VP %u: %s",
		      index, strerror(errno)))
		mc_stop();
	return fd;
}

void *mc_memory(int part, uint64_t gfn, size_t size, uint8_t flags)
{
	void *p = mmap(NULL, size, PROT_READ | PROT_WRITE,
		       MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	struct mshv_user_mem_region r = {
		.size = size, .guest_pfn = gfn, .userspace_addr = (uintptr_t)p,
		.flags = flags,
	};

	if (!mc_check(p != MAP_FAILED, __FILE__, __LINE__, "mmap") ||
	    !mc_check(!ioctl(part, MSHV_SET_GUEST_MEMORY, &r), __FILE__,
		      __LINE__, "MSHV_SET_GUEST_MEMORY: %s", strerror(errno)))
		mc_stop();
	return p;
}

int mc_hvcall(int fd, uint16_t code, uint16_t reps, const void *in,
	      size_t in_sz, void *out, size_t out_sz, uint16_t *status)
{
	struct mshv_root_hvcall c = {
		.code = code, .reps = reps, .in_sz = (uint16_t)in_sz,
		.out_sz = (uint16_t)out_sz, .in_ptr = (uintptr_t)in,
		.out_ptr = (uintptr_t)out,
	};
	int r = ioctl(fd, MSHV_ROOT_HVCALL, &c);

	if (status)
		*status = c.status;
	return r;
}

uint16_t mc_set_reg(int vp_fd, uint32_t name, uint64_t value)
{
	return mc_set_reg_on(vp_fd, 0, name, value);
}

uint16_t mc_set_reg_on(int fd, uint32_t vp_index, uint32_t name,
		       uint64_t value)
{
	struct {
		struct hv_input_set_vp_registers h;
		struct hv_register_assoc a;
	} in;
	uint16_t st = 0xFFFF;

	memset(&in, 0, sizeof(in));
	in.h.vp_index = vp_index;
	in.a.name = name;
	in.a.value.reg64 = value;
	mc_hvcall(fd, HVCALL_SET_VP_REGISTERS, 1, &in, sizeof(in), NULL, 0,
		  &st);
	return st;
}

uint16_t mc_set_seg(int vp_fd, uint32_t name,
		    struct hv_x64_segment_register seg)
{
	return mc_set_seg_on(vp_fd, 0, name, seg);
}

uint16_t mc_set_seg_on(int fd, uint32_t vp_index, uint32_t name,
		       struct hv_x64_segment_register seg)
{
	struct {
		struct hv_input_set_vp_registers h;
		struct hv_register_assoc a;
	} in;
	uint16_t st = 0xFFFF;

	memset(&in, 0, sizeof(in));
	in.h.vp_index = vp_index;
	in.a.name = name;
	in.a.value.segment = seg;
	mc_hvcall(fd, HVCALL_SET_VP_REGISTERS, 1, &in, sizeof(in), NULL, 0,
		  &st);
	return st;
}

uint16_t mc_get_reg(int vp_fd, uint32_t name, uint64_t *value)
{
	return mc_get_reg_on(vp_fd, 0, name, value);
}

/* One register's whole value, by HvGetVpRegisters. */
static uint16_t get_value(int fd, uint32_t vp_index, uint32_t name,
			  union hv_register_value *out)
{
	struct {
		struct hv_input_get_vp_registers h;
		uint32_t name;
	} in;
	uint16_t st = 0xFFFF;

	memset(&in, 0, sizeof(in));
	memset(out, 0, sizeof(*out));
	in.h.vp_index = vp_index;
	in.name = name;
	mc_hvcall(fd, HVCALL_GET_VP_REGISTERS, 1, &in, sizeof(in), out,
		  sizeof(*out), &st);
	return st;
}

uint16_t mc_get_reg_on(int fd, uint32_t vp_index, uint32_t name,
		       uint64_t *value)
{
	union hv_register_value out;
	uint16_t st = get_value(fd, vp_index, name, &out);

	*value = out.reg64;
	return st;
}

uint16_t mc_get_seg(int vp_fd, uint32_t name,
		    struct hv_x64_segment_register *seg)
{
	return mc_get_seg_on(vp_fd, 0, name, seg);
}

uint16_t mc_get_seg_on(int fd, uint32_t vp_index, uint32_t name,
		       struct hv_x64_segment_register *seg)
{
	union hv_register_value out;
	uint16_t st = get_value(fd, vp_index, name, &out);

	*seg = out.segment;
	return st;
}

uint16_t mc_get_prop(int fd, uint32_t code, uint64_t *value)
{
	struct hv_input_get_partition_property in = { .property_code = code };
	struct hv_output_get_partition_property out = { 0 };
	uint16_t st = 0xFFFF;

	mc_hvcall(fd, HVCALL_GET_PARTITION_PROPERTY, 0, &in, sizeof(in), &out,
		  sizeof(out), &st);
	*value = out.property_value;
	return st;
}

uint16_t mc_set_prop(int fd, uint32_t code, uint64_t value)
{
	struct hv_input_set_partition_property in = {
		.property_code = code, .property_value = value,
	};
	uint16_t st = 0xFFFF;

	mc_hvcall(fd, HVCALL_SET_PARTITION_PROPERTY, 0, &in, sizeof(in), NULL,
		  0, &st);
	return st;
}

void *mc_pages(size_t size)
{
	void *p = mmap(NULL, size, PROT_READ | PROT_WRITE,
		       MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);

	if (!mc_check(p != MAP_FAILED, __FILE__, __LINE__, "mmap %zu", size))
		mc_stop();
	return p;
}

uint8_t *mc_guest(int part, uint32_t vp_index, const void *code, size_t len,
		  int *vp_fd)
{
	uint8_t *mem = mc_memory(part, 0, MC_GUEST_MEM,
				 1u << MSHV_SET_MEM_BIT_WRITABLE |
				 1u << MSHV_SET_MEM_BIT_EXECUTABLE);
	struct hv_x64_segment_register cs = {
		.base = 0, .limit = 0xFFFF, .selector = 0, .attributes = 0x9B,
	};

	/* The guest's memory is ours once mapped: the code goes in now. */
	memcpy(mem + MC_GUEST_CODE, code, len);
	*vp_fd = mc_vp(part, vp_index);
	if (!mc_check(!mc_set_seg_on(*vp_fd, vp_index, HV_X64_REGISTER_CS, cs),
		      __FILE__, __LINE__, "set CS") ||
	    !mc_check(!mc_set_reg_on(*vp_fd, vp_index, HV_X64_REGISTER_RIP,
				     MC_GUEST_CODE),
		      __FILE__, __LINE__, "set RIP"))
		mc_stop();
	return mem;
}

uint32_t mc_run(int vp_fd, struct hv_message *msg)
{
	struct mshv_run_vp run;
	int r;

	do
		r = ioctl(vp_fd, MSHV_RUN_VP, &run);
	while (r < 0 && errno == EINTR);
	if (!mc_check(r == 0, __FILE__, __LINE__, "MSHV_RUN_VP: %s",
		      strerror(errno)))
		mc_stop();
	memcpy(msg, run.msg_buf, sizeof(*msg));
	return msg->header.message_type;
}
