"""The Raspberry Pi image: `./dev image` runs image.build (docs/image.md)."""
