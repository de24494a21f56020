import { readFile } from 'node:fs/promises';
import { InputError } from './errors.ts';
import { isPreset, PRESETS, readPreset } from './presets/index.ts';
import type { CurriculumSpec } from './spec.ts';
import { formatSpecIssues, parseSpecText } from './spec-text.ts';

export interface LoadedSpec {
  spec: CurriculumSpec;
  /** The file path or preset name, and the text as read. */
  source: { name: string; text: string };
}

/** Reads a spec from a YAML/JSON file, or a preset by name; every mistake in it is listed in the error. */
export async function loadSpec(fileOrPreset: string): Promise<LoadedSpec> {
  let text: string;
  try {
    text = await readFile(fileOrPreset, 'utf8');
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code;
    if (code !== 'ENOENT' || !isPreset(fileOrPreset)) {
      if (code === 'ENOENT') {
        throw new InputError(`${fileOrPreset}: no such file, nor a preset (presets: ${PRESETS.join(', ')})`);
      }
      throw new InputError(`${fileOrPreset}: cannot be read (${(err as Error).message})`);
    }
    text = await readPreset(fileOrPreset);
  }
  const parsed = parseSpecText(text);
  if (!parsed.ok) {
    const n = parsed.issues.length;
    throw new InputError(
      `${fileOrPreset}: ${n} mistake${n === 1 ? '' : 's'} in the curriculum spec:\n${formatSpecIssues(fileOrPreset, parsed.issues)}`,
    );
  }
  return { spec: parsed.spec, source: { name: fileOrPreset, text } };
}
