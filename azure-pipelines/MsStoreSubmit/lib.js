// The parts of the handler that need no agent: which binary, and the tool's environment.
'use strict';

// Rust target triples of the release archives (scripts/build-release), by Node's
// process.platform and process.arch. Windows on Arm runs the x64 binary under emulation
// (https://learn.microsoft.com/en-us/windows/arm/apps-on-arm-x86-emulation).
const TARGETS = {
  'linux/x64': 'x86_64-unknown-linux-musl',
  'linux/arm64': 'aarch64-unknown-linux-musl',
  'darwin/x64': 'x86_64-apple-darwin',
  'darwin/arm64': 'aarch64-apple-darwin',
  'win32/x64': 'x86_64-pc-windows-gnu',
  'win32/arm64': 'x86_64-pc-windows-gnu',
};

/** `bin/<target>/msstore-submit[.exe]` relative to the task folder, or null. */
function binaryFor(platform, arch) {
  const target = TARGETS[`${platform}/${arch}`];
  if (!target) return null;
  const exe = platform === 'win32' ? 'msstore-submit.exe' : 'msstore-submit';
  return `bin/${target}/${exe}`;
}

/** `clientSecret` -> `client-secret`: task inputs are camelCase, the tool's names kebab-case. */
function kebab(name) {
  return name.replace(/[A-Z]/g, (c) => `-${c.toLowerCase()}`);
}

/**
 * The binary's environment: the agent's, without the agent's own INPUT_<NAME> copies of the
 * task inputs (upper-cased camelCase such as INPUT_CLIENTSECRET, which the tool does not know),
 * plus INPUT_<TOOL_NAME> for each input given. An empty input is left out, as the tool treats
 * empty as not given anyway (docs/inputs.md).
 */
function toolEnvironment(agentEnv, names, getInput) {
  const env = {};
  for (const [key, value] of Object.entries(agentEnv)) {
    if (!key.toUpperCase().startsWith('INPUT_')) env[key] = value;
  }
  for (const name of names) {
    const value = getInput(name);
    if (value !== undefined && value !== null && value !== '') {
      env[`INPUT_${kebab(name).toUpperCase().replace(/-/g, '_')}`] = value;
    }
  }
  return env;
}

module.exports = { TARGETS, binaryFor, kebab, toolEnvironment };
