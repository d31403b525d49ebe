"""Every record table the XenAPI face serves: class name -> the function that builds it from the model.

The view computes records through this table rather than importing the builders, so the
builders can name the view they read without an import circle.
"""

from __future__ import annotations

from simlab.faces.xapi import alerts, netrecords, records, vmrecords
from simlab.faces.xapi.view import Builder

BUILDERS: dict[str, Builder] = {**records.BUILDERS, **netrecords.BUILDERS, **alerts.BUILDERS, **vmrecords.BUILDERS}
