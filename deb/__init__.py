"""The Debian package: `./dev deb` builds dist/pvz_<version>_<arch>.deb (see docs/install.md).

Build-time only: nothing here is imported by the application, and it runs as root (chroots).
"""
