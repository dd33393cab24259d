/* Benchmarks: CPU time of every thread of this process, from Linux per-thread CPU clocks, so a
 * benchmark can charge client threads and an in-process test server separately. */
#ifndef VV_THREADCPU_H
#define VV_THREADCPU_H

#define THREADCPU_MAX 256

struct threadcpu_snap {
    int n;
    struct {
        int tid;
        char name[16]; /* "main" for the process's first thread, else the thread's name */
        double cpu;    /* seconds */
    } t[THREADCPU_MAX];
};

/* Reads every thread's name and CPU time. */
void threadcpu_take(struct threadcpu_snap *s);
/* CPU seconds used between a and b by threads named name (threads that started after a count
 * from zero; threads gone by b are not counted). name NULL: all threads. */
double threadcpu_delta(const struct threadcpu_snap *a, const struct threadcpu_snap *b,
                       const char *name);
/* Renames thread tid of this process (15 characters kept). 0 or -errno. */
int threadcpu_set_name(int tid, const char *name);
/* CPU seconds the whole machine has spent busy, all processes and CPUs (/proc/stat), so a
 * benchmark can tell how much CPU other programs took while it ran. */
double threadcpu_machine_busy(void);
/* Threads named name, in ascending tid order; returns how many (up to max). */
int threadcpu_find(const char *name, int *tids, int max);

#endif
