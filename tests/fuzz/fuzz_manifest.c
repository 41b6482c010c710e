/* fuzz_manifest.c - libFuzzer target: any bytes through the manifest parser, order and word splitter. */
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "manifest.h"
#include "util.h"

/* A valid manifest must order every package after its dependencies; anything else is a bug. */
static void check_order(const struct manifest *m)
{
	size_t *order = xmalloc(m->npkgs * sizeof(*order));
	size_t *rank = xmalloc(m->npkgs * sizeof(*rank));
	size_t i, j;

	if (manifest_order(m, order) < 0)
		abort();
	for (i = 0; i < m->npkgs; i++)
		rank[order[i]] = i;
	for (i = 0; i < m->npkgs; i++) {
		const struct package_spec *p = &m->pkgs[i];

		if (manifest_find(m, p->name) != p || !p->url || !p->sha256 || p->args[p->nargs])
			abort();
		for (j = 0; j < p->ndepends; j++)
			if (rank[p->dep_index[j]] >= rank[i])
				abort();
		free(manifest_source_path(m, p));
	}
	free(rank);
	free(order);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char *text = xmalloc(size + 1);
	struct manifest m;
	char **words;
	size_t n;

	/* The parser takes a C string; an embedded NUL simply ends the text early. */
	memcpy(text, data, size);
	text[size] = '\0';
	if (manifest_parse_string(text, "fuzz/cenv.ini", &m) == 0) {
		check_order(&m);
		manifest_release(&m);
	}
	if (split_shell_words(text, &words, &n) == 0)
		shell_words_free(words);
	free(text);
	return 0;
}
