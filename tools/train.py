#!/usr/bin/env python
"""Train with an airl_mm / mmselfsup config (see ``--help``)."""
import airl_mm  # noqa: F401  (applies host glue, registers modules)
from airl_mm.engine.runner.train import main

if __name__ == '__main__':
    main()
