// Verifies one captured webhook request with the standardwebhooks library (an implementation
// independent of ours). Input on stdin: {"secret": "whsec_...", "headers": {...}, "body_base64": "..."}.
// Exit 0 and "verified" when the signature is valid for that secret; exit 1 and the reason otherwise.
'use strict';
const { Webhook } = require('standardwebhooks');

let input = '';
process.stdin.setEncoding('utf8');
process.stdin.on('data', chunk => { input += chunk; });
process.stdin.on('end', () => {
  try {
    const { secret, headers, body_base64: body } = JSON.parse(input);
    new Webhook(secret).verify(Buffer.from(body, 'base64').toString('utf8'), headers);
    process.stdout.write('verified\n');
  } catch (error) {
    process.stdout.write(`rejected: ${error.message}\n`);
    process.exitCode = 1;
  }
});
