"""xenlab's XenAPI client: a session on the master (found from any host) and facts collected once."""

from xenlab.xapi.facts import XapiFacts, collect_facts
from xenlab.xapi.session import XapiSession, connect

__all__ = ["XapiFacts", "XapiSession", "collect_facts", "connect"]
