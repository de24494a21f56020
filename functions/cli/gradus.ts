#!/usr/bin/env node
import { Command } from 'commander';
import pkg from '../../package.json' with { type: 'json' };
import { runServer } from '../../shared/api/node-server.ts';
import { port, positiveInt } from './args.ts';
import { registerCurate } from './curate.ts';
import { registerData } from './data.ts';
import { addEvalCommand } from './eval.ts';
import { registerRollouts } from './rollouts.ts';
import { scoreFileCommand } from './score-file.ts';
import { registerStageCommands } from './stage.ts';

/** `gradus score ... | head` closes the pipe early: stop without a stack trace. */
function exitQuietlyOnClosedStdout(): void {
  process.stdout.on('error', (err: NodeJS.ErrnoException) => {
    if (err.code !== 'EPIPE') throw err;
    process.exit(0);
  });
}

export function buildProgram(): Command {
  const program = new Command('gradus').description(pkg.description).version(pkg.version);

  program
    .command('score')
    .description('score RewardItem rows (JSONL, or Parquet for *.parquet) into RewardResult JSONL, in order')
    .requiredOption('--in <file>', 'input: JSONL, one RewardItem per line, or a .parquet file')
    .option('--out <file>', 'output JSONL (default: stdout)')
    .option('--concurrency <n>', 'worker threads (default: one per core)', positiveInt)
    .option('--batch-size <n>', 'items per scoring batch', positiveInt, 2048)
    .action(async (opts: { in: string; out?: string; concurrency?: number; batchSize: number }) => {
      if (opts.out === undefined) exitQuietlyOnClosedStdout();
      await scoreFileCommand(opts);
    });

  program
    .command('serve')
    .description('start the reward HTTP API')
    .option('--port <port>', 'port to listen on', port, 8787)
    .option('--host <host>', 'address to bind', '127.0.0.1')
    .option('--concurrency <n>', 'worker threads (default: one per core)', positiveInt)
    .action(async (opts: { port: number; host: string; concurrency?: number }) => {
      await runServer({ port: opts.port, host: opts.host, poolSize: opts.concurrency });
    });

  addEvalCommand(program);

  registerStageCommands(program);

  registerCurate(program);

  registerRollouts(program);

  registerData(program);

  return program;
}

/** Runs the CLI on `argv` (process.argv form: node, script, args...). */
export async function main(argv: string[] = process.argv): Promise<void> {
  await buildProgram().parseAsync(argv);
}

if (import.meta.main) {
  main().catch((err: unknown) => {
    console.error(`gradus: ${err instanceof Error ? err.message : String(err)}`);
    process.exit(1);
  });
}
