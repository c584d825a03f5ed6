import { appendFileSync } from 'node:fs';
import { interpretBoolean, type CommandSpec } from '../init-model';
import { runProcess, type LogFile } from '../process';

/**
 * `commands`: runs each command in alphabetical order of its key; `test` decides whether it runs,
 * `env` replaces the whole environment, `ignoreErrors` keeps going on failure. Output goes to
 * /var/log/cfn-init-cmd.log. Returns the keys of the commands that ran.
 */
export function applyCommands(commands: Record<string, CommandSpec>, log: LogFile, commandLog: string): string[] {
  const ran: string[] = [];
  for (const name of Object.keys(commands).sort()) {
    const spec = commands[name];
    if (spec.command === undefined) throw new Error(`${name} does not specify the 'command' attribute, which is required`);
    const options = { env: spec.env, cwd: spec.cwd };
    if (spec.test !== undefined) {
      const test = runProcess(spec.test, options);
      if (test.returncode !== 0) {
        log.info(`Test failed with code ${test.returncode}`);
        continue;
      }
    }
    const result = runProcess(spec.command, options);
    const text = typeof spec.command === 'string' ? spec.command : spec.command.join(' ');
    appendFileSync(commandLog, `Command ${name}\n${result.output}${result.output.endsWith('\n') || result.output === '' ? '' : '\n'}Completed with exit code ${result.returncode}\n`);
    if (result.returncode !== 0) {
      log.error(`Command ${name} (${text}) failed`);
      log.debug(`Command ${name} output: ${result.output}`);
      if (interpretBoolean(spec.ignoreErrors)) {
        log.info('ignoreErrors set to true, continuing build');
        ran.push(name);
        continue;
      }
      throw new Error(`Command ${name} failed: ${text} exited with ${result.returncode}\n${result.output.trimEnd()}`);
    }
    log.info(`Command ${name} succeeded`);
    ran.push(name);
  }
  return ran;
}
