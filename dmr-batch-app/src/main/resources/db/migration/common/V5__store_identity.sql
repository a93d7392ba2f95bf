-- A random identity for this conversation store, made on first use. An output folder records it with the id of the
-- run that owns the folder, so a store made anew (whose run numbers start at 1 again) never writes into an earlier
-- store's exports.
create table dmr_store (
    id        int          not null primary key,
    store_id  varchar(64)  not null
);
