/* greet.c - the example library that `make demo` installs with cenv. */
#include "greet.h"

const char *greet_message(void)
{
	return "hello from libgreet, installed by cenv";
}
