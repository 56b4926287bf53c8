import os
import sys

from pipeline_core.cli import main

code = main()
sys.stdout.flush()
sys.stderr.flush()
# Everything is written and committed by now. Tearing the interpreter down would take most of a second more
# (SQLAlchemy's and scikit-learn's module state); any worker process ends itself once its parent is gone.
os._exit(code)
