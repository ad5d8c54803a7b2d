import { createRequire as __kustodianCreateRequire } from 'node:module';
const require = __kustodianCreateRequire(import.meta.url);
var validate=validate0;function validate0(data,{instancePath="",parentData,parentDataProperty,rootData=data}={}){let vErrors=null,errors=0;if(!(data&&typeof data=="object"&&!Array.isArray(data))){let err0={instancePath,schemaPath:"#/type",keyword:"type",params:{type:"object"}};vErrors===null?vErrors=[err0]:vErrors.push(err0),errors++}return validate0.errors=vErrors,errors===0}export{validate};
