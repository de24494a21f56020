/**
 * The part of a model response that an answer is read from.
 *
 * - With `</think>`: the text after the last one. A `<think>` after it opens a block that never closes.
 * - With `<think>` and no `</think>`: the response stopped while thinking, so it has no answer.
 * - With neither: the whole response, unless `requireThinkClose` is set. That option is for prompts that
 *   open the think block themselves, so that the response carries only `</think>`.
 *
 * Only the last `maxChars` characters are read. The cut moves to a line start when one is near, so a long
 * response is still graded by its ending, in time linear in that tail.
 */
export type Region = { text: string } | { missing: string };

export interface RegionOptions {
  requireThinkClose: boolean;
  maxChars: number;
}

/** How far past the cut the tail may start, to begin at a line rather than inside one. */
const LINE_SLACK = 4096;

export function answerRegion(response: string, opts: RegionOptions): Region {
  const span = answerSpan(response, opts);
  return 'missing' in span ? span : { text: stripEmphasis(span.text) };
}

/**
 * What of `response` the verifier reads, or why it reads nothing: the answer region before the markdown
 * clean-up. Also tells whether it followed a `</think>`.
 */
function answerSpan(response: string, opts: RegionOptions): Region & { closed?: boolean } {
  const close = response.lastIndexOf('</think>');
  // Only an opening tag after the last closing one matters: search from there, not back through the thought.
  const open = close < 0 ? response.lastIndexOf('<think>') : response.indexOf('<think>', close);
  if (open > close) return { missing: 'the response ends inside <think> (no </think> after it)' };
  if (close < 0 && opts.requireThinkClose) return { missing: 'no </think> in the response' };
  let text = close >= 0 ? response.slice(close + '</think>'.length) : response;
  if (text.length > opts.maxChars) {
    let start = text.length - opts.maxChars;
    const line = text.indexOf('\n', start);
    if (line >= 0 && line < start + LINE_SLACK) start = line + 1;
    text = text.slice(start);
  }
  return { text, closed: close >= 0 };
}

/**
 * The shortest text that `answerRegion` reads exactly as it reads `response`, under the same options: the
 * region, after a `</think>` when it followed one. A response sent elsewhere to be verified (a worker
 * thread) need only carry this: a long chain of thought before `</think>` is never read.
 */
export function regionSource(response: string, opts: RegionOptions): string {
  const span = answerSpan(response, opts);
  // Texts read as missing for the same reason: an open think block, and (the option being set) no tags.
  if ('missing' in span) return span.missing.startsWith('the response ends') ? '<think>' : '';
  // The region holds no think tag (the `</think>` was the last of both), and is within `maxChars`.
  return span.closed ? `</think>${span.text}` : span.text;
}

/** Markdown bold and underline around short spans (`**73**`), which would otherwise stick to the answer. */
function stripEmphasis(s: string): string {
  let out = s.includes('**') ? s.replace(/\*\*([^*\n]{1,200}?)\*\*/g, '$1') : s;
  if (out.includes('__')) out = out.replace(/(^|\s)__([^_\n]{1,200}?)__/g, '$1$2');
  return out;
}
