# Sakai LINE employment-support suite — set-up, demo and tests.
# `make demo` and `make test` are all a newcomer needs (see README.md).

PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
VAR := var
DB ?= sakai
HOST ?= 127.0.0.1
PORT ?= 8000
PG_URI ?= postgresql://postgres@127.0.0.1:5432/
# Every folder of addons/ with a tryton.cfg is a module of the suite
MODULES := $(sort $(patsubst addons/%/tryton.cfg,%,$(wildcard addons/*/tryton.cfg)))
SAO := node_modules/tryton-sao
CONF := $(VAR)/trytond.conf
DEMO_PASSWORD := demo-password-2026
LINE_PORT ?= 8931
# The demo talks to the local LINE stand-in, never to LINE
LINE_ENV := SAKAI_LINE_API_ENDPOINT=http://$(HOST):$(LINE_PORT) \
	SAKAI_LINE_API_DATA_ENDPOINT=http://$(HOST):$(LINE_PORT) \
	SAKAI_LINE_LOGIN_ENDPOINT=http://$(HOST):$(LINE_PORT)

.PHONY: demo install web db start stop test test-postgresql test-browser clean FORCE

demo: install web db start
	@echo
	@echo "Back office: http://$(HOST):$(PORT)/  (database: $(DB))"
	@echo "  相談員 (counselor):        counselor1   / $(DEMO_PASSWORD)"
	@echo "  コーディネーター:          coordinator1 / $(DEMO_PASSWORD)"
	@echo "  管理者 (manager):          manager1     / $(DEMO_PASSWORD)"
	@echo "  システム管理者:            sysadmin1    / $(DEMO_PASSWORD)"
	@echo "  監査担当 (auditor):        auditor1     / $(DEMO_PASSWORD)"
	@echo "  (Tryton administrator:     admin        / $(DEMO_PASSWORD))"
	@echo "LINE simulator (play the citizen): http://$(HOST):$(LINE_PORT)/simulator/"
	@echo "Stop it with: make stop"

install: $(VENV)/.installed

$(VENV)/.installed: requirements.txt constraints.txt $(foreach m,$(MODULES),addons/$(m)/pyproject.toml)
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip
	$(BIN)/pip install --quiet -r requirements.txt -c constraints.txt
	$(BIN)/pip install --quiet -c constraints.txt $(foreach m,$(MODULES),-e addons/$(m))
	touch $@

web: $(SAO)/locale/ja.json $(SAO)/custom.js

$(SAO)/locale/ja.json: package.json sao/locale/ja.po tools/po2json.py | install
	npm ci --no-audit --no-fund --loglevel=error
	ln -sfn .. $(SAO)/node_modules
	$(BIN)/python tools/po2json.py sao/locale/ja.po $@

# sao loads custom.js after itself (title bar, CSV export for Excel)
$(SAO)/custom.js: sao/custom.js $(SAO)/locale/ja.json
	cp sao/custom.js $@

# Written again when VAR, HOST or PORT change (e.g. `make demo PORT=8123`)
$(CONF): tools/trytond.conf.in FORCE
	mkdir -p $(VAR)/db $(VAR)/run $(VAR)/log
	sed -e 's|@ROOT@|$(CURDIR)|g' -e 's|@VAR@|$(abspath $(VAR))|g' \
		-e 's|@HOST@|$(HOST)|g' -e 's|@PORT@|$(PORT)|g' $< > $@.new
	if cmp -s $@.new $@; then rm $@.new; else mv $@.new $@; fi

# Creates the database on first run, updates it afterwards; the demo data
# loader looks every record up first, so running it again adds nothing.
db: install $(CONF)
	mkdir -p $(VAR)/db
	test -f $(VAR)/db/$(DB).sqlite || { touch $(VAR)/db/$(DB).sqlite; \
		echo $(DEMO_PASSWORD) > $(VAR)/admin-password; \
		TRYTONPASSFILE=$(VAR)/admin-password $(BIN)/trytond-admin -c $(CONF) \
			-d $(DB) --all -l ja --email admin@example.com; }
	$(BIN)/trytond-admin -c $(CONF) -d $(DB) -u $(MODULES) --activate-dependencies -l ja
	$(BIN)/python demo/load_demo.py -c $(CONF) -d $(DB)

# Each service runs in a session (and process group) of its own, whose ID
# is the PID written in $(VAR)/run: `make stop` stops the whole group,
# trytond-cron's worker processes with it.  (setsid does not fork here, the
# shell of a recipe having no job control, so $$! is the group's ID.)
start: stop web $(CONF)
	mkdir -p $(VAR)/run $(VAR)/log
	setsid $(BIN)/python -m line_standin --port $(LINE_PORT) \
		--webhook http://$(HOST):$(PORT)/$(DB)/line/webhook \
		--secret demo-channel-secret \
		> $(VAR)/log/line.log 2>&1 < /dev/null & echo $$! > $(VAR)/run/line.pid
	$(LINE_ENV) setsid $(BIN)/trytond -c $(CONF) -d $(DB) --logconf tools/logging.conf \
		> $(VAR)/log/trytond.log 2>&1 < /dev/null & echo $$! > $(VAR)/run/trytond.pid
	$(LINE_ENV) setsid $(BIN)/trytond-cron -c $(CONF) -d $(DB) --logconf tools/logging.conf \
		> $(VAR)/log/cron.log 2>&1 < /dev/null & echo $$! > $(VAR)/run/cron.pid
	$(LINE_ENV) $(BIN)/python tools/line_sync.py -c $(CONF) -d $(DB) \
		--simulator http://$(HOST):$(LINE_PORT)/simulator/
	@for i in $$(seq 1 60); do \
		curl -fs -o /dev/null http://$(HOST):$(PORT)/ && exit 0; sleep 0.5; \
	done; echo "server did not start, see $(VAR)/log/trytond.log"; exit 1

# Stops each service's process group and waits (10 s at most, then kills)
# until none of its processes is left, so that a new start finds the ports
# and the database free
stop:
	@for p in $(VAR)/run/trytond.pid $(VAR)/run/cron.pid $(VAR)/run/line.pid; do \
		test -f $$p || continue; g=$$(cat $$p); \
		kill -TERM -$$g 2>/dev/null || kill $$g 2>/dev/null; \
		for i in $$(seq 1 40); do \
			kill -0 -$$g 2>/dev/null || break; sleep 0.25; \
		done; \
		kill -KILL -$$g 2>/dev/null; rm -f $$p; \
	done; true

# TESTS narrows the run: module names, tests, tests.test_<file>, --except
test: install web
	$(BIN)/python tests/run.py $(TESTS)

test-postgresql: install web
	TRYTOND_DATABASE_URI=$(PG_URI) DB_NAME=test_sakai_$$$$ $(BIN)/python tests/run.py $(TESTS)

clean: stop
	rm -rf $(VAR)

FORCE:
