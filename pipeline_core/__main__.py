import sys

from pipeline_core.cli import main

sys.exit(main())
