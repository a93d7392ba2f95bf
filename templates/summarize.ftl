<#-- The first step of jobs/summarize.yaml. Variables: the CSV's columns (id, title, text), item.id, vars, steps. -->
Summarize this article in two sentences.

Title: ${title}

${text}
