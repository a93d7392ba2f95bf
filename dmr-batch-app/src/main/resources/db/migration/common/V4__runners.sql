-- Several model runners: the base URL of the runner that answered each conversation.
alter table dmr_conversation add column runner varchar(1000);
