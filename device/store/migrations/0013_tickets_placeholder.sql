-- Placeholder: the tickets branch's own migration 0013 replaces this file at the merge.
-- (Migrations are numbered without gaps; the outbound branch's 0016 needs 0013 here.)
SELECT 1;
