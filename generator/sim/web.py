"""The web application's unauthenticated pages: the login page at ``/`` and ``/healthCheck.html``.

Clients probe these before they use the API: the seed agent's MDM reachability check is
``curl --head --location https://<server>`` (any first line with ``HTTP`` and no 400, 404-409,
41x-49x or 5xx passes).  Jamf Pro serves its web app at ``/``; the simulator answers with a
small login page, 200, rather than a redirect (ASSUMPTIONS.md: Jamf Pro's exact answer at ``/``
is not published; both pass that check).  ``/healthCheck.html`` answers ``[]`` when the server
is healthy, as Jamf documents; the simulator is healthy whenever it answers at all (an injected
5xx fault still answers 5xx there, as an unhealthy node would).
"""

from __future__ import annotations

import html

from .context import Ctx
from .messages import HTML, Response

LOGIN_PAGE = (
    "<!DOCTYPE html>\n<html lang=\"en\">\n<head>\n<meta charset=\"utf-8\">\n<title>{title}</title>\n</head>\n"
    "<body>\n<form method=\"post\" action=\"{action}\">\n<h1>{title}</h1>\n"
    "<label>Username <input type=\"text\" name=\"username\" autocomplete=\"username\"></label>\n"
    "<label>Password <input type=\"password\" name=\"password\" autocomplete=\"current-password\"></label>\n"
    "<button type=\"submit\">Log in</button>\n</form>\n</body>\n</html>\n"
)


def login_page(ctx: Ctx) -> Response:
    title = html.escape(f"Jamf Pro - {ctx.tenant.config.organization}")
    body = LOGIN_PAGE.format(title=title, action=html.escape(ctx.href("/")))
    return Response(200, body.encode("utf-8"), HTML)


def health_check(ctx: Ctx) -> Response:
    return Response(200, b"[]", "application/json;charset=UTF-8", json=[])
