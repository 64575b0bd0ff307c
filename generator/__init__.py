"""jamf-enforcer: render a macOS software-update enforcement agent and its Jamf Pro objects
from one bundle.toml, and keep Jamf Pro tenants in sync with them."""

__version__ = "0.1.0"
