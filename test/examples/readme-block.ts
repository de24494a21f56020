/** One shell command of a README code block, as the user would type it. */
export interface ShellCommand {
  /** The command's text, continuation lines (`\` + newline) kept, without a trailing `&`. */
  text: string;
  /** Typed with a trailing `&`: started in the background. */
  background: boolean;
}

/** The first ```sh block after the `## <heading>` line; an error naming what is missing otherwise. */
export function shBlockUnder(markdown: string, heading: string): string {
  const lines = markdown.split('\n');
  const start = lines.indexOf(`## ${heading}`);
  if (start < 0) throw new Error(`no "## ${heading}" section`);
  const open = lines.findIndex((line, i) => i > start && line.trim() === '```sh');
  const nextSection = lines.findIndex((line, i) => i > start && line.startsWith('## '));
  if (open < 0 || (nextSection >= 0 && open > nextSection))
    throw new Error(`no \`\`\`sh block under "${heading}"`);
  const close = lines.findIndex((line, i) => i > open && line.trim() === '```');
  if (close < 0) throw new Error(`the \`\`\`sh block under "${heading}" is not closed`);
  return lines.slice(open + 1, close).join('\n');
}

/** The block's commands in order: comment and blank lines dropped, `\`-continued lines joined into one. */
export function shellCommands(block: string): ShellCommand[] {
  const commands: ShellCommand[] = [];
  let pending: string[] = [];
  for (const line of block.split('\n')) {
    if (pending.length === 0 && (line.trim() === '' || line.trim().startsWith('#'))) continue;
    pending.push(line);
    if (line.endsWith('\\')) continue;
    const text = pending.join('\n').trim();
    pending = [];
    const background = /\s&$/.test(text);
    commands.push({ text: background ? text.slice(0, -1).trimEnd() : text, background });
  }
  if (pending.length > 0) throw new Error(`the block ends inside a command: ${pending.join('\n')}`);
  return commands;
}
