<#--
  The layout of results.md. Copy it to templates/export/results.md.ftl in your working folder and change it:
  dmr-batch uses that copy when there is one. Three macros, called as the export streams through the run:
    header(run)   once: run.job, run.run, run.id, run.input, run.model (settings), run.started, run.finished,
                  run.items, run.ok, run.failed, run.prompt_tokens, run.completion_tokens,
                  run.models (per model: model, items, ok, failed, prompt_tokens, completion_tokens, latency_ms_avg),
                  run.checks (with checks: per "<step>.<check>", passed, total and rate)
    item(c)       per item and model: c.id, c.status, c.error (failed items), c.model,
                  c.turns (role, step, content, reasoning), c.steps (answer by step name), c.json (parsed JSON
                  answers by step name), c.skipped (steps a when: skipped), c.prompt_tokens, c.completion_tokens,
                  c.first_of_item (the item's first model), c.several_models (the run compares models),
                  c.checks (the checks' verdicts: key "<step>.<check>", pass, reason)
    footer(run)   once, at the end
-->
<#macro header run>
# ${run.job} — run ${run.run}

| | |
|---|---|
| input | ${run.input} |
| model<#if (run.models?size > 1)>s</#if> | <#if (run.models?size > 0)>${run.models?map(m -> m.model)?join(", ")}<#else>${run.model.name!"-"}</#if> |
| started | ${run.started} |
| finished | ${run.finished} |
| items | ${run.items} (${run.ok} ok, ${run.failed} failed) |
| tokens | ${run.prompt_tokens} in, ${run.completion_tokens} out |
<#if run.checks??>
<#list run.checks as key, check>
| check ${key} | ${check.passed}/${check.total} passed (${(check.rate * 100)?string["0.0"]}%) |
</#list>
</#if>

</#macro>
<#macro item c>
<#if c.first_of_item>
## ${c.id}<#if !c.several_models && c.status != "ok"> — failed</#if>

</#if>
<#if c.several_models>
### ${c.model}<#if c.status != "ok"> — failed</#if>

</#if>
<#if c.error??>
> **Error:** ${c.error}

</#if>
<#list c.turns as turn>
<#if turn.role == "system">
*System:* ${turn.content}

<#elseif turn.role == "user">
**Prompt<#if turn.step??> (${turn.step})</#if>:**

${turn.content}

<#else>
<#if turn.reasoning??>
*Reasoning<#if turn.step??> (${turn.step})</#if>:* ${turn.reasoning}

</#if>
**Answer<#if turn.step??> (${turn.step})</#if>:**

${turn.content}

</#if>
</#list>
<#if c.checks?? && c.checks?has_content>
**Checks:**

<#list c.checks as v>
- ${v.pass?then("pass", "fail")} ${v.key}: ${v.reason}
</#list>

</#if>
---

</#macro>
<#macro footer run>
<#if (run.models?size > 1)>
## Models

| model | conversations | ok | failed | tokens in | tokens out | average latency |
|---|---:|---:|---:|---:|---:|---:|
<#list run.models as m>
| ${m.model} | ${m.items} | ${m.ok} | ${m.failed} | ${m.prompt_tokens} | ${m.completion_tokens} | ${m.latency_ms_avg} ms |
</#list>

</#if>
*${run.items} <#if (run.models?size > 1)>conversations<#else>items</#if>, written by dmr-batch.*
</#macro>
