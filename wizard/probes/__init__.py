"""Pure async functions that look at the world through the net context and return evidence."""

import dns._features

# checkdmarc installs dnspython[doh], so dnspython's query module imports httpx2 and httpcore2 for
# DNS over HTTPS (~0.1 s) on every run that asks DNS. No probe uses DoH: all DNS goes through the
# sprint's resolver over UDP and TCP. force() is dnspython's own switch for a feature's presence.
dns._features.force("doh", False)
