/* SPDX-License-Identifier: MIT */
/*
 * The client's side of libopenhv-mshv (spec.md §12): the glibc entry
 * points a VMM reaches /dev/mshv through, interposed when the library is
 * preloaded.  "/dev/mshv" opens to a memfd of the layer's; ioctl, mmap,
 * close, close_range, dup* and fcntl's F_DUPFD on the layer's fds are
 * served here, every other fd goes to glibc untouched.
 *
 * An fd is the layer's when this table says so, or, for an fd made by a
 * path the table did not see (a raw dup syscall), when its inode is one
 * of the layer's objects (mshv-uapi E).  An object lives while an fd or a
 * call holds it; the last reference releases it (mshv_release).
 */
#include "mshv.h"

#include <dlfcn.h>
#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>

#include <openhv/mshv.h>

#define EXPORT __attribute__((visibility("default")))

/* The fortified and plain entry points glibc's headers do not declare
 * (or declare differently) under our names. */
int __open_2(const char *path, int flags);
int __open64_2(const char *path, int flags);
int __openat_2(int dirfd, const char *path, int flags);
int __openat64_2(int dirfd, const char *path, int flags);
int ioctl(int fd, unsigned long req, ...);

/* ---------------------------------------------------------------------- */
/* glibc underneath.                                                       */

static struct {
	int (*open)(const char *, int, ...);
	int (*openat)(int, const char *, int, ...);
	int (*ioctl)(int, unsigned long, ...);
	void *(*mmap)(void *, size_t, int, int, int, off_t);
	int (*close)(int);
	int (*close_range)(unsigned, unsigned, int);
	int (*dup)(int);
	int (*dup2)(int, int);
	int (*dup3)(int, int, int);
	int (*fcntl)(int, int, ...);
} real;
static pthread_once_t real_once = PTHREAD_ONCE_INIT;

static void real_init(void)
{
	real.open = dlsym(RTLD_NEXT, "open64");
	real.openat = dlsym(RTLD_NEXT, "openat64");
	real.ioctl = dlsym(RTLD_NEXT, "ioctl");
	real.mmap = dlsym(RTLD_NEXT, "mmap64");
	real.close = dlsym(RTLD_NEXT, "close");
	real.close_range = dlsym(RTLD_NEXT, "close_range");
	real.dup = dlsym(RTLD_NEXT, "dup");
	real.dup2 = dlsym(RTLD_NEXT, "dup2");
	real.dup3 = dlsym(RTLD_NEXT, "dup3");
	real.fcntl = dlsym(RTLD_NEXT, "fcntl64");
	if (!real.fcntl)
		real.fcntl = dlsym(RTLD_NEXT, "fcntl");
}

static void need_real(void)
{
	pthread_once(&real_once, real_init);
}

/*
 * Non-zero while this thread runs the layer's own code (an mshv call, the
 * poller): its ioctls are openhv's own, on KVM's fds, and go straight to
 * glibc without the fd lookup (whose fstat would double each of them).
 */
static __thread int in_layer;

void mshv_layer_thread(void)
{
	in_layer = 1;
}

int mshv_real_close(int fd)
{
	need_real();
	return real.close(fd);
}

void *mshv_real_mmap(void *addr, size_t len, int prot, int flags, int fd,
		     off_t off)
{
	need_real();
	return real.mmap(addr, len, prot, flags, fd, off);
}

/* ---------------------------------------------------------------------- */
/* The table: fd -> object.                                                */

static pthread_mutex_t tab_mu = PTHREAD_MUTEX_INITIALIZER;
static struct mobj **tab;	/* indexed by fd */
static size_t ntab;
static struct mobj **objs;	/* every live object, for the inode lookup */
static size_t nobjs, cap_objs;

/* tab_mu held. */
static int tab_set(int fd, struct mobj *o)
{
	if ((size_t)fd >= ntab) {
		size_t n = ntab ? ntab : 64;

		while (n <= (size_t)fd)
			n *= 2;
		struct mobj **t = realloc(tab, n * sizeof(*t));

		if (!t)
			return -ENOMEM;
		memset(t + ntab, 0, (n - ntab) * sizeof(*t));
		tab = t;
		ntab = n;
	}
	tab[fd] = o;
	return 0;
}

/* tab_mu held: drop a reference; true when it was the last. */
static bool obj_unref_locked(struct mobj *o)
{
	if (--o->refs)
		return false;
	for (size_t i = 0; i < nobjs; i++)
		if (objs[i] == o) {
			objs[i] = objs[--nobjs];
			break;
		}
	return true;
}

static void obj_unref(struct mobj *o)
{
	pthread_mutex_lock(&tab_mu);
	bool last = obj_unref_locked(o);

	pthread_mutex_unlock(&tab_mu);
	if (last) {
		in_layer++;
		mshv_release(o);
		in_layer--;
		free(o);
	}
}

/* The object behind fd, with a reference for the caller; NULL when fd is
 * not the layer's. */
