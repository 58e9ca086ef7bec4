"""Everything a clerk or customer reads, one table of (Russian, English) per feature."""
