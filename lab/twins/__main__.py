"""``python -m lab.twins --config CONFIG.json``: host every twin of a lab in one process."""

from lab.twins.server import main

raise SystemExit(main())
