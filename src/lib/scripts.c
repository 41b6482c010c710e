/* scripts.c - writes an environment's activate scripts from the built-in templates. */
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "activation.h"
#include "version.h"
#include "error.h"
#include "layout.h"
#include "quote.h"
#include "scripts.h"
#include "template.h"

static const struct {
	const char *template_name;
	const char *file;
	enum shell shell;
	int mode;
} scripts[] = {
	/* executable, so running it instead of sourcing it can say how to use it */
	{ "activate.sh", "bin/activate", SHELL_SH, 0755 },
	{ "activate.fish", "bin/activate.fish", SHELL_FISH, 0644 },
	{ "activate.csh", "bin/activate.csh", SHELL_CSH, 0644 },
};

static char *quoted(enum shell sh, const char *s)
{
	struct strbuf sb = STRBUF_INIT;

	quote_for(sh, &sb, s);
	return sb_detach(&sb);
}

/* Indents each line of text by prefix (for readability of the generated script). */
static char *indented(const char *text, const char *prefix)
{
	struct strbuf sb = STRBUF_INIT;
	const char *p = text;

	while (*p) {
		const char *nl = strchr(p, '\n');
		size_t n = nl ? (size_t)(nl - p + 1) : strlen(p);

		sb_adds(&sb, prefix);
		sb_add(&sb, p, n);
		p += n;
	}
	return sb_detach(&sb);
}

static int render(const struct env_config *cfg, const char *template_name, enum shell sh,
		  struct strbuf *out)
{
	const struct template *t = template_find(template_name);
	struct activation act;
	struct strbuf on = STRBUF_INIT, off = STRBUF_INIT;
	char *zsh = prompt_escape_zsh(cfg->prompt);
	char *bash = prompt_escape_bash(cfg->prompt);
	char *tcsh = prompt_escape_tcsh(cfg->prompt);
	char *bash_ps1 = xasprintf("(%s) ", bash);
	char *tcsh_ps1 = xasprintf("(%s) ", tcsh);
	const char *indent = sh == SHELL_SH ? "\t" : sh == SHELL_FISH ? "    " : "        ";
	int ret;

	if (!t)
		return fail("no built-in template '%s'", template_name);
	activation_init(&act, cfg);
	activation_script(&act, sh, 0, &on);
	activation_script(&act, sh, 1, &off);
	{
		char *on_text = sh == SHELL_CSH ? indented(sb_str(&on), indent) : xstrdup(sb_str(&on));
		char *off_text = indented(sb_str(&off), sh == SHELL_CSH ? "    " : indent);
		const struct template_var vars[] = {
			{ "VERSION", CENV_VERSION },
			{ "PREFIX_COMMENT", cfg->prefix },
			{ "PREFIX", quoted(sh, cfg->prefix) },
			{ "PROMPT", quoted(sh, cfg->prompt) },
			{ "PROMPT_ZSH", quoted(sh, zsh) },
			{ "PS1_BASH_LITERAL", quoted(sh, bash_ps1) },
			{ "PROMPT_TCSH", quoted(sh, tcsh_ps1) },
			{ "ACTIVATE", on_text },
			{ "DEACTIVATE", off_text },
		};
		size_t i, n = sizeof(vars) / sizeof(vars[0]);

		ret = template_expand(t->text, template_name, vars, n, out);
		for (i = 2; i <= 6; i++)
			free((char *)vars[i].value);
		free(on_text);
		free(off_text);
	}
	activation_release(&act);
	sb_release(&on);
	sb_release(&off);
	free(zsh);
	free(bash);
	free(tcsh);
	free(bash_ps1);
	free(tcsh_ps1);
	return ret;
}

int scripts_render(const struct env_config *cfg, const char *template_name, struct strbuf *out)
{
	size_t i;

	for (i = 0; i < sizeof(scripts) / sizeof(scripts[0]); i++)
		if (!strcmp(scripts[i].template_name, template_name))
			return render(cfg, template_name, scripts[i].shell, out);
	return fail("no built-in template '%s'", template_name);
}

int scripts_write_at(int root, const struct env_config *cfg, int fresh)
{
	int bin = layout_open(root, cfg->prefix, "bin", 0);
	size_t i;
	int ret = 0;

	if (bin < 0)
		return -1;
	for (i = 0; ret == 0 && i < sizeof(scripts) / sizeof(scripts[0]); i++) {
		struct strbuf text = STRBUF_INIT;
		const char *name = scripts[i].file + strlen("bin/");
		char *shown = path_join(cfg->prefix, scripts[i].file);
		mode_t mode = (mode_t)scripts[i].mode;

		ret = render(cfg, scripts[i].template_name, scripts[i].shell, &text);
		if (ret == 0)
			ret = fresh ? write_file_new_at(bin, name, shown, text.buf, text.len, mode)
				    : write_file_atomic_at(bin, name, shown, text.buf, text.len, mode);
		sb_release(&text);
		free(shown);
	}
	close(bin);
	return ret < 0 ? -1 : 0;
}

int scripts_write(const struct env_config *cfg, int fresh)
{
	int root = layout_open_root(cfg->prefix), ret;

	if (root < 0)
		return -1;
	ret = scripts_write_at(root, cfg, fresh);
	close(root);
	return ret;
}
