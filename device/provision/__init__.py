"""First-boot provisioning of an image: one file on the boot partition becomes the device's config.

`check` reads the whole file and everything it names (the site's config, the certificates, Wi-Fi)
and refuses it with a reason code and a path before anything is written; `apply` then writes the
config directory in one rename, so the daemon never sees half a config (docs/image.md).
"""

from device.provision.apply import ProvisionResult, apply, provision
from device.provision.check import Checked, ProvisionError, check

__all__ = ["Checked", "ProvisionError", "ProvisionResult", "apply", "check", "provision"]
