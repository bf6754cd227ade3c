"""locklab's host tools as one package: the commands in scripts/ and tests/ are thin wrappers around its modules."""
import os

# The source tree this package belongs to (tools/locklab/ -> tools/ -> the tree), and its scripts/ folder,
# whose wrappers the tools run as subprocesses (so a child's command line is the one a user would type).
ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.realpath(__file__))))
SCRIPTS = os.path.join(ROOT, 'scripts')
