-- Placeholder for tickets' migration 0013 (issue 15), so that dropoff's 0014 runs on its own
-- branch: the numbers must run 1..N without gaps. Drop this file when tickets' 0013 is merged.
SELECT 1;
