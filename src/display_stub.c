/* TEMPORARY until the display branch is merged: plain lines on stderr */
#include <stdio.h>
#include <stdlib.h>
#include <time.h>
#include <pthread.h>
#include "display.h"
struct display { pthread_mutex_t m; struct timespec t; char *names[256]; size_t n; };
const char *pkg_state_name(enum pkg_state s) { static const char *n[] = {"pending","waiting","downloading","queued","building","installing","installed","up-to-date","failed","skipped","stopped"}; return n[s]; }
struct display *display_new(enum display_mode mode, FILE *term, int verbose) { struct display *d = calloc(1, sizeof(*d)); (void)mode; (void)term; (void)verbose; pthread_mutex_init(&d->m, NULL); clock_gettime(CLOCK_MONOTONIC, &d->t); return d; }
size_t display_add(struct display *d, const char *name, const char *version, const char *log_path) { (void)version; (void)log_path; d->names[d->n] = (char *)name; return d->n++; }
void display_state(struct display *d, size_t pkg, enum pkg_state state, const char *detail) { if (getenv("CENV_STUB_EVENTS")) fprintf(stderr, "event %s %s %s\n", d->names[pkg], pkg_state_name(state), detail ? detail : ""); }
void display_bytes(struct display *d, size_t pkg, unsigned long long done, unsigned long long total) { (void)d; (void)pkg; (void)done; (void)total; }
void display_step(struct display *d, size_t pkg, const char *step, off_t from) { (void)from; if (getenv("CENV_STUB_EVENTS")) fprintf(stderr, "event %s step %s\n", d->names[pkg], step); }
void display_done(struct display *d, size_t pkg, enum pkg_state state, const struct display_result *r) { (void)r; if (getenv("CENV_STUB_EVENTS")) fprintf(stderr, "event %s %s\n", d->names[pkg], pkg_state_name(state)); }
void display_hold(struct display *d) { (void)d; }
void display_release(struct display *d) { (void)d; }
void display_finish(struct display *d) { (void)d; }
void display_free(struct display *d) { free(d); }
double display_elapsed(const struct display *d) { (void)d; return 0; }
