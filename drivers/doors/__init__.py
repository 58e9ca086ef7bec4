"""drivers/doors: locker doors (a lock per cell, a door sensor, an occupancy sensor where fitted)."""