static struct mobj *obj_get(int fd)
{
	struct mobj *o = NULL;

	if (fd < 0)
		return NULL;
	pthread_mutex_lock(&tab_mu);
	if ((size_t)fd < ntab)
		o = tab[fd];
	if (!o && nobjs) {
		struct stat st;

		pthread_mutex_unlock(&tab_mu);
		if (fstat(fd, &st))
			return NULL;
		pthread_mutex_lock(&tab_mu);
		for (size_t i = 0; i < nobjs; i++)
			if (objs[i]->dev == st.st_dev &&
			    objs[i]->ino == st.st_ino) {
				o = objs[i];
				/* An fd the table missed: it holds o now. */
				if (!tab_set(fd, o))
					o->refs++;
				break;
			}
	}
	if (o)
		o->refs++;
	pthread_mutex_unlock(&tab_mu);
	return o;
}

int mshv_fd_new(struct mobj *o, bool cloexec)
{
	static const char *const names[] = {
		[MOBJ_DEV] = "mshv", [MOBJ_PARTITION] = "mshv_partition",
		[MOBJ_VP] = "mshv_vp", [MOBJ_DEVICE] = "mshv_device",
	};
	int fd = memfd_create(names[o->kind], cloexec ? MFD_CLOEXEC : 0);
	struct stat st;

	if (fd < 0)
		return -errno;
	if ((o->kind == MOBJ_VP &&
	     ftruncate(fd, (off_t)MSHV_VP_MMAP_PAGES * HV_PAGE_SIZE)) ||
	    fstat(fd, &st)) {
		int err = -errno;

		mshv_real_close(fd);
		return err;
	}
	o->dev = st.st_dev;
	o->ino = st.st_ino;
	o->refs = 1;
	pthread_mutex_lock(&tab_mu);
	int err = tab_set(fd, o);

	if (!err && nobjs == cap_objs) {
		size_t n = cap_objs ? 2 * cap_objs : 16;
		struct mobj **t = realloc(objs, n * sizeof(*t));

		if (t) {
			objs = t;
			cap_objs = n;
		} else {
			tab[fd] = NULL;
			err = -ENOMEM;
		}
	}
	if (!err)
		objs[nobjs++] = o;
	pthread_mutex_unlock(&tab_mu);
	if (err) {
		mshv_real_close(fd);
		return err;
	}
	return fd;
}

/* fd stops naming its object (closed, or replaced by dup2/dup3). */
static void fd_forget(int fd)
{
	struct mobj *o = NULL;

	pthread_mutex_lock(&tab_mu);
	if (fd >= 0 && (size_t)fd < ntab) {
		o = tab[fd];
		tab[fd] = NULL;
	}
	bool last = o && obj_unref_locked(o);

	pthread_mutex_unlock(&tab_mu);
	if (last) {
		in_layer++;
		mshv_release(o);
		in_layer--;
		free(o);
	}
}

/* newfd, made from oldfd by a dup, names oldfd's object too. */
static void fd_dup(int oldfd, int newfd)
{
	struct mobj *o = obj_get(oldfd);

	if (!o)
		return;
	pthread_mutex_lock(&tab_mu);
	if (!tab_set(newfd, o))
		o->refs++;
	pthread_mutex_unlock(&tab_mu);
	obj_unref(o);
}

/* ---------------------------------------------------------------------- */
/* The interposed entry points.                                            */

static bool is_mshv(const char *path)
{
	return path && !strcmp(path, "/dev/mshv");
}

static int open_common(const char *path, int flags, mode_t mode)
{
	need_real();
	if (is_mshv(path)) {
		in_layer++;
		int fd = mshv_open_dev(flags);

		in_layer--;

		if (fd < 0) {
			errno = -fd;
			return -1;
		}
		return fd;
	}
	return real.open(path, flags, mode);
}

static mode_t open_mode(int flags, va_list ap)
{
	return (flags & O_CREAT) || (flags & O_TMPFILE) == O_TMPFILE ?
	       (mode_t)va_arg(ap, int) : 0;
}

EXPORT int open(const char *path, int flags, ...)
{
	va_list ap;

	va_start(ap, flags);
	mode_t mode = open_mode(flags, ap);

	va_end(ap);
	return open_common(path, flags, mode);
}

EXPORT int open64(const char *path, int flags, ...)
{
	va_list ap;

	va_start(ap, flags);
	mode_t mode = open_mode(flags, ap);

	va_end(ap);
	return open_common(path, flags, mode);
}

/* The _FORTIFY_SOURCE variants: no mode. */
EXPORT int __open_2(const char *path, int flags)
{
	return open_common(path, flags, 0);
}

EXPORT int __open64_2(const char *path, int flags)
{
	return open_common(path, flags, 0);
}

static int openat_common(int dirfd, const char *path, int flags, mode_t mode)
{
	need_real();
	if (is_mshv(path))
		return open_common(path, flags, mode);
	return real.openat(dirfd, path, flags, mode);
}

