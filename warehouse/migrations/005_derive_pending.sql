-- Derived tables pending: a sync commits its data in several batches (resumable) and rebuilds
-- the derived tables at its end. It adds a row here before its first batch; metrics.derive
-- deletes every row in the transaction that rebuilds the derived tables. While a row is here
-- the warehouse is between two consistent states, and no read snapshot is published from it.
CREATE TABLE derive_pending (
    since   TIMESTAMPTZ NOT NULL,
    command VARCHAR NOT NULL
);
