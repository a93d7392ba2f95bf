-- The prompts' templates a run was made with, as their sources were when it first started: the system prompt, each
-- step's prompt and its when: condition, and the templates they include, so that two runs can be told apart by their
-- prompts later, whatever became of the files since.
create table dmr_run_template (
    run_id    bigint            not null,
    position  int               not null,
    name      varchar(1000)     not null,
    source    varchar(1000000)  not null,
    primary key (run_id, position)
);
