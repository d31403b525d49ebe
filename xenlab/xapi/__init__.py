"""xenlab's XenAPI client: a session on the master (found from any host) and typed facts collected once.

Typed objects live in ``xenlab.xapi.objects`` (one module per area); how to add a class is told
in ``xenlab.xapi.typed``.
"""

from xenlab.xapi.facts import XapiFacts, collect_facts
from xenlab.xapi.session import XapiSession, connect

__all__ = ["XapiFacts", "XapiSession", "collect_facts", "connect"]
