-- How many items a run's input holds, once counted (the progress line counts them as the run starts), so that another
-- process watching the run (job=serve) can show its progress against the whole; null until counted.
alter table dmr_run add column total_items bigint;
