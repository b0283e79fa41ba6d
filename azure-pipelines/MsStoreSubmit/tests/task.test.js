// The task's handler: under azure-pipelines-task-lib's MockTestRunner (as Microsoft's own
// tasks are tested: https://learn.microsoft.com/en-us/azure/devops/extend/develop/add-build-task#step-2-unit-test-your-task-scripts),
// and its input mapping on its own. Run with `node --test tests/` (scripts/test does).
'use strict';

const assert = require('node:assert/strict');
const fs = require('node:fs');
const os = require('node:os');
const path = require('node:path');
const test = require('node:test');
const { TARGETS, binaryFor, kebab, toolEnvironment } = require('../lib');

const taskDir = path.join(__dirname, '..');
const task = require('../task.json');

// MockTestRunner runs the task with the Node its task.json names (Node 20 for Node20_1), and
// downloads that Node from nodejs.org unless it finds it under $HOME/azure-pipelines-task-lib/
// _download. Here it is given this Node instead (a Node 20, checked below), so the tests run
// offline. (It reads HOME when it is loaded, so this runs before it is.)
function offlineNode() {
  assert.equal(process.versions.node.split('.')[0], '20', 'these tests need Node 20, as the task runs on');
  const home = fs.mkdtempSync(path.join(os.tmpdir(), 'task-home-'));
  const dest = path.join(home, 'azure-pipelines-task-lib', '_download', 'node20');
  const bin = path.join(dest, 'node-v20.13.1-linux-x64', 'bin');
  fs.mkdirSync(bin, { recursive: true });
  fs.symlinkSync(process.execPath, path.join(bin, 'node'));
  fs.writeFileSync(`${dest}.completed`, '');
  process.env.HOME = home;
}

async function runMock(env) {
  for (const key of ['MOCK_CODE', 'MOCK_STDOUT', 'MOCK_EXISTS']) delete process.env[key];
  Object.assign(process.env, env);
  const runner = new MockTestRunner(path.join(__dirname, 'mock-run.js'), path.join(taskDir, 'task.json'));
  await runner.runAsync();
  return runner;
}

offlineNode();
const { MockTestRunner } = require('azure-pipelines-task-lib/mock-test');

test('runs the binary for this agent and succeeds when it does', async () => {
  const binary = path.join(taskDir, binaryFor(process.platform, process.arch));
  const tr = await runMock({
    MOCK_CODE: '0',
    MOCK_STDOUT: '##vso[task.setvariable variable=submission_id;isOutput=true]1152921505',
  });
  assert.ok(tr.ran(binary), tr.stdout);
  assert.equal(tr.invokedToolCount, 1);
  assert.ok(tr.succeeded, tr.stdout);
  assert.ok(tr.stdOutContained('##vso[task.setvariable variable=submission_id;isOutput=true]1152921505'));
});

test('a non-zero exit fails the task and names the exit code', async () => {
  const tr = await runMock({ MOCK_CODE: '2' });
  assert.ok(tr.failed, tr.stdout);
  assert.ok(tr.errorIssues.some((m) => m.includes('exited with code 2')), tr.errorIssues.join('\n'));
});

test('a task without its binary fails before running anything', async () => {
  const tr = await runMock({ MOCK_EXISTS: 'false' });
  assert.ok(tr.failed, tr.stdout);
  assert.equal(tr.invokedToolCount, 0);
  assert.ok(tr.errorIssues.some((m) => m.includes('missing its binary')), tr.errorIssues.join('\n'));
});

test('every agent OS and architecture has a binary path; others have none', () => {
  assert.equal(binaryFor('win32', 'x64'), 'bin/x86_64-pc-windows-gnu/msstore-submit.exe');
  assert.equal(binaryFor('linux', 'arm64'), 'bin/aarch64-unknown-linux-musl/msstore-submit');
  assert.equal(binaryFor('darwin', 'arm64'), 'bin/aarch64-apple-darwin/msstore-submit');
  assert.equal(binaryFor('linux', 'ia32'), null);
  assert.deepEqual(
    [...new Set(Object.values(TARGETS))].sort(),
    ['aarch64-apple-darwin', 'aarch64-unknown-linux-musl', 'x86_64-apple-darwin',
      'x86_64-pc-windows-gnu', 'x86_64-unknown-linux-musl'],
  );
});

test('inputs reach the tool under its own names; the agent copies and empty inputs do not', () => {
  const given = { clientSecret: 's3cret', appId: '9NBLGGH4R315', releaseNotes: 'line 1\nline 2', zipPath: '' };
  const env = toolEnvironment(
    { PATH: '/bin', TF_BUILD: 'True', INPUT_CLIENTSECRET: 's3cret', input_appid: 'x' },
    task.inputs.map((i) => i.name),
    (name) => given[name],
  );
  assert.deepEqual(env, {
    PATH: '/bin',
    TF_BUILD: 'True',
    INPUT_CLIENT_SECRET: 's3cret',
    INPUT_APP_ID: '9NBLGGH4R315',
    INPUT_RELEASE_NOTES: 'line 1\nline 2',
  });
  assert.equal(kebab('simulatorUploadUrlLifetime'), 'simulator-upload-url-lifetime');
});
