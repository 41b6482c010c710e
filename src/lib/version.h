/* version.h - cenv's version, set by the Makefile from config.mk. */
#ifndef CENV_VERSION_H
#define CENV_VERSION_H

#ifndef CENV_VERSION
#define CENV_VERSION "0.0.0-dev"
#endif

#endif
