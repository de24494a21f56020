// `node functions/cli/stage-main.ts stage <command>`: the same commands as `gradus stage`, loading only
// what a stage needs, so that a stage job starts faster. Stage jobs run this module (stage.ts `stageCli`).
import { Command } from 'commander';
import { registerStageCommands } from './stage.ts';

const program = new Command('gradus');
registerStageCommands(program);
program.parseAsync(process.argv).catch((err: unknown) => {
  console.error(`gradus: ${err instanceof Error ? err.message : String(err)}`);
  process.exit(1);
});
