import { createRequire as __kustodianCreateRequire } from 'node:module';
const require = __kustodianCreateRequire(import.meta.url);
import{__commonJS}from"./chunk-SJSLPFPK.js";var require_validation_error=__commonJS({"../node_modules/ajv/dist/runtime/validation_error.js"(exports){"use strict";Object.defineProperty(exports,"__esModule",{value:!0});var ValidationError=class extends Error{constructor(errors){super("validation failed"),this.errors=errors,this.ajv=this.validation=!0}};exports.default=ValidationError}});export{require_validation_error};
