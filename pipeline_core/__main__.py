import os
import sys

from pipeline_core.cli import main
from pipeline_core.train.parallel import shut_down

code = main()
shut_down()
sys.stdout.flush()
sys.stderr.flush()
# Everything is written and committed by now. Tearing the interpreter down would take most of a second more
# (SQLAlchemy's and scikit-learn's module state). The workers are ended first.
os._exit(code)
