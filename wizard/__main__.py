"""`python -m wizard` is the same as the `launch-ready` command."""

from wizard.cli import main

raise SystemExit(main())
