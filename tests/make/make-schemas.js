'use strict';

// ajv-cli plugin (-c): registers Make's vendored IML schemas (integrations/make/schemas) under
// their file names, which is how they reference each other ("sources.json#/definitions/url"), and
// declares the editor-only keywords they carry (errorMessage, doNotSuggest) so strict mode knows them.

const fs = require('fs');
const path = require('path');

const SCHEMAS = path.resolve(__dirname, '../../integrations/make/schemas');

module.exports = (ajv) => {
  // Make's editor (VS Code's JSON service) reads patterns as plain JavaScript regular expressions; one
  // of them (response.json, '\-') is invalid with the u flag that ajv uses by default.
  ajv.opts.unicodeRegExp = false;
  ajv.addKeyword({ keyword: 'errorMessage', schemaType: ['string', 'object'] });
  ajv.addKeyword({ keyword: 'doNotSuggest', schemaType: 'boolean' });
  for (const file of fs.readdirSync(SCHEMAS).filter((f) => f.endsWith('.json'))) {
    if (!ajv.getSchema(file)) ajv.addSchema(JSON.parse(fs.readFileSync(path.join(SCHEMAS, file), 'utf8')), file);
  }
};
