import sys

from gpaitracker.cli.main import main

sys.exit(main())
