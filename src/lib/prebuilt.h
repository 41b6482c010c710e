/* prebuilt.h - stage a prebuilt tree (include/, lib/, bin/ as they are) for installing under a prefix. */
#ifndef CENV_PREBUILT_H
#define CENV_PREBUILT_H

/*
 * Moves each directory at the top of src into stage (created if missing;
 * copied instead of moved across file systems: a copy drops setuid, setgid
 * and sticky, a move keeps every mode as it is, since the unpacker has
 * dropped those bits already); files at the top (README, LICENSE) stay behind.  Then
 * every .pc file in stage/lib/pkgconfig and stage/share/pkgconfig gets
 * "prefix=PREFIX", its variables spelling out the old prefix made to use
 * ${prefix}.  What it does is noted in the log at log_fd.  src is consumed:
 * the caller throws it away.  0, or -1 with fail().
 */
int prebuilt_stage(const char *src, const char *stage, const char *prefix, int log_fd);

#endif
