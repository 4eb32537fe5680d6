/**
 * Prints one plain closing line, "jest: N passed, N failed, N skipped", that CI's log reader
 * understands (jest's own summary is not in a format it reads).
 */
class SummaryReporter {
  onRunComplete(_contexts, results) {
    const { numPassedTests, numFailedTests, numPendingTests, numFailedTestSuites } = results;
    // A suite that failed to load counts as a failure even if it had no test to run.
    const failed = numFailedTests + (numFailedTests === 0 ? numFailedTestSuites : 0);
    process.stdout.write(`\njest: ${numPassedTests} passed, ${failed} failed, ${numPendingTests} skipped\n`);
  }
}
module.exports = SummaryReporter;
