-- retry=failed asks a run's failed conversations again inside the same run: each one replaced keeps here how it had
-- ended, numbered from 1 per item and model in the order they were replaced.
create table dmr_attempt (
    run_id       bigint          not null,
    item_seq     bigint          not null,
    model        varchar(300)    not null,
    attempt      int             not null,
    error        varchar(1000000),
    finished_at  timestamp       not null,
    primary key (run_id, item_seq, model, attempt)
);
