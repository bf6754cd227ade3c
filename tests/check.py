#!/usr/bin/env python3
"""The `make check` orchestrator: runs host and QEMU test steps, prints a block per step and one closing tally."""
# The code is tools/locklab/check.py; this path stays the command make, the docs and the tests run.
import os
import sys

sys.dont_write_bytecode = True  # no __pycache__ in the source tree
sys.path.insert(0, os.path.join(os.path.dirname(os.path.dirname(os.path.realpath(__file__))), 'tools'))
from locklab.check import main  # noqa: E402

if __name__ == '__main__':
    sys.exit(main(sys.argv[1:]))
