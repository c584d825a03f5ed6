import { instanceId, sendSignal } from './aws-stand-in';

/**
 * cfn-signal for a resource signal (`-e <exit code> --stack S --resource R`): SUCCESS when the exit
 * code is 0, FAILURE otherwise. (The WaitConditionHandle URL form is not used by the templates.)
 */
export function cfnSignal(args: readonly string[]): number {
  let exitCode = 0;
  let stack: string | undefined;
  let resource: string | undefined;
  let reason = '';
  let uniqueId = instanceId();
  for (let i = 0; i < args.length; i++) {
    const flag = args[i];
    const value = args[i + 1];
    switch (flag) {
      case '-e':
      case '--exit-code':
        exitCode = Number(value);
        i++;
        break;
      case '-s':
      case '--stack':
        stack = value;
        i++;
        break;
      case '-r':
      case '--resource':
        resource = value;
        i++;
        break;
      case '--reason':
        reason = value;
        i++;
        break;
      case '-i':
      case '--id':
        uniqueId = value;
        i++;
        break;
      case '--region':
      case '-u':
      case '--url':
      case '--role':
        i++;
        break;
      case '--success':
        exitCode = value === 'true' ? 0 : 1;
        i++;
        break;
      default:
        process.stderr.write(`cfn-signal: error: unsupported argument ${flag}\n`);
        return 1;
    }
  }
  if (!stack || !resource) {
    process.stderr.write('cfn-signal: error: a stack and a resource are required\n');
    return 1;
  }
  const status = Number.isInteger(exitCode) && exitCode === 0 ? 'SUCCESS' : 'FAILURE';
  sendSignal({ stack, resource, status, uniqueId, reason: reason || (status === 'SUCCESS' ? 'Configuration Complete' : `Failed with exit code ${exitCode}`), exitCode });
  return 0;
}
