-- Placeholder: the dropoff branch's own migration 0014 replaces this file at the merge.
-- (Migrations are numbered without gaps; the outbound branch's 0016 needs 0014 here.)
SELECT 1;
