-- What a run was started with, as JSON: the job file's text as it was read and the request settings of each model and
-- step as they were resolved (profile, job file, launch). A resumed run carries on with it, whoever resumes it and
-- whatever became of the files since; null for a run started before it was kept.
alter table dmr_run add column spec varchar(1000000);
