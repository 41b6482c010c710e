#!/bin/sh
# embed-templates.sh FILE...: writes C source that holds each template file as a string.
set -eu
printf '/* Generated from templates/ by src/embed-templates.sh: do not edit. */\n'
printf '#include "template.h"\n\nconst struct template cenv_templates[] = {\n'
for f in "$@"; do
	printf '\t{ "%s",\n' "${f##*/}"
	# escape \ " and ? (no trigraphs), one string literal per line
	sed -e 's/\\/\\\\/g' -e 's/"/\\"/g' -e 's/?/\\?/g' -e 's/^/\t  "/' -e 's/$/\\n"/' "$f"
	printf '\t},\n'
done
printf '\t{ 0, 0 },\n};\n'
