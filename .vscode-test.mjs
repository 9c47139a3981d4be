// For developers who have a desktop VS Code: runs the same integration suites in an Electron
// VS Code through @vscode/test-electron (see scripts/run-electron-tests.mjs). CI does not use
// this: it cannot download VS Code, so it runs the suites in the VS Code server build from the
// code-server package instead (scripts/run-vscode-tests.mjs, part of `npm test`).
//
// The shape follows @vscode/test-cli's configuration (label, files, version, workspaceFolder,
// mocha, launchArgs, env), so `vscode-test` can read it too if a developer installs @vscode/test-cli.
export default [
  {
    label: 'integration',
    files: 'out/test/integration/**/*.test.js',
    // A desktop VS Code to run (VSCODE_EXECUTABLE), else @vscode/test-electron downloads this version.
    version: process.env.VSCODE_VERSION || 'stable',
    workspaceFolder: './examples',
    mocha: { ui: 'bdd', timeout: 60_000 },
    launchArgs: ['--disable-extensions', '--disable-workspace-trust', '--skip-welcome', '--skip-release-notes'],
    env: {},
  },
];
