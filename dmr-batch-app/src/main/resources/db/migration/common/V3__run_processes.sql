-- The process running each execution, with a heartbeat: on a shared database a run left STARTED may belong to a
-- live process on another host, and must not be taken over; a killed one is (same host: its pid is gone; another
-- host: no heartbeat for a while, by the database's clock).
create table dmr_run_process (
    execution_id        bigint        not null primary key,
    run_id              bigint        not null,
    host                varchar(255)  not null,
    pid                 bigint        not null,
    process_started_ms  bigint,
    heartbeat_at        timestamp     not null
);
