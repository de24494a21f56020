import { basename, dirname, resolve } from 'node:path';
import { InvalidArgumentError } from 'commander';
import { RunId } from '../../shared/formats/run-contract.ts';

/**
 * The one run layout the CLI reads and writes: `<root>/runs/<run-id>/` (a path, a file:// or an s3://
 * URL). `gradus curate --out` must name such a folder, so that `gradus stage run` takes what it wrote.
 */

const URL_ROOT = /^(s3|file):\/\//i;
const RUN_FOLDER = '<root>/runs/<run-id>';
const RUN_ID_RULE = 'letters, digits, "_" and "-", at most 64, starting with a letter or digit';

/** `<root>/runs/<run-id>[/manifest.json]` -> the storage root and the run id. */
export function locateRun(target: string): { root: string; runId: string } {
  const found = splitRunFolder(target.replace(/\/manifest\.json$/, ''));
  if (typeof found === 'string') {
    throw new InvalidArgumentError(
      `expected ${RUN_FOLDER} or ${RUN_FOLDER}/manifest.json, got ${JSON.stringify(target)}${found}`,
    );
  }
  return found;
}

/**
 * The run a curated `--out` folder will be, or an error saying what to pass instead; checked before any
 * work, since `gradus stage run` refuses any other layout.
 */
export function curateRunFolder(out: string): { root: string; runId: string } {
  const trimmed = out.replace(/\/+$/, '');
  const found = trimmed.endsWith('/manifest.json')
    ? ' (--out is the run folder, not its manifest)'
    : splitRunFolder(trimmed);
  if (typeof found !== 'string') return found;
  const folder = trimmed.replace(/\/manifest\.json$/, '');
  const parent = dirname(folder);
  const id =
    basename(folder)
      .replace(/[^A-Za-z0-9_-]/g, '-')
      .replace(/^[-_]+/, '')
      .slice(0, 64) || 'run1';
  const suggestion = `${basename(parent) === 'runs' ? parent : `${parent}/runs`}/${id}`;
  throw new InvalidArgumentError(
    `--out ${JSON.stringify(out)} is not a run folder${found}: \`gradus stage run\` takes ${RUN_FOLDER}; ` +
      `pass e.g. --out ${suggestion}`,
  );
}

/** The root and run id, or why `target` is not `<root>/runs/<run-id>` (text to append to a message). */
function splitRunFolder(target: string): { root: string; runId: string } | string {
  const trimmed = target.replace(/\/+$/, '');
  if (trimmed.startsWith('runs/')) return splitRunFolder(`./${trimmed}`);
  const cut = trimmed.lastIndexOf('/runs/');
  if (cut < 0) return '';
  const runId = trimmed.slice(cut + '/runs/'.length);
  if (runId === '' || runId.includes('/')) return '';
  if (!RunId.safeParse(runId).success) return ` (run id ${JSON.stringify(runId)}: ${RUN_ID_RULE})`;
  const root = trimmed.slice(0, cut) || '/';
  return { root: URL_ROOT.test(root) ? root : resolve(root), runId };
}
