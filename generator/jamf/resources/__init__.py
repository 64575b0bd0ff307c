"""One adapter per Jamf object kind: find by name, to and from the wire, normalise for diffing.

Adapters hold no state and never decide anything: ``sync`` asks them to list what the tenant
has, to turn a desired object and a remote one into comparable *views* (plain dicts), and to
write.  A view holds only what this tool manages, after the normalisation that keeps a second
plan from showing false changes:

* names are matched case-insensitively after trimming (Jamf trims names on save, and
  jamf-upload matches Classic names with ``name.lower()``: jamf-api-facts §7);
* server-added fields are ignored (EA ``popupMenuChoices``/``ldapAttributeMapping``, script
  ``categoryName``, Classic ``site``/``self_service`` details...);
* trailing whitespace of free-text fields and scripts is ignored: Jamf strips it on save
  (terraform-provider-jamfpro #398 and PR #1149);
* configuration profiles are compared as parsed plists without the top-level keys Jamf
  rewrites (``PayloadUUID``, ``PayloadIdentifier``, ``PayloadOrganization``,
  ``PayloadDisplayName``: jamf-api-facts §6 quirk 4, [TF] macos_configuration_profile_plist);
* ids: Jamf Pro API ids are strings except API integrations (integers); Classic ids are
  integers (jamf-api-facts §11).  Adapters keep every id as ``str`` and the wire code converts.

Credential hand-over parameters of the credential policy are never shown: views carry
``<secret>`` in their place (see ``HandoverState``).

Layout: ``base`` (kinds, ``Desired``/``Remote``/``Context``, the ``Adapter`` interface),
``classic_xml`` (Classic XML helpers), then one module per kind: ``category``, ``api_role``,
``api_client``, ``script``, ``extension_attribute``, ``profile``, ``account``, ``policy``,
``computer_group`` (the remediation smart groups).
This package re-exports their names and holds ``ADAPTERS``, the kind → adapter registry.
"""

from __future__ import annotations

from .account import PRIVILEGE_GROUPS, AccountAdapter
from .api_client import ClientAdapter
from .api_role import RoleAdapter
from .base import (
    ACCOUNT,
    CATEGORY,
    CLASSIC_KINDS,
    CLIENT,
    EA,
    GROUP,
    KINDS,
    MANAGED_NOTE,
    POLICY,
    PROFILE,
    ROLE,
    SCRIPT,
    SECRET_MARK,
    Adapter,
    Context,
    Desired,
    DuplicateError,
    HandoverState,
    Remote,
    find_by_name,
    fold,
)
from .category import CategoryAdapter
from .classic_xml import classic_category
from .computer_group import ComputerGroupAdapter
from .extension_attribute import ExtensionAttributeAdapter
from .policy import PolicyAdapter, handover_prefix
from .profile import SERVER_MANAGED_PROFILE_KEYS, ProfileAdapter, parse_payloads, payloads_wire, profile_semantic
from .script import ScriptAdapter

ADAPTERS: dict[str, Adapter] = {
    CATEGORY: CategoryAdapter(), ROLE: RoleAdapter(), ACCOUNT: AccountAdapter(), CLIENT: ClientAdapter(),
    SCRIPT: ScriptAdapter(), EA: ExtensionAttributeAdapter(), PROFILE: ProfileAdapter(), GROUP: ComputerGroupAdapter(),
    POLICY: PolicyAdapter(),
}

__all__ = [
    "ACCOUNT", "ADAPTERS", "CATEGORY", "CLASSIC_KINDS", "CLIENT", "EA", "GROUP", "KINDS", "MANAGED_NOTE", "POLICY",
    "PRIVILEGE_GROUPS", "PROFILE", "ROLE", "SCRIPT", "SECRET_MARK", "SERVER_MANAGED_PROFILE_KEYS", "AccountAdapter",
    "Adapter", "CategoryAdapter", "ClientAdapter", "ComputerGroupAdapter",
    "Context", "Desired", "DuplicateError", "ExtensionAttributeAdapter",
    "HandoverState", "PolicyAdapter", "ProfileAdapter", "Remote", "RoleAdapter", "ScriptAdapter", "classic_category",
    "find_by_name", "fold", "handover_prefix", "parse_payloads", "payloads_wire", "profile_semantic",
]
