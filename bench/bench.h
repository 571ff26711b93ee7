/* SPDX-License-Identifier: MIT */
/* What bench/bench.c shares with the figures in other files of bench/. */
#ifndef OHV_BENCH_H
#define OHV_BENCH_H

#include <stdint.h>

extern unsigned reps;		/* timed runs per figure (-r)          */

uint64_t now_ns(void);
/* Sorts v. */
double median(double *v, unsigned n);
__attribute__((noreturn)) void die(const char *what, long rc);

/* A figure for the table; ok: -1 no target, 0 missed, 1 met. */
void add(const char *name, double value, const char *unit,
	 const char *target, int ok);
/* A figure that could not be measured here, and why. */
void skip(const char *name, const char *why);
/* Did the command line ask for name (no names: everything)? */
int wanted(int argc, char **argv, const char *name);

/* bench/kvm.c: the figures that run guests on the KVM backend. */
void bench_kvm_figures(int argc, char **argv);
/* bench/mshv.c: the /dev/mshv figures. */
void bench_mshv_figures(int argc, char **argv);

#endif /* OHV_BENCH_H */
