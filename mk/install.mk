# SPDX-License-Identifier: MIT
# make install [PREFIX=/usr/local] [DESTDIR=...]: the libraries, the
# headers, a pkg-config file, the openhv tool and its man page openhv(1),
# and libopenhv-mshv.so in $(LIBDIR)/openhv/ for `openhv exec`.
# make uninstall removes them again.  A program then builds with
#   cc prog.c $(pkg-config --cflags --libs openhv)

PREFIX		?= /usr/local
BINDIR		?= $(PREFIX)/bin
LIBDIR		?= $(PREFIX)/lib
INCLUDEDIR	?= $(PREFIX)/include
MANDIR		?= $(PREFIX)/share/man
PKGCONFIGDIR	?= $(LIBDIR)/pkgconfig
INSTALL		?= install

HEADERS		:= $(wildcard include/openhv/*.h)
PC		:= $(O)/openhv.pc

.PHONY: install uninstall FORCE

# Regenerated each time: PREFIX and the directories may change.
$(PC): FORCE
	@mkdir -p $(@D)
	$(Q)printf '%s\n' \
		'prefix=$(PREFIX)' \
		'libdir=$(LIBDIR)' \
		'includedir=$(INCLUDEDIR)' \
		'' \
		'Name: openhv' \
		'Description: The provider side of the Hyper-V (TLFS) partition-management hypercalls' \
		'Version: $(VERSION)' \
		'Libs: -L$${libdir} -lopenhv' \
		'Libs.private: -lpthread' \
		'Cflags: -I$${includedir}' > $@

install: $(STATIC) $(SHARED) $(TOOL) $(PC) $(O)/libopenhv-mshv.so
	$(E) "  INSTALL $(DESTDIR)$(PREFIX)"
	$(Q)$(INSTALL) -d $(DESTDIR)$(BINDIR) $(DESTDIR)$(LIBDIR) \
		$(DESTDIR)$(INCLUDEDIR)/openhv $(DESTDIR)$(MANDIR)/man1 \
		$(DESTDIR)$(PKGCONFIGDIR)
	$(Q)$(INSTALL) -m 755 $(TOOL) $(DESTDIR)$(BINDIR)/openhv
	$(Q)$(INSTALL) -m 644 $(STATIC) $(DESTDIR)$(LIBDIR)/libopenhv.a
	$(Q)$(INSTALL) -m 755 $(SHARED) $(DESTDIR)$(LIBDIR)/libopenhv.so.$(VERSION)
	$(Q)ln -sf libopenhv.so.$(VERSION) \
		$(DESTDIR)$(LIBDIR)/libopenhv.so.$(SOVERSION)
	$(Q)ln -sf libopenhv.so.$(SOVERSION) $(DESTDIR)$(LIBDIR)/libopenhv.so
	$(Q)$(INSTALL) -m 644 $(HEADERS) $(DESTDIR)$(INCLUDEDIR)/openhv/
	$(Q)$(INSTALL) -m 644 docs/openhv.1 $(DESTDIR)$(MANDIR)/man1/openhv.1
	$(Q)$(INSTALL) -m 644 $(PC) $(DESTDIR)$(PKGCONFIGDIR)/openhv.pc
	$(Q)$(INSTALL) -d $(DESTDIR)$(LIBDIR)/openhv
	$(Q)$(INSTALL) -m 755 $(O)/libopenhv-mshv.so \
		$(DESTDIR)$(LIBDIR)/openhv/libopenhv-mshv.so

uninstall:
	$(E) "  UNINSTALL $(DESTDIR)$(PREFIX)"
	$(Q)rm -f $(DESTDIR)$(BINDIR)/openhv \
		$(DESTDIR)$(LIBDIR)/libopenhv.a \
		$(DESTDIR)$(LIBDIR)/libopenhv.so.$(VERSION) \
		$(DESTDIR)$(LIBDIR)/libopenhv.so.$(SOVERSION) \
		$(DESTDIR)$(LIBDIR)/libopenhv.so \
		$(HEADERS:include/%=$(DESTDIR)$(INCLUDEDIR)/%) \
		$(DESTDIR)$(MANDIR)/man1/openhv.1 \
		$(DESTDIR)$(PKGCONFIGDIR)/openhv.pc \
		$(DESTDIR)$(LIBDIR)/openhv/libopenhv-mshv.so
	$(Q)rmdir $(DESTDIR)$(INCLUDEDIR)/openhv 2>/dev/null || true
	$(Q)rmdir $(DESTDIR)$(LIBDIR)/openhv 2>/dev/null || true
