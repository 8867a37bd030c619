# src/collect: collectors, their transports and the loop
src_libfleetdeck_a_SOURCES += \
	src/loop/pollset.c src/loop/pollset.h \
	src/loop/wake.c src/loop/wake.h \
	src/collect/collector.c src/collect/collector.h src/collect/source.h \
	src/collect/http.c src/collect/http.h \
	src/collect/hosts.c src/collect/hosts.h \
	src/collect/probe.c src/collect/probe.h \
	src/collect/plausible.c src/collect/plausible.h \
	src/collect/shell.c src/collect/shell.h \
	src/collect/ssh.c src/collect/ssh.h \
	src/collect/resolver.c src/collect/resolver.h \
	src/collect/local.c src/collect/local.h \
	src/collect/knownhosts.c src/collect/knownhosts.h \
	src/collect/sshconfig.c src/collect/sshconfig.h
