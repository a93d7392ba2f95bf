-- Checks: the verdicts of a run's checks on its answers. Evaluation 0 holds the verdicts given while the run
-- answered; each later evaluation of the same run (job=check) is numbered 1, 2, ... and holds a verdict for every
-- answered step it checked. Readers show a run's latest evaluation.
create table dmr_evaluation (
    run_id      bigint           not null,
    evaluation  int              not null,
    created_at  timestamp        not null,
    checks      varchar(1000000),
    primary key (run_id, evaluation)
);

-- One verdict per item, model and check; check_key is "<step>.<check>", position the check's place in the job file,
-- judge_reply the grader's reply as given (judge checks only).
create table dmr_check (
    run_id      bigint         not null,
    evaluation  int            not null,
    item_seq    bigint         not null,
    model       varchar(300)   not null,
    check_key   varchar(400)   not null,
    position    int            not null,
    passed      boolean        not null,
    reason      varchar(1000),
    judge_reply varchar(100000),
    primary key (run_id, evaluation, item_seq, model, check_key)
);

-- A judge check's requests to its grader are calls of the item's conversation like any other: step is the check's
-- key (a dot tells it from a step's name), step_index follows the steps, evaluation says which evaluation asked
-- (null for the run's own steps).
alter table dmr_call add column evaluation int;
