# benchmarks/local.mk - included by Makefile.am: the OSU-style benchmarks.
