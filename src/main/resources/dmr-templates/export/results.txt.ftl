<#--
  The layout of results.txt. Copy it to templates/export/results.txt.ftl in your working folder and change it.
  The same macros and data as results.md.ftl.
-->
<#macro header run>
${run.job} - run ${run.run}
input: ${run.input}
model: ${run.model.name!"-"}
started: ${run.started}   finished: ${run.finished}
items: ${run.items} (${run.ok} ok, ${run.failed} failed); tokens ${run.prompt_tokens} in, ${run.completion_tokens} out

</#macro>
<#macro item c>
==== ${c.id} (${c.status}, ${c.model})
<#if c.error??>
ERROR: ${c.error}
</#if>
<#list c.turns as turn>
--- ${turn.role}<#if turn.step??> (${turn.step})</#if>:
${turn.content}
</#list>

</#macro>
<#macro footer run>
${run.items} items.
</#macro>
