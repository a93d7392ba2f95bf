-- Workflow steps: reasoning kept apart from the answer, the parsed JSON of structured answers, skipped steps,
-- a step's own model, the time to the first streamed token, and the HTTP facts of OpenAI Batch requests.
alter table dmr_message add column reasoning clob;
alter table dmr_message add column json_value clob;
alter table dmr_call add column skipped boolean default false not null;
alter table dmr_call add column request_model varchar(300);
alter table dmr_call add column ttft_ms bigint;
alter table dmr_call add column http_status int;
alter table dmr_call add column request_id varchar(200);
-- a step asked again because its JSON answer did not hold has one call per answer
alter table dmr_call add column answer int default 1 not null;
alter table dmr_call drop primary key;
alter table dmr_call add primary key (run_id, item_seq, model, step_index, answer);
