# config.mk: tunables for the build (included by Makefile)
PREFIX  ?= /usr/local
CC      ?= cc
PKGS    := libcurl libzmq gumbo sqlite3 zlib libcrypto
OPT     ?= -O2 -g
WARN    := -Wall -Wextra -Werror -Wshadow -Wstrict-prototypes \
           -Wmissing-prototypes -Wwrite-strings -Wvla
STD     := -std=c11 -D_POSIX_C_SOURCE=200809L -D_DEFAULT_SOURCE
