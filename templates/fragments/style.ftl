<#-- shared prompt fragments: <#import "fragments/style.ftl" as style> then <@style.rules/> -->
<#macro rules>Answer with the translation only, without notes or quotes.</#macro>
