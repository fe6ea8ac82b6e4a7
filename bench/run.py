"""`make bench`: every benchmark of bench/, run on this machine in one go, reported as one table
(figure, value, method); the raw figures go to .bench/results.json."""

from __future__ import annotations

import argparse
import json
import os
import platform
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from bench import aws_estimate, dicom, host_config, provisioning  # noqa: E402  pylint: disable=wrong-import-position

# In this order: aws_estimate reads the provisioning converge and the host configuration time.
BENCHMARKS = {"provisioning": provisioning, "host_config": host_config, "aws_estimate": aws_estimate, "dicom": dicom}


def table(rows):
    widths = [max(len(str(row[i])) for row in rows) for i in range(3)]
    lines = []
    for n, row in enumerate(rows):
        lines.append("| " + " | ".join(str(cell).ljust(widths[i]) for i, cell in enumerate(row)) + " |")
        if n == 0:
            lines.append("|" + "|".join("-" * (w + 2) for w in widths) + "|")
    return "\n".join(lines)


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("only", nargs="*", help="benchmarks to run, of %s (default: all)" % ", ".join(sorted(BENCHMARKS)))
    parser.add_argument("--report", action="store_true", help="print the table of the figures in .bench/results.json, run nothing")
    args = parser.parse_args(argv)
    unknown = sorted(set(args.only) - set(BENCHMARKS))
    if unknown:
        parser.error("no benchmark %s; there are %s" % (", ".join(unknown), ", ".join(sorted(BENCHMARKS))))
    previous = ROOT / ".bench/results.json"
    if args.report:
        results = json.loads(previous.read_text())
        print(table([("Figure", "Value", "Method")] + [row for name in BENCHMARKS if name in results for row in BENCHMARKS[name].rows(results[name])]))
        return
    results = json.loads(previous.read_text()) if args.only and previous.exists() else {}
    results |= {"machine": {"python": platform.python_version(), "cpus": os.cpu_count(), "date": time.strftime("%Y-%m-%d %H:%M")}}
    rows = [("Figure", "Value", "Method")]
    for name in args.only or list(BENCHMARKS):
        print("[bench] %s ..." % name, file=sys.stderr, flush=True)
        results[name] = BENCHMARKS[name].measure(results)
        rows += BENCHMARKS[name].rows(results[name])
        # after each one: a later failure keeps what was measured (--report prints it)
        previous.parent.mkdir(exist_ok=True)
        previous.write_text(json.dumps(results, indent=2))
    print(table(rows))


if __name__ == "__main__":
    main()