EXPORT int openat(int dirfd, const char *path, int flags, ...)
{
	va_list ap;

	va_start(ap, flags);
	mode_t mode = open_mode(flags, ap);

	va_end(ap);
	return openat_common(dirfd, path, flags, mode);
}

EXPORT int openat64(int dirfd, const char *path, int flags, ...)
{
	va_list ap;

	va_start(ap, flags);
	mode_t mode = open_mode(flags, ap);

	va_end(ap);
	return openat_common(dirfd, path, flags, mode);
}

EXPORT int __openat_2(int dirfd, const char *path, int flags)
{
	return openat_common(dirfd, path, flags, 0);
}

EXPORT int __openat64_2(int dirfd, const char *path, int flags)
{
	return openat_common(dirfd, path, flags, 0);
}

EXPORT int ioctl(int fd, unsigned long req, ...)
{
	va_list ap;

	va_start(ap, req);
	void *arg = va_arg(ap, void *);

	va_end(ap);
	need_real();
	if (in_layer)
		return real.ioctl(fd, req, arg);
	struct mobj *o = obj_get(fd);

	if (!o)
		return real.ioctl(fd, req, arg);
	in_layer++;
	long r = mshv_ioctl(o, req, arg);

	in_layer--;
	obj_unref(o);
	if (r < 0) {
		errno = (int)-r;
		return -1;
	}
	return (int)r;
}

EXPORT void *mmap(void *addr, size_t len, int prot, int flags, int fd,
		  off_t off)
{
	need_real();
	struct mobj *o = (flags & MAP_ANONYMOUS) ? NULL : obj_get(fd);

	if (!o)
		return real.mmap(addr, len, prot, flags, fd, off);
	in_layer++;
	void *p = mshv_mmap(o, addr, len, prot, flags, fd, off);

	in_layer--;
	obj_unref(o);
	return p;
}

EXPORT void *mmap64(void *addr, size_t len, int prot, int flags, int fd,
		    off_t off)
{
	return mmap(addr, len, prot, flags, fd, off);
}

EXPORT int close(int fd)
{
	need_real();
	int r = real.close(fd);
	int e = errno;

	fd_forget(fd);
	errno = e;
	return r;
}

EXPORT int close_range(unsigned first, unsigned last, int flags)
{
	need_real();
	if (!real.close_range) {
		errno = ENOSYS;
		return -1;
	}
	int r = real.close_range(first, last, flags);
	int e = errno;

	/* CLOSE_RANGE_CLOEXEC (4) only marks them. */
	if (!r && !(flags & 4)) {
		pthread_mutex_lock(&tab_mu);
		size_t end = last < ntab ? (size_t)last + 1 : ntab;

		pthread_mutex_unlock(&tab_mu);
		for (size_t fd = first; fd < end; fd++)
			fd_forget((int)fd);
	}
	errno = e;
	return r;
}

EXPORT int dup(int oldfd)
{
	need_real();
	int fd = real.dup(oldfd);

	if (fd >= 0)
		fd_dup(oldfd, fd);
	return fd;
}

EXPORT int dup2(int oldfd, int newfd)
{
	need_real();
	int fd = real.dup2(oldfd, newfd);

	if (fd >= 0 && oldfd != newfd) {
		fd_forget(fd);
		fd_dup(oldfd, fd);
	}
	return fd;
}

EXPORT int dup3(int oldfd, int newfd, int flags)
{
	need_real();
	int fd = real.dup3(oldfd, newfd, flags);

	if (fd >= 0) {
		fd_forget(fd);
		fd_dup(oldfd, fd);
	}
	return fd;
}

static int fcntl_common(int fd, int cmd, va_list ap)
{
	need_real();
	switch (cmd) {
	case F_GETFD: case F_GETFL: case F_GETOWN: case F_GETSIG:
	case F_GETLEASE: case F_GETPIPE_SZ: case F_GET_SEALS:
		return real.fcntl(fd, cmd);
	case F_GETLK: case F_SETLK: case F_SETLKW:
	case F_OFD_GETLK: case F_OFD_SETLK: case F_OFD_SETLKW:
	case F_GETOWN_EX: case F_SETOWN_EX:
		return real.fcntl(fd, cmd, va_arg(ap, void *));
	default: {
		long arg = va_arg(ap, long);
		int r = real.fcntl(fd, cmd, arg);

		if (r >= 0 && (cmd == F_DUPFD || cmd == F_DUPFD_CLOEXEC))
			fd_dup(fd, r);
		return r;
	}
	}
}

EXPORT int fcntl(int fd, int cmd, ...)
{
	va_list ap;

	va_start(ap, cmd);
	int r = fcntl_common(fd, cmd, ap);

	va_end(ap);
	return r;
}

EXPORT int fcntl64(int fd, int cmd, ...)
{
	va_list ap;

	va_start(ap, cmd);
	int r = fcntl_common(fd, cmd, ap);

	va_end(ap);
	return r;
}
