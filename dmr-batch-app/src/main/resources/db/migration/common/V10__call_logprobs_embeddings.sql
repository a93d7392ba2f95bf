-- The log probabilities of an answer that asked for them, and the vector of an embed step, as the runner sent them
-- (JSON), with each call.
alter table dmr_call add column logprobs text;
alter table dmr_call add column embedding text;
