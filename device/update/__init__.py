"""Signed software releases on the device: checked (release.py), installed with dpkg and rolled back (install.py)."""
