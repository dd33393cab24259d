/* Named hostile-server scenarios on top of badsrv, one per class of attack in
 * shared/reference/hostile-servers.md: bad desktop sizes at ServerInit and in every resize
 * message, rectangles outside the desktop, encodings that were not offered, unknown and refused
 * messages, oversized names, clipboards and cursors, Tight/ZRLE/JPEG payloads that trip
 * libvncclient's decoders, CPU amplification, truncated streams and an endless flood. Each
 * scenario says what a vncview session must end with, for tests and for tools/hostilesrv. */
#ifndef VV_HOSTILE_H
#define VV_HOSTILE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

struct hostile_run;

enum hostile_flags {
    /* The attack replaces ServerInit: no valid desktop and no frame come before it. */
    HOSTILE_AT_INIT = 1,
    /* Benign but large: the guard truncates it and the session must stay up. The scenario then
     * sends a second update (hostile_pattern2) to show the stream is still in step. */
    HOSTILE_BENIGN = 2,
    /* The server closes (or resets) the connection in the middle of a message. */
    HOSTILE_CLOSES = 4,
    /* Legitimate but endless updates until the client disconnects. */
    HOSTILE_ENDLESS = 8,
};

/* The attack: sends its bytes on r's connection; false if the client went away first. */
typedef bool (*hostile_attack_fn)(struct hostile_run *r, const int32_t *p);

struct hostile_scenario {
    const char *name;    /* "init-0x100", as on hostilesrv's command line */
    const char *summary; /* one line for --list and test output */
    /* The desktop: the size of ServerInit and of the valid first update (a Raw rectangle of
     * hostile_pattern; HOSTILE_ENDLESS: only its top left 64x64, which costs little), sent
     * before the attack unless HOSTILE_AT_INIT. */
    int w, h;
    const char *encodings; /* --encodings the viewer must ask for; NULL = vncview's default */
    int quality;           /* JPEG quality the viewer must offer; -1 = lossless */
    /* How the session must end: a VV_ERR_* class (VV_OK for HOSTILE_BENIGN: it must not end)
     * and substrings of the end message that name the problem. */
    int code;
    const char *words[3];
    unsigned flags;
    hostile_attack_fn attack;
    int32_t p[4]; /* the attack's parameters */
    /* HOSTILE_BENIGN: the desktop name and clipboard text the viewer must receive, as lengths
     * of hostile_text (0: not part of this scenario). */
    uint32_t want_name_len, want_cut_len;
};

/* Every scenario; *n receives the count. */
const struct hostile_scenario *hostile_all(size_t *n);
/* By name; NULL if there is none. */
const struct hostile_scenario *hostile_find(const char *name);

/* Pixels (0x00RRGGBB) of the valid first update, and of the second one of benign scenarios. */
uint32_t hostile_pattern(int x, int y);
uint32_t hostile_pattern2(int x, int y);
/* w*h pixels of hostile_pattern (which 1 or 2); caller frees; NULL if out of memory. */
uint32_t *hostile_pattern_pixels(int which, int w, int h);
/* Byte i of every long text the scenarios send (names, clipboards): printable ASCII. */
char hostile_text(size_t i);

/* Serves sc on 127.0.0.1 (one connection) on a new thread. gated: after its valid first update
 * the script waits for hostile_release before it attacks (tests release it once they saw the
 * frame); otherwise it attacks as soon as the client asked for the next update. NULL on
 * failure (reason on stderr). Free with hostile_stop. */
struct hostile_run *hostile_start(const struct hostile_scenario *sc, bool gated);
int hostile_port(const struct hostile_run *r);
void hostile_release(struct hostile_run *r);
/* Waits until the script finished and closed the connection; false on timeout. */
bool hostile_wait_done(struct hostile_run *r, int timeout_ms);
/* Progress, readable at any time: the attack began (the valid part was accepted), the attack
 * was sent completely, and the updates a flood sent so far. */
bool hostile_attacked(const struct hostile_run *r);
bool hostile_attack_sent(const struct hostile_run *r);
uint64_t hostile_updates_sent(const struct hostile_run *r);
/* Stops the script (its waits give up), joins it and frees r. NULL is allowed. */
void hostile_stop(struct hostile_run *r);

/* For the attacks (hostile_attacks.c): the connection, and the scenario being served. */
struct badsrv *hostile_srv(struct hostile_run *r);
const struct hostile_scenario *hostile_scenario_of(const struct hostile_run *r);
void hostile_count_update(struct hostile_run *r);

#endif
