/* Per-thread CPU time on Linux: the thread CPU clock that pthread_getcpuclockid() would return,
 * built from the thread id found in /proc/self/task (the kernel allows it within the process),
 * with /proc's tick counts as the fallback. */
#include "threadcpu.h"

#include <dirent.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

/* The kernel's encoding of a per-thread scheduler CPU clock (as glibc's MAKE_THREAD_CPUCLOCK). */
static clockid_t thread_clock(int tid)
{
    return (clockid_t)((~(unsigned)tid << 3) | 4u /* per thread */ | 2u /* sched */);
}

static double proc_ticks_cpu(int tid)
{
    char path[64], buf[1024];
    snprintf(path, sizeof path, "/proc/self/task/%d/stat", tid);
    FILE *f = fopen(path, "r");
    if (!f)
        return 0;
    size_t n = fread(buf, 1, sizeof buf - 1, f);
    fclose(f);
    buf[n] = '\0';
    const char *p = strrchr(buf, ')'); /* the name may hold spaces and parentheses */
    unsigned long ut = 0, st = 0;
    if (!p || sscanf(p + 2, "%*c %*d %*d %*d %*d %*d %*u %*u %*u %*u %*u %lu %lu", &ut, &st) != 2)
        return 0;
    return (double)(ut + st) / (double)sysconf(_SC_CLK_TCK);
}

static double tid_cpu(int tid)
{
    struct timespec ts;
    if (clock_gettime(thread_clock(tid), &ts) == 0)
        return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
    return proc_ticks_cpu(tid);
}

static void read_name(int tid, char *out, size_t size)
{
    char path[64];
    snprintf(path, sizeof path, "/proc/self/task/%d/comm", tid);
    out[0] = '\0';
    FILE *f = fopen(path, "r");
    if (!f)
        return;
    if (fgets(out, (int)size, f))
        out[strcspn(out, "\n")] = '\0';
    fclose(f);
}

void threadcpu_take(struct threadcpu_snap *s)
{
    s->n = 0;
    DIR *d = opendir("/proc/self/task");
    if (!d)
        return;
    struct dirent *e;
    int self = (int)getpid();
    while ((e = readdir(d)) && s->n < THREADCPU_MAX) {
        int tid = atoi(e->d_name);
        if (tid <= 0)
            continue;
        s->t[s->n].tid = tid;
        if (tid == self)
            snprintf(s->t[s->n].name, sizeof s->t[s->n].name, "main");
        else
            read_name(tid, s->t[s->n].name, sizeof s->t[s->n].name);
        s->t[s->n].cpu = tid_cpu(tid);
        s->n++;
    }
    closedir(d);
}

double threadcpu_delta(const struct threadcpu_snap *a, const struct threadcpu_snap *b,
                       const char *name)
{
    double sum = 0;
    for (int i = 0; i < b->n; i++) {
        if (name && strcmp(b->t[i].name, name) != 0)
            continue;
        double before = 0;
        for (int j = 0; j < a->n; j++)
            if (a->t[j].tid == b->t[i].tid)
                before = a->t[j].cpu;
        sum += b->t[i].cpu - before;
    }
    return sum;
}

int threadcpu_set_name(int tid, const char *name)
{
    char path[64];
    snprintf(path, sizeof path, "/proc/self/task/%d/comm", tid);
    FILE *f = fopen(path, "w");
    if (!f)
        return -errno;
    int rc = fprintf(f, "%.15s", name) < 0 ? -EIO : 0;
    if (fclose(f) != 0 && rc == 0)
        rc = -errno;
    return rc;
}

int threadcpu_find(const char *name, int *tids, int max)
{
    struct threadcpu_snap *s = malloc(sizeof *s);
    if (!s)
        return 0;
    threadcpu_take(s);
    int n = 0;
    for (int i = 0; i < s->n && n < max; i++)
        if (strcmp(s->t[i].name, name) == 0)
            tids[n++] = s->t[i].tid;
    free(s);
    return n;
}

double threadcpu_machine_busy(void)
{
    unsigned long long v[8] = {0};
    FILE *f = fopen("/proc/stat", "r");
    if (!f)
        return 0;
    int n = fscanf(f, "cpu %llu %llu %llu %llu %llu %llu %llu %llu", &v[0], &v[1], &v[2], &v[3],
                   &v[4], &v[5], &v[6], &v[7]);
    fclose(f);
    if (n < 7)
        return 0;
    /* user nice system [idle iowait] irq softirq steal */
    return (double)(v[0] + v[1] + v[2] + v[5] + v[6] + v[7]) / (double)sysconf(_SC_CLK_TCK);
}
