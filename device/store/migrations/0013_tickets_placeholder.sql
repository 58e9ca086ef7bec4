-- Placeholder: the tickets branch's own migration 0013 replaces this file at the merge.
SELECT 1;
