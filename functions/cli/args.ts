import { type Command, InvalidArgumentError, Option } from 'commander';

/** Command-line value parsers shared by the subcommands: each rejects bad input with a clear message. */

/** An integer of at least `min`. */
export const intAtLeast =
  (min: number) =>
  (value: string): number => {
    const n = Number(value);
    if (!Number.isInteger(n) || n < min) throw new InvalidArgumentError(`expected an integer >= ${min}`);
    return n;
  };

export const positiveInt = intAtLeast(1);

export function finiteNumber(value: string): number {
  const n = Number(value);
  if (!Number.isFinite(n)) throw new InvalidArgumentError('expected a number');
  return n;
}

export function port(value: string): number {
  const n = Number(value);
  if (!Number.isInteger(n) || n < 0 || n > 65535) throw new InvalidArgumentError('expected a port number');
  return n;
}

/** How prompts are sent to an OpenAI-compatible endpoint: `gradus eval` and `gradus rollouts sample`. */
export function addRequestShapeOptions(command: Command): Command {
  return command
    .addOption(
      new Option('--prompt-mode <mode>', 'chat or raw completions')
        .choices(['chat', 'completions'])
        .default('chat'),
    )
    .addOption(
      new Option('--request-mode <mode>', 'n: one request per problem with n; single: one per sample')
        .choices(['n', 'single'])
        .default('n'),
    );
}
