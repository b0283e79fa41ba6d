// A run of the task under azure-pipelines-task-lib's TaskMockRunner: the binary's exit code
// and output come from MOCK_CODE and MOCK_STDOUT, whether it exists from MOCK_EXISTS.
'use strict';

const path = require('path');
const mr = require('azure-pipelines-task-lib/mock-run');
const { binaryFor } = require('../lib');

const taskDir = path.join(__dirname, '..');
const tmr = new mr.TaskMockRunner(path.join(taskDir, 'index.js'));
tmr.setInput('command', 'submit');
tmr.setInput('appId', '9NBLGGH4R315');
tmr.setInput('packages', 'out/*.msixupload');

const binary = path.join(taskDir, binaryFor(process.platform, process.arch));
tmr.setAnswers({
  exist: { [binary]: process.env.MOCK_EXISTS !== 'false' },
  exec: {
    [binary]: { code: Number(process.env.MOCK_CODE || 0), stdout: process.env.MOCK_STDOUT || '' },
  },
});
tmr.run();
