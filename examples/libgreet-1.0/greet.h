/* greet.h - the example library that `make demo` installs with cenv. */
#ifndef GREET_H
#define GREET_H
const char *greet_message(void);
#endif
