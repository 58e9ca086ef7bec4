-- Cell occupancy kept by triggers, so that finding an empty cell is an index lookup
-- instead of a scan of the rack; and an index behind the parcels -> packages foreign key.

ALTER TABLE cells ADD COLUMN occupied INTEGER NOT NULL DEFAULT 0;

UPDATE cells SET occupied = (SELECT count(*) FROM parcels p WHERE p.cell_id = cells.id);

CREATE TRIGGER parcels_occupancy_insert
AFTER INSERT ON parcels
WHEN NEW.cell_id IS NOT NULL
BEGIN
    UPDATE cells SET occupied = occupied + 1 WHERE id = NEW.cell_id;
END;

CREATE TRIGGER parcels_occupancy_delete
AFTER DELETE ON parcels
WHEN OLD.cell_id IS NOT NULL
BEGIN
    UPDATE cells SET occupied = occupied - 1 WHERE id = OLD.cell_id;
END;

CREATE TRIGGER parcels_occupancy_move
AFTER UPDATE OF cell_id ON parcels
WHEN NEW.cell_id IS NOT OLD.cell_id
BEGIN
    UPDATE cells SET occupied = occupied - 1 WHERE id = OLD.cell_id;
    UPDATE cells SET occupied = occupied + 1 WHERE id = NEW.cell_id;
END;

CREATE INDEX cells_empty ON cells (zone, size, address) WHERE occupied = 0;

CREATE INDEX parcels_package ON parcels (package);
