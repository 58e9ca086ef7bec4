-- Customer data kept minimal (workflows/customer.py, docs/protocol.md "What the device keeps"):
-- the masked name ("Иван П.") and the phone's last four digits, nothing more, and both erased
-- with the order's code hashes N days after the order was issued or returned
-- (device/privacy/purge.py). A purged order keeps its id and parcels for the reports, with
-- customer '' and purged_at set.

ALTER TABLE orders ADD COLUMN phone_tail TEXT
    CHECK (phone_tail IS NULL OR (length(phone_tail) = 4 AND phone_tail GLOB '[0-9][0-9][0-9][0-9]'));
ALTER TABLE orders ADD COLUMN purged_at TEXT;

-- Names stored before this migration are masked here by the rule of workflows/customer.py's
-- masked_name: the first word whole and the initial of the last, the words between dropped.
UPDATE orders SET customer = (
    WITH RECURSIVE w (rest, word, n) AS (
        SELECT trim(customer) || ' ', NULL, 0
        UNION ALL
        SELECT ltrim(substr(rest, instr(rest, ' ') + 1)), substr(rest, 1, instr(rest, ' ') - 1), n + 1
        FROM w WHERE rest != ''
    )
    SELECT CASE
        WHEN max(n) <= 1 THEN coalesce((SELECT word FROM w WHERE n = 1), '')
        ELSE (SELECT word FROM w WHERE n = 1) || ' '
             || substr((SELECT word FROM w WHERE n = (SELECT max(n) FROM w)), 1, 1) || '.'
    END
    FROM w
);
