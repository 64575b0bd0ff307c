"""Talking to Jamf Pro: the HTTP client (``client/``), one adapter per object kind
(``resources/``), the plan/apply/audit/rotate engine (``sync/``) and its command-line wiring
(``commands``).

The layers only point downwards: ``commands`` formats what ``sync`` returns, ``sync`` decides
what to write using ``resources``, and only ``client`` touches sockets.  Each sub-package's
docstring lists its modules; each package re-exports its modules' public names, so
``generator.jamf.client``, ``generator.jamf.resources`` and ``generator.jamf.sync`` are the
import paths to use.
"""
