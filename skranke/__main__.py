import sys

from skranke.cli import main

sys.exit(main())
