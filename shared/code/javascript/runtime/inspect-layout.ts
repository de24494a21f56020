/**
 * How util.inspect lays out the entries of one object or array (lib/internal/util/inspect.js):
 * on one line when short enough, else one entry per line, with long arrays of short entries grouped
 * into aligned columns.
 */

export interface LayoutContext {
  breakLength: number;
  compact: number;
  maxArrayLength: number;
  indentationLvl: number;
  currentDepth: number;
}

export const ARRAY_EXTRAS = 1;
export const OBJECT = 0;

function isBelowBreakLength(ctx: LayoutContext, output: string[], start: number, base: string): boolean {
  let total = output.length + start;
  if (total + output.length > ctx.breakLength) return false;
  for (const entry of output) {
    total += entry.length;
    if (total > ctx.breakLength) return false;
  }
  return base === '' || !base.includes('\n');
}

export function reduceToSingleString(
  ctx: LayoutContext,
  output: string[],
  base: string,
  braces: [string, string],
  extras: number,
  recurseTimes: number,
  value: unknown,
): string {
  const entries = output.length;
  if (extras === ARRAY_EXTRAS && entries > 6) output = groupArrayElements(ctx, output, value);
  if (ctx.currentDepth - recurseTimes < ctx.compact && entries === output.length) {
    const start = output.length + ctx.indentationLvl + braces[0].length + base.length + 10;
    if (isBelowBreakLength(ctx, output, start, base)) {
      const joined = output.join(', ');
      if (!joined.includes('\n')) return `${base ? `${base} ` : ''}${braces[0]} ${joined} ${braces[1]}`;
    }
  }
  const indentation = `\n${' '.repeat(ctx.indentationLvl)}`;
  return `${base ? `${base} ` : ''}${braces[0]}${indentation}  ${output.join(`,${indentation}  `)}${indentation}${braces[1]}`;
}

/** Node's column layout for arrays of more than six short entries. */
function groupArrayElements(ctx: LayoutContext, output: string[], value: unknown): string[] {
  let totalLength = 0;
  let maxLength = 0;
  let outputLength = output.length;
  if (ctx.maxArrayLength < output.length) outputLength--;
  const separatorSpace = 2;
  const dataLen: number[] = [];
  for (let i = 0; i < outputLength; i++) {
    const len = (output[i] as string).length;
    dataLen.push(len);
    totalLength += len + separatorSpace;
    if (maxLength < len) maxLength = len;
  }
  const actualMax = maxLength + separatorSpace;
  if (
    actualMax * 3 + ctx.indentationLvl < ctx.breakLength &&
    (totalLength / actualMax > 5 || maxLength <= 6)
  ) {
    const averageBias = Math.sqrt(actualMax - totalLength / output.length);
    const biasedMax = Math.max(actualMax - 3 - averageBias, 1);
    const columns = Math.min(
      Math.round(Math.sqrt(2.5 * biasedMax * outputLength) / biasedMax),
      Math.floor((ctx.breakLength - ctx.indentationLvl) / actualMax),
      ctx.compact * 4,
      15,
    );
    if (columns <= 1) return output;
    const maxLineLength: number[] = [];
    for (let i = 0; i < columns; i++) {
      let lineLength = 0;
      for (let j = i; j < output.length; j += columns) {
        if ((dataLen[j] ?? 0) > lineLength) lineLength = dataLen[j] as number;
      }
      maxLineLength.push(lineLength + separatorSpace);
    }
    let padStart = true;
    if (value !== undefined) {
      const items = value as ArrayLike<unknown>;
      for (let i = 0; i < output.length; i++) {
        if (typeof items[i] !== 'number' && typeof items[i] !== 'bigint') {
          padStart = false;
          break;
        }
      }
    }
    const grouped: string[] = [];
    for (let i = 0; i < outputLength; i += columns) {
      const max = Math.min(i + columns, outputLength);
      let str = '';
      let j = i;
      for (; j < max - 1; j++) {
        const cell = `${output[j]}, `;
        const width = maxLineLength[j - i] as number;
        str += padStart ? cell.padStart(width, ' ') : cell.padEnd(width, ' ');
      }
      if (padStart)
        str += (output[j] as string).padStart((maxLineLength[j - i] as number) - separatorSpace, ' ');
      else str += output[j];
      grouped.push(str);
    }
    if (ctx.maxArrayLength < output.length) grouped.push(output[outputLength] as string);
    return grouped;
  }
  return output;
}
