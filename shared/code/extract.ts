/**
 * The program in a model response. Only the text after the last `</think>` is read, when there is one.
 *
 * Fenced blocks (``` or ~~~, three or more, up to three spaces of indent; an unclosed last block runs to
 * the end, since generation often stops at a closing fence) are chosen in this order:
 * 1. the last block tagged with the wanted language (any program language when none is wanted);
 * 2. the last untagged block;
 * 3. the last block with any other tag, except tags of non-programs (text, output, bash, json, ...).
 * The language is the wanted one, else the block's tag, else undefined (the caller decides).
 *
 * Without any fence, the whole text is the program when its first non-blank line starts like code (a
 * keyword such as def/class/import/return/const/function, a comment, a decorator, or an assignment or
 * a call - see CODE_START), else null. Prose ("Here is the solution:") does not start like code.
 */
import type { Language } from './types.ts';

export interface ExtractedProgram {
  code: string;
  /** From the wanted language or the fence tag; undefined for an untagged block or unfenced code. */
  language?: Language;
  source: 'fence' | 'whole';
}

const TAGS: Record<string, Language> = {
  python: 'python',
  py: 'python',
  python3: 'python',
  py3: 'python',
  javascript: 'javascript',
  js: 'javascript',
  node: 'javascript',
  nodejs: 'javascript',
  mjs: 'javascript',
  cjs: 'javascript',
  typescript: 'typescript',
  ts: 'typescript',
};

/** Tags of blocks that hold no program: sample input/output, shell sessions, data. */
const NOT_PROGRAM = new Set([
  'text',
  'txt',
  'plaintext',
  'plain',
  'output',
  'input',
  'console',
  'shell',
  'sh',
  'bash',
  'zsh',
  'json',
  'yaml',
  'yml',
  'md',
  'markdown',
  'diff',
  'log',
]);

interface Block {
  tag: string;
  code: string;
}

const OPEN_FENCE = /^ {0,3}(`{3,}|~{3,})[ \t]*([^\s`{]*)/;

/** Every fenced block, in order; the tag is the first word of the info string, lower-cased. */
export function fencedBlocks(text: string): Block[] {
  const lines = text.split(/\r?\n/);
  const blocks: Block[] = [];
  for (let i = 0; i < lines.length; i++) {
    const open = OPEN_FENCE.exec(lines[i] as string);
    if (!open) continue;
    const fence = open[1] as string;
    const close = new RegExp(`^ {0,3}${fence[0] === '`' ? '`' : '~'}{${fence.length},}\\s*$`);
    let j = i + 1;
    while (j < lines.length && !close.test(lines[j] as string)) j++;
    blocks.push({ tag: (open[2] as string).toLowerCase(), code: lines.slice(i + 1, j).join('\n') });
    i = j;
  }
  return blocks;
}

function languageOfTag(tag: string): Language | undefined {
  return Object.hasOwn(TAGS, tag) ? TAGS[tag] : undefined;
}

const CODE_START: Record<Language, RegExp> = {
  python:
    /^(import\s|from\s+[\w.]+\s+import\s|def\s|class\s|async\s+def\s|@\w|#|if\s|for\s|while\s|with\s|try:|return\b|print\(|[A-Za-z_][\w.]*(\[[^\]]*\])?\s*(=[^=]|\+=|-=|\())/,
  javascript:
    /^(const\s|let\s|var\s|function[\s*]|async\s+function|class\s|import\s|export\s|'use strict'|"use strict"|\/\/|\/\*|console\.|process\.|require\(|[A-Za-z_$][\w$.]*\s*(=[^=]|\())/,
  typescript:
    /^(const\s|let\s|var\s|function[\s*]|async\s+function|class\s|import\s|export\s|interface\s|type\s+\w+\s*=|'use strict'|"use strict"|\/\/|\/\*|console\.|process\.|require\(|[A-Za-z_$][\w$.]*\s*(=[^=]|\())/,
};

/** The text to grade: after the last `</think>` when there is one. */
export function answerRegion(response: string): string {
  const close = response.lastIndexOf('</think>');
  return close >= 0 ? response.slice(close + '</think>'.length) : response;
}

export function extractProgram(response: string, language?: Language): ExtractedProgram | null {
  const region = answerRegion(response);
  const blocks = fencedBlocks(region).filter((b) => b.code.trim() !== '');
  const wanted = (b: Block) => {
    const lang = languageOfTag(b.tag);
    return language === undefined ? lang !== undefined : lang === language;
  };
  const chosen =
    blocks.findLast(wanted) ??
    blocks.findLast((b) => b.tag === '') ??
    blocks.findLast((b) => !NOT_PROGRAM.has(b.tag));
  if (chosen) {
    const lang = language ?? languageOfTag(chosen.tag);
    return lang === undefined
      ? { code: chosen.code, source: 'fence' }
      : { code: chosen.code, language: lang, source: 'fence' };
  }
  if (blocks.length > 0 || /^ {0,3}(`{3,}|~{3,})/m.test(region)) return null;
  const code = region.replace(/^\s*\n/, '').trimEnd();
  const first = code
    .split('\n')
    .find((l) => l.trim() !== '')
    ?.trimStart();
  if (first === undefined) return null;
  const candidates: Language[] = language ? [language] : ['python', 'javascript'];
  const lang = candidates.find((l) => CODE_START[l].test(first));
  if (lang === undefined) return null;
  return language ? { code, language, source: 'whole' } : { code, source: 'whole' };
}
