-- Placeholder: the send branch's own migration 0015 replaces this file at the merge.
-- (Migrations are numbered without gaps; the outbound branch's 0016 needs 0015 here.)
SELECT 1;
