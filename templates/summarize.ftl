<#-- The first step of jobs/summarize.yaml. Variables: the CSV's columns (id, title, text), item (the columns alone), record.number, record.id, vars, steps. -->
Summarize this article in two sentences.

Title: ${title}

${text}
