"""The simulated fleet: one fact record per Mac, shared by the simulator and the macOS harness.

``MacFacts`` is what the simulator knows about a Mac (OS version and build, Apple silicon or
Intel, supervised, MDM-enrolled, bootstrap token escrowed, free disk) and, from the same
record, what the harness's macOS stubs answer on that Mac (``sw_vers``, ``arch``, ``uname``,
``ioreg``, ``profiles``): ``inventory_record()`` feeds the tenant's computer store,
``harness_state()`` the stub state files, so the inventory and the Mac can never disagree.

The seeded fleet (``seeded_facts``) is mixed and deterministic: computer *n* runs
``FLEET_OS[(n - 1) % 8]`` (macOS 11.4, 11.5, 12, 13, 14, 15, 26, 27); every third Mac is Intel
except on macOS 27 (Apple's last Intel release is macOS 26); a few are unsupervised, not
enrolled, without an escrowed bootstrap token or short of disk (the rules are in
``seeded_facts``).  ``/__sim/computers/{id}/facts`` sets any fact of any Mac.

Public names (kept stable; the fleet report builds on them): ``MacFacts``, ``FLEET_OS``,
``ARCHES``, ``FACT_FIELDS``, ``seeded_facts``, ``seeded_fleet``, ``os_tuple``.
"""

from __future__ import annotations

import dataclasses
import re
import uuid
from dataclasses import dataclass
from typing import Any

UUID_NAMESPACE = uuid.UUID("0b6f4a52-93f0-5f38-9f2e-6c1d7d4b9a10")
ARCHES = ("apple_silicon", "intel")
# (version, build) of each OS family in the seeded fleet.  Real builds for released versions;
# macOS 27 is not released yet, so its build is the simulator's own.
FLEET_OS: tuple[tuple[str, str], ...] = (
    ("11.4", "20F71"), ("11.5", "20G71"), ("12.7.6", "21H1320"), ("13.7.1", "22H221"),
    ("14.6.1", "23G93"), ("15.6.1", "24G90"), ("26.1", "25B78"), ("27.0", "26A100"),
)
_VERSION = re.compile(r"\d{1,2}(\.\d{1,2}){0,2}")
_BUILD = re.compile(r"[0-9]{2}[A-Z][0-9]{1,5}[a-z]?")
_MODELS = {"apple_silicon": ("MacBook Pro (14-inch, 2023)", "Mac14,5", "Apple M2 Pro"),
           "intel": ("MacBook Pro (16-inch, 2019)", "MacBookPro16,1", "Intel Core i7")}


def os_tuple(version: str) -> tuple[int, int, int]:
    """``"13.7.1"`` -> ``(13, 7, 1)``; missing parts are 0."""
    parts = [int(p) for p in version.split(".")] + [0, 0]
    return parts[0], parts[1], parts[2]


