const { writeSync } = require('node:fs');

/**
 * Prints Jest's totals as one plain line, `N passed, N failed, N skipped`, as
 * the very last line of the run (on process exit, after the default reporter's
 * summary), so CI logs end with a line any tool can read.
 */
class SummaryReporter {
  onRunComplete(_contexts, results) {
    const failed = results.numFailedTests + results.numRuntimeErrorTestSuites;
    const line = `${results.numPassedTests} passed, ${failed} failed, ${results.numPendingTests + results.numTodoTests} skipped\n`;
    process.once('exit', () => writeSync(1, `\n${line}`));
  }
}
module.exports = SummaryReporter;
