"""The application layer: what the faces (wizard.cli, wizard.tui) ask for, and nothing else they
need. An open sprint (open_sprint.OpenSprint), running checks into a report (checks), planning,
applying and rolling back Cloudflare fixes (fixes), rendering deliverables (deliverables) and
the credentials' verification (credentials). Plain async Python: CI and tests use it directly."""
