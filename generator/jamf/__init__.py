"""Talking to Jamf Pro: the HTTP client (``client``), one adapter per object kind
(``resources``), the plan/apply/audit/rotate core (``sync``) and its command-line wiring
(``commands``).

The layers only point downwards: ``commands`` formats what ``sync`` returns, ``sync`` decides
what to write using ``resources``, and only ``client`` touches sockets.
"""
