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
MODULES := sakai_line sakai_counseling sakai_jobs sakai_seminars sakai_reports
SAO := node_modules/tryton-sao
CONF := $(VAR)/trytond.conf
DEMO_PASSWORD := demo-password-2026
LINE_PORT ?= 8931
# The demo talks to the local LINE stand-in, never to LINE
LINE_ENV := SAKAI_LINE_API_ENDPOINT=http://$(HOST):$(LINE_PORT) \
	SAKAI_LINE_API_DATA_ENDPOINT=http://$(HOST):$(LINE_PORT) \
	SAKAI_LINE_LOGIN_ENDPOINT=http://$(HOST):$(LINE_PORT)

.PHONY: demo install web db start stop test test-postgresql test-browser clean

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

web: $(SAO)/locale/ja.json

$(SAO)/locale/ja.json: package.json sao/locale/ja.po tools/po2json.py | install
	npm ci --no-audit --no-fund --loglevel=error
	ln -sfn .. $(SAO)/node_modules
	$(BIN)/python tools/po2json.py sao/locale/ja.po $@

$(CONF): tools/trytond.conf.in
	mkdir -p $(VAR)/db $(VAR)/run $(VAR)/log
	sed -e 's|@ROOT@|$(CURDIR)|g' -e 's|@HOST@|$(HOST)|g' -e 's|@PORT@|$(PORT)|g' $< > $@

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

start: stop web
	nohup $(BIN)/python -m line_standin --port $(LINE_PORT) \
		--webhook http://$(HOST):$(PORT)/$(DB)/line/webhook \
		--secret demo-channel-secret \
		> $(VAR)/log/line.log 2>&1 & echo $$! > $(VAR)/run/line.pid
	$(LINE_ENV) nohup $(BIN)/trytond -c $(CONF) -d $(DB) --logconf tools/logging.conf \
		> $(VAR)/log/trytond.log 2>&1 & echo $$! > $(VAR)/run/trytond.pid
	$(LINE_ENV) nohup $(BIN)/trytond-cron -c $(CONF) -d $(DB) --logconf tools/logging.conf \
		> $(VAR)/log/cron.log 2>&1 & echo $$! > $(VAR)/run/cron.pid
	$(LINE_ENV) $(BIN)/python tools/line_sync.py -c $(CONF) -d $(DB) \
		--wait http://$(HOST):$(LINE_PORT)/simulator/
	@for i in $$(seq 1 60); do \
		curl -fs -o /dev/null http://$(HOST):$(PORT)/ && exit 0; sleep 0.5; \
	done; echo "server did not start, see $(VAR)/log/trytond.log"; exit 1

stop:
	@for p in $(VAR)/run/trytond.pid $(VAR)/run/cron.pid $(VAR)/run/line.pid; do \
		test -f $$p && kill $$(cat $$p) 2>/dev/null; rm -f $$p; \
	done; true

test: install web
	$(BIN)/python tests/run.py

test-postgresql: install web
	TRYTOND_DATABASE_URI=$(PG_URI) DB_NAME=test_sakai_$$$$ $(BIN)/python tests/run.py

clean: stop
	rm -rf $(VAR)
