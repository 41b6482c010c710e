# config.mk - the settings a packager changes; the Makefile includes it.
VERSION = 0.1.0

PREFIX ?= /usr/local
BINDIR ?= $(PREFIX)/bin
MANPREFIX ?= $(PREFIX)/share/man
DATADIR ?= $(PREFIX)/share

CC ?= cc
PKG_CONFIG ?= pkg-config
CFLAGS ?= -O2 -g

# the libraries cenv and its tests use, found with pkg-config
DEPS_PC = libarchive inih libcrypto libseccomp
DEPS_PC += libcurl
