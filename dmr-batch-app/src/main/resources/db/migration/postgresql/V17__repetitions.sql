-- repeat=N asks each item N times: each answer is a conversation of its own, numbered from 1 by its repetition, which
-- joins the item and the model in the keys of the tables that hold a conversation's parts. Conversations stored before
-- are repetition 1.
alter table dmr_conversation add column repetition int default 1 not null;
alter table dmr_conversation drop constraint dmr_conversation_pkey;
alter table dmr_conversation add primary key (run_id, item_seq, model, repetition);
alter table dmr_message add column repetition int default 1 not null;
alter table dmr_message drop constraint dmr_message_pkey;
alter table dmr_message add primary key (run_id, item_seq, model, repetition, position);
alter table dmr_call add column repetition int default 1 not null;
alter table dmr_call drop constraint dmr_call_pkey;
alter table dmr_call add primary key (run_id, item_seq, model, repetition, step_index, answer);
alter table dmr_check add column repetition int default 1 not null;
alter table dmr_check drop constraint dmr_check_pkey;
alter table dmr_check add primary key (run_id, evaluation, item_seq, model, repetition, check_key);
alter table dmr_attempt add column repetition int default 1 not null;
alter table dmr_attempt drop constraint dmr_attempt_pkey;
alter table dmr_attempt add primary key (run_id, item_seq, model, repetition, attempt);
