/* SPDX-License-Identifier: MIT */
/*
 * libopenhv-mshv (spec.md §12): /dev/mshv inside a client's process.
 *
 * shim.c owns the client's view: the glibc entry points it interposes,
 * the fds it hands out (memfds, known by inode), their objects and
 * reference counts.  layer.c owns what the fds stand for: one openhv
 * instance with the KVM backend, its partitions and VPs, and each ioctl
 * as Linux's mshv_root implements it, through openhv hypercalls.
 */
#ifndef OHV_MSHV_LAYER_H
#define OHV_MSHV_LAYER_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

enum mobj_kind { MOBJ_DEV, MOBJ_PARTITION, MOBJ_VP, MOBJ_DEVICE };

struct mpart;
struct mvp;

/* What an fd of the layer stands for.  Shared by dup'ed fds. */
struct mobj {
	enum mobj_kind kind;
	int refs;		/* fds, and calls in progress */
	dev_t dev;
	ino_t ino;
	struct mpart *part;	/* PARTITION, VP, DEVICE: their partition */
	struct mvp *vp;		/* VP */
};

/* shim.c: a new fd for an object (kind, part, vp set); -errno.  A VP's
 * memfd has its three mmap pages. */
int mshv_fd_new(struct mobj *o, bool cloexec);
/* The glibc functions under the shim, for layer.c's own use. */
int mshv_real_close(int fd);
void *mshv_real_mmap(void *addr, size_t len, int prot, int flags, int fd,
		     off_t off);

/* This thread is the layer's own (its ioctls are openhv's). */
void mshv_layer_thread(void);

/* layer.c */
int mshv_open_dev(int flags);
long mshv_ioctl(struct mobj *o, unsigned long req, void *arg);
void *mshv_mmap(struct mobj *o, void *addr, size_t len, int prot, int flags,
		int fd, off_t off);
/* The last fd of o is gone: what it held goes (a partition's last
 * reference destroys it as Linux's release does). */
void mshv_release(struct mobj *o);
/* The trace file of `openhv exec --trace` (OPENHV_MSHV_TRACE). */
void mshv_trace(const char *fmt, ...) __attribute__((format(printf, 1, 2)));

#endif /* OHV_MSHV_LAYER_H */
