# The two commands of README.md: `make lab` and `make test`. Both start with the same set-up.
# `make bench` runs the benchmarks of bench/ and prints their table.
SHELL := /bin/bash
VENV := $(CURDIR)/.venv
# Go (for the ghostunnel build) where this machine kind keeps it, if it is not on the PATH already.
export PATH := $(VENV)/bin:$(PATH):/usr/local/go/bin
export ANSIBLE_CONFIG := $(CURDIR)/ansible.cfg

.PHONY: setup lab lab-down test bench lint sanity build molecule unit integration

setup:
	@scripts/setup.sh

lab: setup
	@scripts/lab.sh up

lab-down: setup
	@scripts/lab.sh down

test: setup
	@scripts/test.sh

bench: setup
	@$(VENV)/bin/python bench/run.py

unit integration lint sanity build molecule: setup
	@scripts/test.sh $@
