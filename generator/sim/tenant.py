"""One simulated Jamf Pro server's state, and the helpers tests use to arrange it.

A ``Tenant`` holds every object store (roles, API clients, accounts, tokens, scripts,
extension attributes, categories, Classic profiles and policies, computers, plans), the
request log and the bootstrap administrator.  Secrets are never stored in clear: client
secrets and tokens are kept as SHA-256 digests, passwords as salted PBKDF2.  The bootstrap
admin client's secret and the admin account's password are held in memory only (for
``admin_client`` / ``admin_account``) and are re-issued whenever the state is loaded.

Everything that mutates is done under ``tenant.lock`` by the server; the helpers below take
the lock too, so tests may call them while requests are in flight.

Longer than the project's ~500 lines on purpose: the stores, their persistence (``snapshot`` /
``restore``) and the arranging helpers must change together, and splitting them would spread one
object's invariants (lock, digests, the persisted field list) across files.
"""

from __future__ import annotations

import copy
import hashlib
import hmac
import secrets
import threading
import uuid
from collections import deque
from collections.abc import Iterable
from typing import Any

from ..catalogue import ACCOUNT_ACTION_NAMES
from ..specindex import valid_privileges
from .agent_states import seeded_agent_state
from .clock import Clock
from .config import SimConfig, VersionTuple, parse_version
from .fleet import UUID_NAMESPACE, MacFacts, seeded_facts
from .plan_rules import DDM_ACTION, FAIL_PATH, TOGGLE_CAPABILITIES
from .plans import DEFAULT_FAIL_REASON, ERROR_REASONS, OUTCOMES, TERMINAL, progress

ADMIN_ROLE = "Simulator Administrator"
ADMIN_CLIENT = "Simulator Bootstrap Admin"
ADMIN_ACCOUNT = "simadmin"
MAX_LOG = 200_000
ACCOUNT_GROUPS = ("jss_objects", "jss_settings", "jss_actions", "recon", "casper_admin", "casper_remote",
                  "casper_imaging")
_ACTION_FROM_ACCOUNT_FORM = {v: k for k, v in ACCOUNT_ACTION_NAMES.items()}
STATE_FORMAT = 1


class ModelError(ValueError):
    """A request the model refuses; ``status``/``code``/``field`` say how the API reports it."""

    def __init__(self, status: int, code: str, message: str, field: str | None = None) -> None:
        super().__init__(message)
        self.status, self.code, self.field = status, code, field


def name_taken(records: Iterable[dict[str, Any]], name: str, exclude: Any = None, key: str = "name") -> bool:
    """Whether another record already has this name (case-insensitive, as Jamf's MySQL collation)."""
    wanted = name.strip().lower()
    return any(r[key].lower() == wanted and r["id"] != exclude for r in records)


def digest(secret: str) -> str:
    return hashlib.sha256(secret.encode("utf-8")).hexdigest()


def _password_hash(password: str, salt: str) -> str:
    return hashlib.pbkdf2_hmac("sha256", password.encode("utf-8"), bytes.fromhex(salt), 2000).hex()


def normalise_privilege(name: str) -> str:
    """An account privilege in API-role form; accepts the UI's 'Jamf Pro Server ... > ...' form too."""
    name = name.strip()
    if name.startswith("Jamf Pro Server Actions > "):
        action = name.removeprefix("Jamf Pro Server Actions > ")
        return _ACTION_FROM_ACCOUNT_FORM.get(action, action)
    if name.startswith("Jamf Pro Server Objects > ") or name.startswith("Jamf Pro Server Settings > "):
        parts = [p.strip() for p in name.split(">")]
        if len(parts) == 3:
            return f"{parts[2]} {parts[1]}"
    return name


