import { createRequire as __kustodianCreateRequire } from 'node:module';
const require = __kustodianCreateRequire(import.meta.url);
var trailerKeys=["Kustodian-Source-Repository","Kustodian-Source-Commit","Kustodian-Source-Time","Kustodian-Workflow-Run"];function runUrl(env){let{GITHUB_SERVER_URL:server,GITHUB_REPOSITORY:repository,GITHUB_RUN_ID:id}=env;if(!(!server||!repository||!id))return`${server.replace(/\/+$/,"")}/${repository}/actions/runs/${id}`}function describeUpdate(update){let digest=update.digest===void 0?"":`@${update.digest.slice(0,19)}`,tag=update.newTag===void 0?"":update.newTag;return update.newName!==void 0?`${update.name} to ${update.newName}${tag===""?"":`:${tag}`}${digest}`:`${update.name} to ${tag}${tag===""?digest.slice(1):digest}`}function commitMessage(updates,origin,custom){let headline=updates.length===0?"Update kustomizations":`Bump ${updates.map(describeUpdate).join(", ")}`,body=custom?.trim()||headline,values=[origin.repository,origin.sha,origin.time,origin.runUrl],trailers=trailerKeys.map((key,index)=>values[index]?`${key}: ${values[index]}`:void 0).filter(line=>line!==void 0&&!body.includes(`${line.split(":")[0]}:`));return trailers.length===0?`${body}
`:`${body}

${trailers.join(`
`)}
`}var rollbackTrailerKeys=["Kustodian-Rollback-To","Kustodian-Application"],kustodianTrailerKeys=[...trailerKeys,...rollbackTrailerKeys];export{runUrl,commitMessage,kustodianTrailerKeys};
