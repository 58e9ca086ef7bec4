"""Hardware-in-the-loop tests: the real drivers against the USB stack of a real Linux kernel in QEMU."""
