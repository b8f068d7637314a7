'use strict';

// The packed package (tests/n8n/run.sh runs `npm pack` and names the tarball in PACKED) is what n8n
// installs as a community node package: its package.json and its files, read from the tarball.

const { describe, it } = require('node:test');
const assert = require('assert');
const { execFileSync } = require('child_process');

const tarball = process.env.PACKED;
assert.ok(tarball, 'PACKED must name the tarball of npm pack (tests/n8n/run.sh)');
const files = execFileSync('tar', ['-tzf', tarball], { encoding: 'utf8' }).split('\n').filter(Boolean);
const manifest = JSON.parse(execFileSync('tar', ['-xzOf', tarball, 'package/package.json'], { encoding: 'utf8' }));

describe('the packed n8n-nodes-integrations', () => {
  it('is a community node package: name, keyword, MIT licence, no runtime dependencies', () => {
    assert.equal(manifest.name, 'n8n-nodes-integrations');
    assert.ok(manifest.keywords.includes('n8n-community-node-package'));
    assert.equal(manifest.license, 'MIT');
    assert.equal(manifest.dependencies, undefined);
    assert.deepEqual(Object.keys(manifest.peerDependencies), ['n8n-workflow']);
  });

  it('holds every credential and node its n8n section lists, with their icons, and no sources', () => {
    const listed = [...manifest.n8n.credentials, ...manifest.n8n.nodes];
    assert.deepEqual(manifest.n8n.credentials.map((c) => c.split('/').pop()),
      ['IntegrationsApi.credentials.js', 'IntegrationsOAuth2Api.credentials.js']);
    assert.deepEqual(manifest.n8n.nodes.map((n) => n.split('/').pop()), ['Integrations.node.js', 'IntegrationsTrigger.node.js']);
    for (const file of [...listed, 'dist/icons/integrations.svg', 'dist/icons/integrations.dark.svg']) {
      assert.ok(files.includes(`package/${file}`), `${file} is in the tarball`);
    }
    assert.deepEqual(files.filter((f) => f.endsWith('.ts') && !f.endsWith('.d.ts')), []);
  });
});
