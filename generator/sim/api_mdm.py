"""``POST /api/v2/mdm/blank-push``: the Jamf Pro API's blank push, successor of the Classic
``BlankPush`` computer command (removed in Jamf Pro 11.28).

It takes client *management ids* (``general.managementId`` of the inventory), not computer ids,
and answers 200 ``{"errorUuids": [...]}`` listing the ids it could not push to -- here, the ids
no enrolled computer of the tenant has.  The body and answer follow Jamf's API reference page
(``post_v2-mdm-blank-push``); its OpenAPI file is not among those vendored, so the privilege is a
hand-kept catalogue entry (``generator.catalogue.HAND_KEPT``, ASSUMPTIONS.md).
"""

from __future__ import annotations

from .bodies import BLANK_PUSH
from .context import Ctx
from .messages import Response, json_response


def blank_push(ctx: Ctx) -> Response:
    body = ctx.json_body(BLANK_PUSH)
    errors = []
    for management_id in body["clientManagementIds"]:
        computer = ctx.tenant.computer_by("managementId", management_id)
        if computer is None:
            errors.append(management_id)
            continue
        ctx.tenant.blank_pushes.append({"computerId": computer["id"], "managementId": management_id, "time": ctx.now})
    return json_response(200, {"errorUuids": errors})
