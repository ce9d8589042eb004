# govops: `make demo` runs the main job on the lab twin; `make test` runs the tests.
# Both start with `setup`, so either works as the first command on a fresh Debian 12 machine (as root).

SHELL := /bin/bash
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
INVENTORY ?= inventories/lab

# Debian packages the lab, the exporters' peers and the tests use.
DEB_PACKAGES := iproute2 iputils-ping openssh-server openssh-client snmpd snmp nftables rsync \
	prometheus prometheus-alertmanager prometheus-snmp-exporter rsyslog rsyslog-gnutls \
	libpam-pwquality auditd dnsutils procps util-linux git ca-certificates iptables logrotate postgresql pgbackrest systemd sudo frr frr-snmp

.PHONY: setup deb venv demo test test-unit test-lab lint sanity bench clean-lab

setup: deb venv

deb:
	@missing=$$(for p in $(DEB_PACKAGES); do dpkg-query -W -f='$${Status}\n' $$p 2>/dev/null | grep -q "install ok installed" || echo $$p; done); \
	if [ -n "$$missing" ]; then \
		echo "installing Debian packages:" $$missing; \
		apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends $$missing; \
	fi

# Re-install only when pyproject.toml changes.
venv: $(VENV)/.installed

$(VENV)/.installed: pyproject.toml
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/pip install -q --upgrade pip
	$(BIN)/pip install -q -e '.[dev]'
	touch $@

demo: setup
	$(BIN)/python -m govops.demo -i $(INVENTORY)

lint: venv sanity
	$(BIN)/ruff check .
	$(BIN)/yamllint -s .
	$(BIN)/ansible-lint -q --profile production playbooks collections/ansible_collections/xinyu/govops/roles  # .ansible-lint
	$(BIN)/lint-imports --no-cache  # the layers in .importlinter (DESIGN.md, "Layers")

# validate-modules on the xinyu.govops collection, without a container: ansible-test builds its own
# venv; its pip bootstrap script comes from ci/ (ansible-test's download server is not reachable here).
sanity: venv
	mkdir -p $(HOME)/.ansible/test/cache
	cp ci/ansible-test-get-pip.py $(HOME)/.ansible/test/cache/get_pip_$$($(BIN)/python -c "import ansible_test._internal.python_requirements as r, inspect, re; print(re.search(r\"pip='([0-9.]+)'\", inspect.getsource(r))[1].replace('.', '_'))").py
	cd collections/ansible_collections/xinyu/govops && PATH=$(CURDIR)/$(BIN):$$PATH ansible-test sanity --test validate-modules --python 3.11

test: setup lint
	$(BIN)/pytest -q

test-unit: venv
	$(BIN)/pytest -q -m "not lab"

bench: setup
	$(BIN)/python -m bench

clean-lab: venv
	$(BIN)/govops lab down --all-prefixes || true
