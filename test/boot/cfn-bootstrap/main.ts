import { cfnHup } from './cfn-hup';
import { cfnInit } from './cfn-init';
import { cfnSignal } from './cfn-signal';

/**
 * The boot harness's cfn-bootstrap: `node cfn-bootstrap.js <cfn-init|cfn-signal|cfn-hup> [options]`,
 * installed as /opt/aws/bin/<tool> wrappers by the aws-cfn-bootstrap stand-in package.
 */
async function main(): Promise<number> {
  const [tool, ...args] = process.argv.slice(2);
  switch (tool) {
    case 'cfn-init':
      return cfnInit(args);
    case 'cfn-signal':
      return cfnSignal(args);
    case 'cfn-hup':
      return cfnHup(args);
    default:
      process.stderr.write(`cfn-bootstrap (boot harness): unknown tool ${tool}\n`);
      return 2;
  }
}

main().then(
  (code) => process.exit(code),
  (error: Error) => {
    process.stderr.write(`${error.stack ?? error.message}\n`);
    process.exit(1);
  },
);
