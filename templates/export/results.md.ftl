<#--
  The layout of results.md. Copy it to templates/export/results.md.ftl in your working folder and change it:
  dmr-batch uses that copy when there is one. Three macros, called as the export streams through the run:
    header(run)   once: run.job, run.run, run.id, run.input, run.model (settings), run.started, run.finished,
                  run.items, run.ok, run.failed, run.prompt_tokens, run.completion_tokens
    item(c)       per item and model: c.id, c.status, c.error (failed items), c.model,
                  c.turns (role, step, content), c.steps (answer by step name), c.prompt_tokens, c.completion_tokens
    footer(run)   once, at the end
-->
<#macro header run>
# ${run.job} — run ${run.run}

| | |
|---|---|
| input | ${run.input} |
| model | ${run.model.name!"-"} |
| started | ${run.started} |
| finished | ${run.finished} |
| items | ${run.items} (${run.ok} ok, ${run.failed} failed) |
| tokens | ${run.prompt_tokens} in, ${run.completion_tokens} out |

</#macro>
<#macro item c>
## ${c.id}<#if c.status != "ok"> — failed</#if>

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
**Answer<#if turn.step??> (${turn.step})</#if>:**

${turn.content}

</#if>
</#list>
---

</#macro>
<#macro footer run>
*${run.items} items, written by dmr-batch.*
</#macro>
