-- Placeholder for kiosk-flow's migration 0010 (issue 14), so that privacy's 0011 runs on its own
-- branch: the numbers must run 1..N without gaps. Drop this file when kiosk-flow's 0010 is merged.
SELECT 1;
