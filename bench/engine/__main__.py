"""`python -m bench.engine [ARGS...]`: the same as `python -m bench engine [ARGS...]`."""

import sys

from bench.engine import main

sys.exit(main(sys.argv[1:]))
