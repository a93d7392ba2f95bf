-- Chat sessions: a session is a run of the job 'chat' (its label the session's name) with one conversation, record 1.
-- This table marks it as a session, says when it last changed, and links a session that continues a stored
-- conversation of another run to that run and item (whose own record never changes).
create table dmr_chat_session (
    run_id          bigint         not null primary key,
    source_run_id   bigint,
    source_item_id  varchar(2000),
    updated_at      timestamp      not null
);
-- The settings each call was sent with, as JSON, where they may change from one call to the next (a chat's /set).
alter table dmr_call add column settings varchar(4000);