@dataclass
class MacFacts:
    """What is true about one Mac.  ``jamf_id`` is its Jamf Pro computer id (a string)."""

    jamf_id: str
    serial: str
    udid: str
    management_id: str
    name: str
    os_version: str = "15.1"
    os_build: str = "24B83"
    arch: str = "apple_silicon"
    supervised: bool = True
    enrolled: bool = True
    bootstrap_escrowed: bool = True
    free_disk_gb: int = 200

    def __post_init__(self) -> None:
        self.check()

    @property
    def apple_silicon(self) -> bool:
        return self.arch == "apple_silicon"

    @property
    def os(self) -> tuple[int, int, int]:
        return os_tuple(self.os_version)

    def check(self) -> None:
        """ValueError naming the fact when one is not of its form."""
        if not _VERSION.fullmatch(self.os_version):
            raise ValueError(f"os_version: expected a macOS version like 14.6.1, got {self.os_version!r}")
        if not _BUILD.fullmatch(self.os_build):
            raise ValueError(f"os_build: expected a macOS build like 23G93, got {self.os_build!r}")
        if self.arch not in ARCHES:
            raise ValueError(f"arch: expected one of {', '.join(ARCHES)}, got {self.arch!r}")
        for name in ("supervised", "enrolled", "bootstrap_escrowed"):
            if not isinstance(getattr(self, name), bool):
                raise ValueError(f"{name}: expected true or false, got {getattr(self, name)!r}")
        if isinstance(self.free_disk_gb, bool) or not isinstance(self.free_disk_gb, int) or self.free_disk_gb < 0:
            raise ValueError(f"free_disk_gb: expected a whole number of GB >= 0, got {self.free_disk_gb!r}")

    def update(self, **changes: Any) -> MacFacts:
        """Set facts by name (ValueError for an unknown name or a bad value; nothing changes then)."""
        unknown = sorted(set(changes) - set(FACT_FIELDS))
        if unknown:
            raise ValueError(f"unknown Mac fact(s) {', '.join(unknown)}; expected some of {', '.join(FACT_FIELDS)}")
        candidate = dataclasses.replace(self, **changes)  # __post_init__ checks it
        for name in FACT_FIELDS:
            setattr(self, name, getattr(candidate, name))
        return self

    def to_dict(self) -> dict[str, Any]:
        return dataclasses.asdict(self)

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> MacFacts:
        known = {f.name for f in dataclasses.fields(cls)}
        return cls(**{k: v for k, v in data.items() if k in known})

    # --- the simulator's side ------------------------------------------------------------
    def inventory_record(self) -> dict[str, Any]:
        """The inventory fields the simulator renders (``api_inventory``) derived from the facts."""
        model, identifier, processor = _MODELS[self.arch]
        return {"id": self.jamf_id, "udid": self.udid, "serialNumber": self.serial, "managementId": self.management_id,
                "name": self.name, "appleSilicon": self.apple_silicon, "model": model, "modelIdentifier": identifier,
                "processorType": processor, "osVersion": self.os_version, "osBuild": self.os_build,
                "supervised": self.supervised, "managed": self.enrolled, "freeDiskGb": self.free_disk_gb}

    # --- the harness's side --------------------------------------------------------------
    def harness_state(self) -> dict[str, dict[str, Any]]:
        """Values for the harness stub state files ``system`` (sw_vers, arch, uname, ioreg) and
        ``profiles`` (enrollment, bootstrap token) of this Mac.  Supervision and free disk are not
        visible to the agent's commands; only the simulator acts on them."""
        return {
            "system": {"arch": "arm64" if self.apple_silicon else "i386", "product_version": self.os_version,
                       "build_version": self.os_build, "serial": self.serial, "udid": self.udid},
            "profiles": {"enrolled": self.enrolled, "bootstrap_escrowed": self.bootstrap_escrowed,
                         "bootstrap_valid": self.bootstrap_escrowed},
        }


FACT_FIELDS: tuple[str, ...] = ("os_version", "os_build", "arch", "supervised", "enrolled", "bootstrap_escrowed",
                                "free_disk_gb", "name")


def seeded_facts(number: int) -> MacFacts:
    """Computer ``number`` of the seeded fleet (deterministic).

    OS family: ``FLEET_OS[(number - 1) % 8]``.  Intel: every third Mac, except macOS 27 Macs.
    Not supervised: numbers ending in 9.  Not enrolled: multiples of 25.  No escrowed bootstrap
    token: ``number % 7 == 6``.  Short of disk (8 GB free): ``number % 12 == 11``.
    """
    version, build = FLEET_OS[(number - 1) % len(FLEET_OS)]
    serial = f"C02SIM{number:06d}"
    intel = number % 3 == 0 and os_tuple(version)[0] < 27
    return MacFacts(
        jamf_id=str(number), serial=serial, udid=str(uuid.uuid5(UUID_NAMESPACE, serial)).upper(),
        management_id=str(uuid.uuid5(UUID_NAMESPACE, "management/" + serial)), name=f"SIM-Mac-{number:04d}",
        os_version=version, os_build=build, arch="intel" if intel else "apple_silicon",
        supervised=number % 10 != 9, enrolled=number % 25 != 0, bootstrap_escrowed=number % 7 != 6,
        free_disk_gb=8 if number % 12 == 11 else 40 + (number * 37) % 400,
    )


def seeded_fleet(count: int) -> list[MacFacts]:
    return [seeded_facts(n) for n in range(1, count + 1)]