class Tenant:
    """The state of one simulated Jamf Pro server (see the module docstring)."""

    def __init__(self, index: int, config: SimConfig, clock: Clock) -> None:
        self.index = index
        self.name = str(index)
        self.config = config
        self.clock = clock
        self.lock = threading.RLock()
        self._version = config.version
        self._version_tuple = parse_version(config.version)
        self.feature_toggle = False
        # The feature toggle's read-only capability fields; forceInstallLocalDateEnabled = the server
        # takes DOWNLOAD_INSTALL_SCHEDULE (DDM) plans (ASSUMPTIONS.md row 22).
        self.toggle_capabilities = dict(TOGGLE_CAPABILITIES)
        self.toggle_jobs: dict[str, dict[str, Any]] = {}
        self.roles: dict[str, dict[str, Any]] = {}
        self.clients: dict[int, dict[str, Any]] = {}
        self.accounts: dict[int, dict[str, Any]] = {}
        self.tokens: dict[str, dict[str, Any]] = {}
        self.scripts: dict[str, dict[str, Any]] = {}
        self.eas: dict[str, dict[str, Any]] = {}
        self.categories: dict[str, dict[str, Any]] = {}
        self.profiles: dict[int, dict[str, Any]] = {}
        self.policies: dict[int, dict[str, Any]] = {}
        self.computer_groups: dict[int, dict[str, Any]] = {1: {"id": 1, "name": "All Managed Clients", "is_smart": True}}
        self.computers: dict[str, dict[str, Any]] = {}
        self._computer_index: tuple[dict[str, dict[str, str]], int] | None = None
        self.plan_records: dict[str, dict[str, Any]] = {}
        self.latest_plan: dict[str, str] = {}  # "COMPUTER/12" -> planUuid of the device's newest plan
        self.device_outcomes: dict[str, dict[str, str]] = {}
        self.legacy_updates: list[dict[str, Any]] = []
        self.blank_pushes: list[dict[str, Any]] = []
        self.policy_flushes: list[int] = []  # policy ids whose logs were flushed (rotate)
        self.counters: dict[str, int] = {}
        self.request_log: list[dict[str, Any]] = []
        self.disabled_routes: set[str] = set()
        self.plan_rate_per_minute = config.plan_rate_per_minute
        self.plan_window: deque[float] = deque()
        self.origins: dict[tuple[str, str], tuple[str, float]] = {}
        self._admin_client: tuple[str, str] = ("", "")
        self._admin_account: tuple[str, str] = ("", "")
        self.admin_integration_id = 0
        self.seed_fleet(config.fleet)
        if config.agent_states:
            self.seed_agent_states()
        self.bootstrap_admin()

    # --- version ------------------------------------------------------------------------
    @property
    def version(self) -> str:
        return self._version

    @version.setter
    def version(self, value: str) -> None:
        self._version_tuple = parse_version(value)
        self._version = value

    @property
    def version_tuple(self) -> VersionTuple:
        return self._version_tuple

    def set_version(self, value: str) -> None:
        self.version = value

    def disable_route(self, route: str) -> None:
        """Answer 404 for a route, e.g. ``"POST /api/v1/oauth/token"`` (a server without it)."""
        self.disabled_routes.add(route)

    def enable_route(self, route: str) -> None:
        self.disabled_routes.discard(route)

    # --- ids and replication ---------------------------------------------------------------
    def next_id(self, kind: str) -> int:
        with self.lock:
            self.counters[kind] = self.counters.get(kind, 0) + 1
            return self.counters[kind]

    def note_origin(self, kind: str, object_id: Any, node: str | None) -> None:
        if node is not None:
            self.origins[(kind, str(object_id))] = (node, self.clock.now())

    def visible(self, kind: str, object_id: Any, node: str | None, replication_ms: int) -> bool:
        """Whether a list on ``node`` already shows the object (Jamf Cloud replication delay)."""
        if node is None or replication_ms <= 0:
            return True
        origin = self.origins.get((kind, str(object_id)))
        if origin is None or origin[0] == node:
            return True
        return (self.clock.now() - origin[1]) * 1000 >= replication_ms

    # --- bootstrap ---------------------------------------------------------------------------
    def bootstrap_admin(self) -> None:
        """(Re-)create the admin role, client and account; issue them a fresh secret and password."""
        with self.lock:
            everything = sorted(valid_privileges())
            role = next((r for r in self.roles.values() if r["displayName"] == ADMIN_ROLE), None)
            if role is None:
                self._create_role(ADMIN_ROLE, everything)
            else:
                role["privileges"] = everything
            client = next((c for c in self.clients.values() if c["displayName"] == ADMIN_CLIENT), None)
            if client is None:
                client = self.create_client(ADMIN_CLIENT, [ADMIN_ROLE], 1800, True)
            client["enabled"] = True
            self.admin_integration_id = client["id"]
            self.rotate_secret(client["id"])
            password = secrets.token_urlsafe(18)
            account = next((a for a in self.accounts.values() if a["name"] == ADMIN_ACCOUNT), None)
            if account is None:
                self.add_account(ADMIN_ACCOUNT, password, [], privilege_set="Administrator")
            else:
                self.set_password(account, password)
            self._admin_account = (ADMIN_ACCOUNT, password)

    @property
    def admin_client(self) -> tuple[str, str]:
        """``(client_id, client_secret)`` of the bootstrap API client that holds every privilege."""
        return self._admin_client

    @property
    def admin_account(self) -> tuple[str, str]:
        """``(username, password)`` of the bootstrap administrator account (basic auth)."""
        return self._admin_account

    # --- computers ---------------------------------------------------------------------------
    def seed_fleet(self, count: int) -> None:
        """Computers 1..count from ``fleet.seeded_facts``: serial ``C02SIM000001``..., a mixed fleet."""
        with self.lock:
            for i in range(1, count + 1):
                self.computers[str(i)] = self._computer(seeded_facts(i))

    def seed_agent_states(self, soft_days: int = 7, hard_days: int = 14) -> None:
        """Give every computer the agent state ``agent_states.seeded_agent_state`` derives from its facts
        (status values, last inventory report date) and store its failed plan, if any."""
        with self.lock:
            now = self.clock.now()
            for computer in self.computers.values():
                facts = MacFacts.from_dict(computer["facts"])
                state = seeded_agent_state(facts, now, soft_days, hard_days)
                reported = self.clock.iso(now - state.report_age_days * 86400)
                computer.update(agentStatus=state.status, reportDate=reported, lastContactTime=reported)
                if state.plan_error:
                    created = now - state.report_age_days * 86400 - 3600
                    self.add_plan({
                        "planUuid": str(uuid.uuid5(UUID_NAMESPACE, f"plan/{computer['serialNumber']}")),
                        "deviceId": computer["id"], "objectType": "COMPUTER",
                        "updateAction": DDM_ACTION if state.status.get("UpdateMechanism") == "DDM" else "DOWNLOAD_INSTALL_RESTART",
                        "versionType": "LATEST_MINOR", "specificVersion": "NO_SPECIFIC_VERSION", "buildVersion": None,
                        "maxDeferrals": 0, "forceInstallLocalDateTime": None, "created": created, "outcome": "fail",
                        "reason": state.plan_error, "path": list(FAIL_PATH), "hold_until": None})

    def _computer(self, facts: MacFacts) -> dict[str, Any]:
        """A computer record: the Mac's facts plus the inventory fields derived from them."""
        return {**facts.inventory_record(), "facts": facts.to_dict(),
                "lastContactTime": self.clock.iso(), "reportDate": self.clock.iso()}

    def facts(self, jamf_id: str | int) -> MacFacts:
        """The fact record of a Mac (KeyError for an unknown id); a copy: change it with ``set_facts``."""
        with self.lock:
            return MacFacts.from_dict(self.computers[str(jamf_id)]["facts"])

    def set_facts(self, jamf_id: str | int, **changes: Any) -> MacFacts:
        """Change a Mac's facts (``fleet.FACT_FIELDS``); the inventory follows at once."""
        with self.lock:
            computer = self.computers.get(str(jamf_id))
            if computer is None:
                raise ModelError(404, "INVALID_ID", f"Computer with id {jamf_id} not found", "id")
            facts = MacFacts.from_dict(computer["facts"]).update(**changes)
            computer.update(facts.inventory_record(), facts=facts.to_dict())
            return facts

    def register_computer(self, serial: str, udid: str, management_id: str, jamf_id: str | int | None = None,
                          name: str | None = None, **facts: Any) -> str:
        """Add (or replace, by Jamf id) a Mac; returns its Jamf Pro id (a string).  ``facts`` are
        ``MacFacts`` fields (default: the harness's default Mac, macOS 15.1 on Apple silicon)."""
        serial, udid, management_id = str(serial).strip(), str(udid).strip(), str(management_id).strip()
        if not serial or not udid or not management_id:
            raise ModelError(400, "INVALID_FIELD", "serial, udid and management id are required")
        with self.lock:
            if jamf_id is None or str(jamf_id).strip() == "":
                numeric = [int(k) for k in self.computers if k.isdigit()]
                jamf_id = str(max([0, *numeric]) + 1)
            jamf_id = str(jamf_id).strip()
            if not jamf_id.isdigit() or int(jamf_id) < 1:
                raise ModelError(400, "INVALID_ID", f"Jamf id must be a positive integer, got {jamf_id!r}", "id")
            for other in self.computers.values():
                if other["id"] != jamf_id and (other["serialNumber"] == serial or other["udid"].lower() == udid.lower()):
                    raise ModelError(409, "DUPLICATE_FIELD",
                                     f"serial or UDID already belongs to computer {other['id']}", "serialNumber")
            try:
                record = MacFacts(jamf_id=jamf_id, serial=serial, udid=udid, management_id=management_id,
                                  name=name or f"SIM-Mac-{int(jamf_id):04d}", **facts)
            except (TypeError, ValueError) as error:
                raise ModelError(400, "INVALID_FIELD", str(error)) from None
            self.computers[jamf_id] = self._computer(record)
            self._computer_index = None
            return jamf_id

    def find_computer(self, jamf_id: str) -> dict[str, Any] | None:
        return self.computers.get(str(jamf_id))

    _INDEXED = ("serialNumber", "udid", "managementId")

    def computer_by(self, field: str, value: str) -> dict[str, Any] | None:
        """Exact, case-insensitive lookup by serial, UDID or management id through an index, rebuilt
        when ``register_computer`` ran, the fleet changed size or a hit turns out stale."""
        key = value.lower()
        index = self._computer_index
        if index is None or index[1] != len(self.computers):
            index = self._rebuild_index()
        computer = self.computers.get(index[0][field].get(key, ""))
        if computer is not None and str(computer[field]).lower() != key:
            computer = self.computers.get(self._rebuild_index()[0][field].get(key, ""))
        return computer

    def _rebuild_index(self) -> tuple[dict[str, dict[str, str]], int]:
        maps: dict[str, dict[str, str]] = {f: {} for f in self._INDEXED}
        for jamf_id, computer in self.computers.items():
            for f in self._INDEXED:
                maps[f].setdefault(str(computer[f]).lower(), jamf_id)
        self._computer_index = (maps, len(self.computers))
        return self._computer_index

    # --- roles and clients ------------------------------------------------------------------
    def _create_role(self, name: str, privileges: list[str]) -> dict[str, Any]:
        role_id = str(self.next_id("role"))
        role = {"id": role_id, "displayName": name, "privileges": list(privileges)}
        self.roles[role_id] = role
        return role

    def check_role(self, name: str, privileges: list[str], exclude_id: str | None = None) -> None:
        name = name.strip()
        if not name:
            raise ModelError(400, "INVALID_FIELD", "displayName must not be blank", "displayName")
        if name_taken(self.roles.values(), name, exclude_id, "displayName"):
            raise ModelError(400, "DUPLICATE_FIELD", f"An API role named {name!r} already exists", "displayName")
        valid = valid_privileges()
        unknown = [p for p in privileges if p not in valid]
        if unknown:
            raise ModelError(400, "INVALID_PRIVILEGE", "Invalid privilege(s): " + ", ".join(unknown), "privileges")

    def add_role(self, name: str, privileges: list[str]) -> str:
        """Create an API role; returns its id (a string, as Jamf's role ids are)."""
        with self.lock:
            self.check_role(name, list(privileges))
            return self._create_role(name.strip(), list(privileges))["id"]

    def role_by_name(self, name: str) -> dict[str, Any] | None:
        return next((r for r in self.roles.values() if r["displayName"] == name), None)

    def check_client(self, name: str, scopes: list[str], lifetime: int | None, exclude_id: int | None = None) -> None:
        name = name.strip()
        if not name:
            raise ModelError(400, "INVALID_FIELD", "displayName must not be blank", "displayName")
        if name_taken(self.clients.values(), name, exclude_id, "displayName"):
            raise ModelError(400, "DUPLICATE_FIELD", f"An API client named {name!r} already exists", "displayName")
        missing = [s for s in scopes if self.role_by_name(s) is None]
        if missing:
            raise ModelError(400, "INVALID_FIELD", "Unknown API role(s): " + ", ".join(missing), "authorizationScopes")
        if lifetime is not None and not 1 <= lifetime <= 2_147_483_647:
            raise ModelError(400, "INVALID_FIELD", "accessTokenLifetimeSeconds must be positive",
                             "accessTokenLifetimeSeconds")

    def create_client(self, name: str, scopes: list[str], lifetime: int, enabled: bool) -> dict[str, Any]:
        """Create an API client without a secret yet (``appType`` NONE), as ``POST /v1/api-integrations`` does."""
        with self.lock:
            self.check_client(name, list(scopes), lifetime)
            client_pk = self.next_id("client")
            client = {"id": client_pk, "displayName": name.strip(), "enabled": enabled,
                      "accessTokenLifetimeSeconds": lifetime, "authorizationScopes": list(scopes),
                      "clientId": str(uuid.uuid4()), "secretHash": None}
            self.clients[client_pk] = client
            return client

    def add_client(self, name: str, role_names: list[str], lifetime: int = 300,
                   enabled: bool = True) -> tuple[int, str, str]:
        """Create an API client with a secret; returns ``(integration_id, client_id, client_secret)``."""
        with self.lock:
            client = self.create_client(name, list(role_names), lifetime, enabled)
            return client["id"], client["clientId"], self.rotate_secret(client["id"])

    def rotate_secret(self, integration_id: int) -> str:
        """Issue a new client secret; the previous one stops working at once."""
        with self.lock:
            secret = secrets.token_urlsafe(48)
            client = self.clients[integration_id]
            client["secretHash"] = digest(secret)
            if integration_id == self.admin_integration_id:
                self._admin_client = (client["clientId"], secret)
            return secret

    def client_by_client_id(self, client_id: str) -> dict[str, Any] | None:
        return next((c for c in self.clients.values() if c["clientId"] == client_id), None)

    def render_client(self, client: dict[str, Any]) -> dict[str, Any]:
        return {
            "id": client["id"], "displayName": client["displayName"], "enabled": client["enabled"],
            "accessTokenLifetimeSeconds": client["accessTokenLifetimeSeconds"],
            "authorizationScopes": list(client["authorizationScopes"]),
            "appType": "CLIENT_CREDENTIALS" if client["secretHash"] else "NONE",
            "clientId": client["clientId"],
        }

    def client_privileges(self, client: dict[str, Any], role_ids: list[str] | None = None) -> list[str]:
        union: set[str] = set()
        for name in client["authorizationScopes"]:
            role = self.role_by_name(name)
            if role is not None and (role_ids is None or role["id"] in role_ids):
                union.update(role["privileges"])
        return sorted(union)

    # --- accounts ------------------------------------------------------------------------------
    def add_account(self, name: str, password: str, privileges: list[str], privilege_set: str = "Custom",
                    enabled: bool = True, full_name: str = "", email: str = "") -> int:
        """Create a standard (non-LDAP) account; privileges are API-role names (or the UI's form)."""
        with self.lock:
            name = name.strip()
            if not name:
                raise ModelError(409, "INVALID_FIELD", "Account name is required", "name")
            if name_taken(self.accounts.values(), name):
                raise ModelError(409, "DUPLICATE_FIELD", "Duplicate name", "name")
            groups: dict[str, list[str]] = {g: [] for g in ACCOUNT_GROUPS}
            for p in privileges:
                normal = normalise_privilege(p)
                group = "jss_actions" if normal.startswith("Send ") or normal in ACCOUNT_ACTION_NAMES else "jss_objects"
                groups[group].append(normal)
            self.check_account_privileges(groups)
            account_id = self.next_id("account")
            account = {"id": account_id, "name": name, "full_name": full_name, "email": email,
                       "enabled": "Enabled" if enabled else "Disabled", "access_level": "Full Access",
                       "privilege_set": privilege_set, "privileges": groups, "salt": "", "passwordHash": ""}
            self.set_password(account, password)
            self.accounts[account_id] = account
            return account_id

    def check_account_privileges(self, groups: dict[str, list[str]]) -> None:
        valid = valid_privileges()
        unknown = [p for names in groups.values() for p in names if p not in valid]
        if unknown:
            raise ModelError(409, "INVALID_PRIVILEGE", "Problem with privilege " + ", ".join(unknown), "privileges")

    def set_password(self, account: dict[str, Any], password: str) -> None:
        salt = secrets.token_hex(16)
        account["salt"], account["passwordHash"] = salt, _password_hash(password, salt)

    def check_password(self, account: dict[str, Any], password: str) -> bool:
        if not account.get("passwordHash"):
            return False
        return hmac.compare_digest(account["passwordHash"], _password_hash(password, account["salt"]))

    def account_by_name(self, name: str) -> dict[str, Any] | None:
        return next((a for a in self.accounts.values() if a["name"].lower() == name.lower()), None)

    def account_privileges(self, account: dict[str, Any]) -> list[str]:
        if account["privilege_set"] == "Administrator":
            return sorted(valid_privileges())
        return sorted({p for names in account["privileges"].values() for p in names})

    # --- managed software updates --------------------------------------------------------------
    def set_feature_toggle(self, on: bool) -> None:
        with self.lock:
            now = self.clock.now()
            self.feature_toggle = bool(on)
            self.toggle_jobs["toggleOn" if on else "toggleOff"] = {"start": now, "end": now}

    def set_toggle_capabilities(self, **fields: bool) -> None:
        """Set the feature toggle's read-only fields, e.g. ``forceInstallLocalDateEnabled=True``."""
        unknown = sorted(set(fields) - set(TOGGLE_CAPABILITIES))
        if unknown:
            raise ValueError(f"unknown feature toggle field(s) {', '.join(unknown)}; "
                             f"expected some of {', '.join(TOGGLE_CAPABILITIES)}")
        with self.lock:
            self.toggle_capabilities.update({k: bool(v) for k, v in fields.items()})

    def set_device_outcome(self, jamf_id: str | int, outcome: str, reason: str = DEFAULT_FAIL_REASON) -> None:
        """What plans created from now on for this device do: ``success``, ``fail`` or ``stall``."""
        if outcome not in OUTCOMES:
            raise ValueError(f"outcome must be one of {', '.join(OUTCOMES)}, got {outcome!r}")
        if reason not in ERROR_REASONS:
            raise ValueError(f"unknown plan error reason {reason!r}")
        with self.lock:
            self.device_outcomes[str(jamf_id)] = {"outcome": outcome, "reason": reason}

    def plan_view(self, plan: dict[str, Any], now: float | None = None) -> dict[str, Any]:
        """A plan as ``GET /v1/managed-software-updates/plans/{id}`` renders it at ``now``."""
        state, reasons, _ = progress(plan, self.clock.now() if now is None else now, self.config.plan_step_seconds)
        kind = "computers-inventory" if plan["objectType"] == "COMPUTER" else "mobile-devices"
        return {
            "planUuid": plan["planUuid"],
            "device": {"deviceId": plan["deviceId"], "objectType": plan["objectType"],
                       "href": f"/v1/{kind}/{plan['deviceId']}"},
            "updateAction": plan["updateAction"], "versionType": plan["versionType"],
            "specificVersion": plan["specificVersion"], "buildVersion": plan["buildVersion"],
            "maxDeferrals": plan["maxDeferrals"], "forceInstallLocalDateTime": plan["forceInstallLocalDateTime"],
            "recipeId": "-1",
            "status": {"state": state, "errorReasons": reasons},
        }

    @property
    def plans(self) -> dict[str, dict[str, Any]]:
        """Every plan by planUuid, rendered at the clock's current time."""
        with self.lock:
            return {uid: self.plan_view(plan) for uid, plan in self.plan_records.items()}

    def add_plan(self, plan: dict[str, Any]) -> None:
        with self.lock:
            self.plan_records[plan["planUuid"]] = plan
            self.latest_plan[f"{plan['objectType']}/{plan['deviceId']}"] = plan["planUuid"]

    def plan_in_progress(self, device_id: str, object_type: str) -> bool:
        """Whether the device's newest plan is unfinished (a new plan waits for it, so only it can be)."""
        plan = self.plan_records.get(self.latest_plan.get(f"{object_type}/{device_id}", ""))
        if plan is None:
            return False
        state, _, _ = progress(plan, self.clock.now(), self.config.plan_step_seconds)
        return state not in TERMINAL

    # --- the request log -----------------------------------------------------------------------
    def log(self, entry: dict[str, Any]) -> None:
        with self.lock:
            self.request_log.append(entry)
            if len(self.request_log) > MAX_LOG:
                del self.request_log[: MAX_LOG // 2]

    def reset_log(self) -> None:
        with self.lock:
            self.request_log.clear()

    # --- persistence ---------------------------------------------------------------------------
    _PERSISTED = ("feature_toggle", "toggle_jobs", "roles", "clients", "accounts", "tokens", "scripts", "eas",
                  "categories", "profiles", "policies", "computer_groups", "computers", "plan_records",
                  "device_outcomes", "legacy_updates", "blank_pushes", "policy_flushes", "counters",
                  "plan_rate_per_minute", "toggle_capabilities")
    _INT_KEYED = ("clients", "accounts", "profiles", "policies", "computer_groups")

    def to_state(self) -> dict[str, Any]:
        """A JSON-ready snapshot: no secret in clear (digests and salted hashes only).

        A deep copy taken under the lock: the caller serialises it outside the lock while
        request threads go on mutating the live stores.
        """
        with self.lock:
            state = copy.deepcopy({name: getattr(self, name) for name in self._PERSISTED})
            state["version"] = self.version
            state["disabled_routes"] = sorted(self.disabled_routes)
            return state

    def load_state(self, state: dict[str, Any]) -> None:
        with self.lock:
            for name in self._PERSISTED:
                if name not in state:
                    continue
                value = state[name]
                if name in self._INT_KEYED:
                    value = {int(k): v for k, v in value.items()}
                setattr(self, name, value)
            for computer in self.computers.values():
                if "facts" not in computer:  # a state file written before the fleet had facts
                    computer.update(self._computer(MacFacts(
                        jamf_id=computer["id"], serial=computer["serialNumber"], udid=computer["udid"],
                        management_id=computer["managementId"], name=computer["name"],
                        os_version=computer.get("osVersion", "14.6.1"), os_build=computer.get("osBuild", "23G93"),
                        arch="apple_silicon" if computer.get("appleSilicon", True) else "intel")))
            self._computer_index = None
            self.latest_plan = {}
            for plan in sorted(self.plan_records.values(), key=lambda p: p["created"]):
                self.latest_plan[f"{plan['objectType']}/{plan['deviceId']}"] = plan["planUuid"]
            self.version = state.get("version", self.version)
            self.disabled_routes = set(state.get("disabled_routes", []))
            self.bootstrap_admin()
