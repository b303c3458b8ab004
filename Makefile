# Build and install HealthSync for one user (PREFIX=~/.local) or the system
# (sudo make install PREFIX=/usr/local). What is installed:
#   $(PREFIX)/bin/healthsync
#   $(PREFIX)/share/man/man1/healthsync.1                  (from the commands: swift-argument-parser's generate-manual)
#   $(PREFIX)/share/bash-completion/completions/healthsync  (healthsync --generate-completion-script bash)
#   $(PREFIX)/share/zsh/site-functions/_healthsync
#   $(PREFIX)/share/fish/vendor_completions.d/healthsync.fish
#   $(UNITDIR)/healthsync.service                          (a systemd user unit for `healthsync daemon`)
# DESTDIR stages the whole tree elsewhere (packaging, tests).

PREFIX ?= $(HOME)/.local
DESTDIR ?=
CONFIGURATION ?= release
UNITDIR ?= $(if $(filter $(HOME)/%,$(PREFIX)),$(HOME)/.config/systemd/user,$(PREFIX)/lib/systemd/user)
BUILD := .build/$(CONFIGURATION)
MANPAGE := .build/man/healthsync.1

.PHONY: all build man completions install uninstall

all: build man completions

build:
	swift build -c $(CONFIGURATION) --product healthsync

# Always made afresh (the commands may have changed); `install` makes it only when missing.
man:
	swift package plugin generate-manual --configuration $(CONFIGURATION)
	mkdir -p .build/man
	cp .build/plugins/GenerateManual/outputs/healthsync/healthsync.1 $(MANPAGE)

$(MANPAGE):
	$(MAKE) man CONFIGURATION=$(CONFIGURATION)

completions: $(BUILD)/healthsync
	mkdir -p .build/completions
	$(BUILD)/healthsync --generate-completion-script bash > .build/completions/healthsync.bash
	$(BUILD)/healthsync --generate-completion-script zsh > .build/completions/_healthsync
	$(BUILD)/healthsync --generate-completion-script fish > .build/completions/healthsync.fish

$(BUILD)/healthsync:
	swift build -c $(CONFIGURATION) --product healthsync

install: $(BUILD)/healthsync $(MANPAGE) completions
	install -d $(DESTDIR)$(PREFIX)/bin $(DESTDIR)$(PREFIX)/share/man/man1 \
		$(DESTDIR)$(PREFIX)/share/bash-completion/completions $(DESTDIR)$(PREFIX)/share/zsh/site-functions \
		$(DESTDIR)$(PREFIX)/share/fish/vendor_completions.d $(DESTDIR)$(UNITDIR)
	install -m 0755 $(BUILD)/healthsync $(DESTDIR)$(PREFIX)/bin/healthsync
	install -m 0644 $(MANPAGE) $(DESTDIR)$(PREFIX)/share/man/man1/healthsync.1
	install -m 0644 .build/completions/healthsync.bash $(DESTDIR)$(PREFIX)/share/bash-completion/completions/healthsync
	install -m 0644 .build/completions/_healthsync $(DESTDIR)$(PREFIX)/share/zsh/site-functions/_healthsync
	install -m 0644 .build/completions/healthsync.fish $(DESTDIR)$(PREFIX)/share/fish/vendor_completions.d/healthsync.fish
	sed 's|@BINDIR@|$(PREFIX)/bin|g' scripts/systemd/healthsync.service > $(DESTDIR)$(UNITDIR)/healthsync.service
	chmod 0644 $(DESTDIR)$(UNITDIR)/healthsync.service

uninstall:
	rm -f $(DESTDIR)$(PREFIX)/bin/healthsync $(DESTDIR)$(PREFIX)/share/man/man1/healthsync.1 \
		$(DESTDIR)$(PREFIX)/share/bash-completion/completions/healthsync \
		$(DESTDIR)$(PREFIX)/share/zsh/site-functions/_healthsync \
		$(DESTDIR)$(PREFIX)/share/fish/vendor_completions.d/healthsync.fish $(DESTDIR)$(UNITDIR)/healthsync.service
