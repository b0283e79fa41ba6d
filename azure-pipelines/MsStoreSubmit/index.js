// The MsStoreSubmit@1 task: runs the msstore-submit binary bundled with the task for the
// agent's OS and architecture, with the task's inputs as the tool's INPUT_* variables.
//
// The tool itself speaks the agent's language when TF_BUILD=True (the agent sets it for every
// task): output variables, secrets masked, issues, the summary and `task.complete` come from
// the binary's own ##vso commands (docs/azure-pipelines.md). This handler only picks the
// binary, maps the inputs and turns a non-zero exit into a failed task.
'use strict';

const fs = require('fs');
const path = require('path');
const tl = require('azure-pipelines-task-lib/task');
const { binaryFor, toolEnvironment } = require('./lib');

async function run() {
  const task = require('./task.json');
  const relative = binaryFor(process.platform, process.arch);
  if (!relative) {
    tl.setResult(tl.TaskResult.Failed,
      `msstore-submit has no binary for ${process.platform}/${process.arch}; ` +
      'use a Windows, Linux or macOS agent on x64 or arm64');
    return;
  }
  const binary = path.join(__dirname, relative);
  if (!tl.exist(binary)) {
    tl.setResult(tl.TaskResult.Failed, `the task is missing its binary ${relative}; reinstall the extension`);
    return;
  }
  if (process.platform !== 'win32') {
    // A .vsix is a zip and the agent unpacks tasks without Unix modes, so the binary may
    // arrive without its executable bit. If this fails (a read-only task folder), starting
    // the binary fails next with the reason.
    try {
      fs.chmodSync(binary, 0o755);
    } catch (error) {
      tl.debug(`chmod ${binary}: ${error.message}`);
    }
  }
  const names = task.inputs.map((input) => input.name);
  const env = toolEnvironment(process.env, names, (name) => tl.getInput(name, false));
  const code = await tl.tool(binary).execAsync({ env, ignoreReturnCode: true, silent: false });
  if (code !== 0) {
    // The binary has already reported why (##vso[task.logissue] and task.complete).
    tl.setResult(tl.TaskResult.Failed,
      `msstore-submit exited with code ${code} (see https://github.com/msstore-submit/msstore-submit/blob/main/docs/exit-codes.md)`);
  }
}

run().catch((error) => tl.setResult(tl.TaskResult.Failed, String(error && error.message || error)));
