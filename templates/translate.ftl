<#import "fragments/style.ftl" as style>
Translate the file "${name}" into ${vars.language}. <@style.rules/>

${text}
