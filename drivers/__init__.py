"""Hardware drivers: scanners, keypad, ESC/POS printer, lights, each with a simulated twin."""
