#!/usr/bin/env python3
"""Parse KTAP v1 out of a noisy serial console or a host program's output."""
# The code is tools/locklab/ktap.py; this path stays the command make, the docs and the tests run.
import os
import sys

sys.dont_write_bytecode = True  # no __pycache__ in the source tree
sys.path.insert(0, os.path.join(os.path.dirname(os.path.dirname(os.path.realpath(__file__))), 'tools'))
from locklab.ktap import main  # noqa: E402

if __name__ == '__main__':
    sys.exit(main(sys.argv))
