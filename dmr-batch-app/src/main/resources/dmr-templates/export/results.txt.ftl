<#--
  The layout of results.txt. Copy it to templates/export/results.txt.ftl in your working folder and change it.
  The same macros and data as results.md.ftl.
-->
<#macro header run>
${run.job} - run ${run.run}
input: ${run.input}
model: <#if (run.models?size > 0)>${run.models?map(m -> m.model)?join(", ")}<#else>${run.model.name!"-"}</#if>
started: ${run.started}   finished: ${run.finished}
items: ${run.items} (${run.ok} ok, ${run.failed} failed); tokens ${run.prompt_tokens} in, ${run.completion_tokens} out
<#if run.checks??>
<#list run.checks as key, check>
check ${key}: ${check.passed}/${check.total} passed (${(check.rate * 100)?string["0.0"]}%)
</#list>
</#if>

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
<#if c.checks?? && c.checks?has_content>
<#list c.checks as v>
check ${v.key}: ${v.pass?then("pass", "fail")} - ${v.reason}
</#list>
</#if>

</#macro>
<#macro footer run>
<#if (run.models?size > 1)>
<#list run.models as m>
${m.model}: ${m.ok} ok, ${m.failed} failed; tokens ${m.prompt_tokens} in, ${m.completion_tokens} out; ${m.latency_ms_avg} ms average
</#list>
</#if>
${run.items} <#if (run.models?size > 1)>conversations<#else>items</#if>.
</#macro>
