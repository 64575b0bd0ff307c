"""``jamf-enforcer sim --env-file FILE``: where a rehearsal finds the simulator.

Writes, per tenant, the base URL, the bootstrap admin client id and secret, and the CA file as
``KEY=value`` lines that ``set -a; . FILE; set +a`` (or a CI runner's env-file step) loads, so a
``[tenants.sim]`` table of ``env:`` references reaches the simulator without hand work.  Tenant 0
gets ``JAMF_SIM_URL``, ``JAMF_SIM_CLIENT_ID``, ``JAMF_SIM_CLIENT_SECRET``, ``JAMF_SIM_CA_FILE``;
tenant *n* the same names with ``JAMF_SIM_T<n>_``.  The file holds a secret: it is created 0600
(written to a 0600 temporary file beside it, then renamed, so an existing file's looser mode never
applies) and the secret goes nowhere else.
"""

from __future__ import annotations

import os
import shlex
import tempfile
from pathlib import Path
from typing import Any


def env_lines(sim: Any) -> list[str]:
    lines = []
    for tenant in sim.tenants:
        prefix = "JAMF_SIM_" if tenant.index == 0 else f"JAMF_SIM_T{tenant.index}_"
        values = {"URL": sim.base_url(tenant.index), "CLIENT_ID": tenant.admin_client[0],
                  "CLIENT_SECRET": tenant.admin_client[1]}
        if sim.ca_file:
            values["CA_FILE"] = str(sim.ca_file)
        lines += [f"{prefix}{key}={shlex.quote(value)}" for key, value in values.items()]
    return lines


def write_env_file(sim: Any, path: str | Path) -> Path:
    target = Path(path).absolute()
    fd, staging = tempfile.mkstemp(prefix=f".{target.name}.", dir=target.parent)  # mkstemp creates it 0600
    try:
        with os.fdopen(fd, "w", encoding="utf-8") as handle:
            handle.write("\n".join(env_lines(sim)) + "\n")
        os.replace(staging, target)
    except BaseException:
        Path(staging).unlink(missing_ok=True)
        raise
    return target
