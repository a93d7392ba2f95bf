-- The conversation store. Spring Batch's own tables (BATCH_*) sit beside these, created by Spring Boot.

-- One row per run: a Spring Batch job instance (its restarts are further executions of the same run).
create table dmr_run (
    id          bigint        not null primary key,
    job_name    varchar(200)  not null,
    label       varchar(200),
    input       varchar(4000),
    output_dir  varchar(4000),
    settings    text,
    created_at  timestamp     not null
);

-- One conversation per input item and model.
create table dmr_conversation (
    run_id            bigint        not null,
    item_seq          bigint        not null,
    model             varchar(300)  not null,
    item_id           varchar(2000) not null,
    status            varchar(16)   not null,
    error             text,
    prompt_tokens     bigint        not null,
    completion_tokens bigint        not null,
    latency_ms        bigint        not null,
    finished_at       timestamp     not null,
    primary key (run_id, item_seq, model)
);

-- Its turns, in order: system, then user and assistant for each step.
create table dmr_message (
    run_id    bigint        not null,
    item_seq  bigint        not null,
    model     varchar(300)  not null,
    position  int           not null,
    role      varchar(16)   not null,
    step      varchar(200),
    content   text          not null,
    primary key (run_id, item_seq, model, position)
);

-- One row per request to the model: the facts of the call.
create table dmr_call (
    run_id             bigint        not null,
    item_seq           bigint        not null,
    model              varchar(300)  not null,
    step_index         int           not null,
    step               varchar(200)  not null,
    finish_reason      varchar(40),
    prompt_tokens      bigint        not null,
    completion_tokens  bigint        not null,
    latency_ms         bigint        not null,
    attempts           int           not null,
    timings            text,
    system_fingerprint varchar(200),
    error              text,
    primary key (run_id, item_seq, model, step_index)
);
