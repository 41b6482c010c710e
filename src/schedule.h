/* schedule.h - a run's packages downloaded and built at once, as far as their dependencies and the -j budget allow. */
#ifndef CENV_SCHEDULE_H
#define CENV_SCHEDULE_H

#include <stddef.h>
#include <time.h>

#include "display.h"
#include "pool.h"
#include "record.h"
#include "install.h"
#include "strvec.h"

struct install_run;
struct sched;

/*
 * One package of a run, filled by the caller (installrun.c) before schedule_run, in the
 * order the packages are to be installed (a dependency before what needs it).  Owner: the
 * caller; sched_item_release frees what the item owns.
 */
struct sched_item {
	const char *label;     /* what it is called until its archive is found (a URL's last part) */
	size_t *deps;          /* ndeps indexes of the items it depends on, all before it */
	size_t ndeps;
	int up_to_date;        /* nothing to do: counted as installed for what depends on it */
	char *host;            /* where its download goes first ("host:port"), NULL: no download */
	/*
	 * On a worker thread: finds (downloads) the archive and fills src (its name too, for an
	 * archive named by its top directory).  0, or -1 with fail() naming it.
	 */
	int (*locate)(struct install_run *run, struct sched_item *it);
	int named_late;        /* src.name comes from its archive (locate): one name may come twice */
	const void *spec;      /* the caller's: its manifest entry, or its operand */
	const void *manifest;
	struct install_source src;
	struct strvec owned;   /* strings src points into */

	/* the run's own, from here on */
	struct sched *sched;
	struct pool_task task; /* its download, then its build: one at a time */
	int state;             /* schedule.c's enum sched_state */
	int shown_state;       /* what the display was told last (enum pkg_state), -1: nothing */
	size_t shown;          /* its index in the display */
	int logged;            /* the display knows its log */
	int slot;              /* the budget it builds on: 1 the run's free job, 2 a token, 0 none */
	struct timespec started;
	double seconds;        /* from its first step to its end */
	char *error;           /* why it failed (error_take) */
	int build_failed;
	char step[64];         /* the last step its build began, and where its log's part begins */
	off_t step_from;
	struct strvec kept;    /* the tool logs kept of a failed build */
	struct record rec;     /* installed: its new record */
};

void sched_item_release(struct sched_item *it);

/* For an item's locate: its download shown by the run's display (downloads_get_urls_shown). */
struct download_shown;
void schedule_download_shown(struct sched_item *it, struct download_shown *shown);

/*
 * Downloads, builds and installs the items: every download at once (at most
 * SCHED_PER_HOST to one host, SCHED_DOWNLOADS in all, one with -j 1), a build as soon as its archive is
 * there and every item it depends on is installed, as many builds at once as the run's
 * jobserver allows, commits one at a time.  A failure skips what depends on it, the others
 * go on.  A signal stops the run: no new step starts, the builds running are stopped
 * (spawn), their work areas go.  Each ending is shown and reported as it happens;
 * run->failures, run->changes and run->stopped tell the caller.
 */
/*
 * At most 4 downloads to one host: servers and mirrors (GitHub, ftp.gnu.org, Debian's) expect a
 * few connections from one client and throttle or refuse a crowd, browsers settled on 6, and
 * more connections to one host share one path, so they do not make its bytes come faster.
 * 8 in all: enough to keep a link busy with small archives' latencies, not a flood.  With -j 1
 * one at a time: the run of one package after another, downloads included.
 */
#define SCHED_PER_HOST 4
#define SCHED_DOWNLOADS 8
void schedule_run(struct install_run *run, struct sched_item *items, size_t n);

#endif
