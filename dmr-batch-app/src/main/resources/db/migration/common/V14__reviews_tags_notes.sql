-- Human reviews: a person's verdict on one step's answer, kept beside the checks' verdicts in dmr_check under
-- evaluation -1 with the check key "<step>.human": who gave it and when, a score from 1 to 5 and a comment when
-- given (reason says all of it, as the exports show it). Readers add them to a run's latest evaluation; job=check
-- leaves them.
alter table dmr_check add column reviewer varchar(200);
alter table dmr_check add column score int;
alter table dmr_check add column review_comment varchar(1000);
alter table dmr_check add column reviewed_at timestamp;

-- A run's tags, given at launch (tag=) or in the web app.
create table dmr_run_tag (
    run_id  bigint       not null,
    tag     varchar(100) not null,
    primary key (run_id, tag)
);

-- A note on a run, written in the web app.
create table dmr_run_note (
    run_id      bigint          not null primary key,
    note        varchar(10000)  not null,
    updated_at  timestamp       not null
);
