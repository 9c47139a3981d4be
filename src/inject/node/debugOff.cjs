// Stands in for the `debug` package inside tracing.cjs (scripts/lib/node-inject.mjs aliases it).
// require-in-the-middle logs through `debug`, which switches itself on from the app's own `DEBUG`
// variable: a traced app run with `DEBUG=*` would print our module hook's internals on its stderr,
// which it does not do untraced. Loading the real package (with tty, util and supports-color) was
// also about a third of tracing.cjs' start. Every logger here is off.
// CommonJS, because the package is required and called: `require('debug')('name')`.

/** @param {string} namespace */
function createDebug(namespace) {
  const log = () => undefined;
  log.enabled = false;
  log.namespace = namespace;
  /** @param {string} suffix */
  log.extend = (suffix) => createDebug(`${namespace}:${suffix}`);
  return log;
}

module.exports = createDebug;
