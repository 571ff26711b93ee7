/*
 * The seam between the partition-management core and an execution backend
 * (Solo5's struct hvt_b, kvmtool's kvm layer).  The core keeps every piece
 * of TLFS state; a backend only makes partitions run: the null backend
 * (backend_null.c) runs nothing and is what the model needs, a KVM backend
 * maps each partition onto a VM.  The core never includes <linux/kvm.h>.
 *
 * Every hook is called with the instance lock held.  Hooks that can fail
 * return 0 or -errno; the core turns a failure into HV_STATUS_NO_RESOURCES
 * and undoes what it did, so a backend never sees half an object.
 */
#ifndef OHV_BACKEND_H
#define OHV_BACKEND_H

struct ohv;
struct partition;

struct backend_ops {
	const char *name;
	int (*open)(struct ohv *hv, void **ctx);
	void (*close)(void *ctx);
	/* A partition came into being (create) or goes away (delete). */
	int (*partition_create)(void *ctx, struct partition *p);
	void (*partition_destroy)(void *ctx, struct partition *p);
	/* HvInitializePartition / HvFinalizePartition succeeded. */
	int (*partition_initialize)(void *ctx, struct partition *p);
	void (*partition_finalize)(void *ctx, struct partition *p);
};

extern const struct backend_ops ohv_backend_null;

#endif /* OHV_BACKEND_H */
