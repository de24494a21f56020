import type { z } from 'zod';
import { PassRate, PassRateInput } from '../formats/pass-rate-row.ts';
import { ProblemId } from '../formats/problem-id.ts';
import { RowError } from '../io/row-error.ts';
import { InputError } from './errors.ts';
import type { CurriculumSpec } from './spec.ts';
import { formatPath } from './spec-text.ts';

/**
 * Pass rates by problem id and spec model name, built from a pass-rate table: long rows
 * `{problem_id, model, n, correct, pass_rate}` (what `gradus rollouts score` writes), or wide rows with
 * one column per model for specs whose models name a `column`.
 */

export interface PassRateIndex {
  /** problem id -> spec model name -> pass rate */
  rates: Map<string, Map<string, number>>;
  /** Rows whose model no spec model maps to, by model id. */
  otherModels: Map<string, number>;
  /** Spec model name -> rows seen, to catch a model id the table never mentions. */
  rowsPerModel: Map<string, number>;
}

export interface PassRateIndexBuilder {
  /** Adds one parsed row; throws an InputError naming the file, row and field. */
  add(row: unknown, rowNumber: number): void;
  finish(): PassRateIndex;
}

export function passRateIndexBuilder(spec: CurriculumSpec, file: string): PassRateIndexBuilder {
  const byModelId = new Map<string, string[]>();
  const columns: [string, string][] = [];
  for (const [name, source] of Object.entries(spec.models)) {
    if ('model' in source) byModelId.set(source.model, [...(byModelId.get(source.model) ?? []), name]);
    else columns.push([name, source.column]);
  }
  const rates = new Map<string, Map<string, number>>();
  const otherModels = new Map<string, number>();
  const rowsPerModel = new Map<string, number>(Object.keys(spec.models).map((m) => [m, 0]));
  const firstSeen = new Map<string, number>();

  const set = (id: string, name: string, rate: number, where: number, field: string) => {
    let row = rates.get(id);
    if (!row) {
      row = new Map();
      rates.set(id, row);
    }
    const key = `${id}\u0000${name}`;
    if (row.has(name)) {
      throw new RowError(
        `a second pass rate for problem ${JSON.stringify(id)} and model "${name}" (first at row ${firstSeen.get(key)})`,
        { file, row: where, field },
      );
    }
    firstSeen.set(key, where);
    row.set(name, rate);
    rowsPerModel.set(name, (rowsPerModel.get(name) ?? 0) + 1);
  };

  const fail = (where: number, issues: z.core.$ZodIssue[]): never => {
    const first = issues[0];
    const field = first ? formatPath(first.path as PropertyKey[]) : undefined;
    const more =
      issues.length > 1
        ? ` (and ${issues
            .slice(1)
            .map((i) => formatPath(i.path as PropertyKey[]))
            .join(', ')})`
        : '';
    throw new RowError(`${first?.message ?? 'invalid row'}${more}`, { file, row: where, field });
  };

  return {
    add(row, where) {
      if (columns.length > 0 && typeof row === 'object' && row !== null && !('model' in row)) {
        const id = ProblemId.safeParse((row as Record<string, unknown>).problem_id);
        if (!id.success)
          fail(
            where,
            id.error.issues.map((i) => ({ ...i, path: ['problem_id'] })),
          );
        for (const [name, column] of columns) {
          const value = (row as Record<string, unknown>)[column];
          if (value === undefined || value === null) continue;
          const rate = PassRate.safeParse(value);
          if (!rate.success)
            fail(
              where,
              rate.error.issues.map((i) => ({ ...i, path: [column] })),
            );
          set(id.data as string, name, rate.data as number, where, column);
        }
        return;
      }
      const parsed = PassRateInput.safeParse(row);
      if (!parsed.success) return fail(where, parsed.error.issues);
      const { problem_id, model, n, correct, pass_rate } = parsed.data;
      const names = byModelId.get(model);
      if (!names) {
        otherModels.set(model, (otherModels.get(model) ?? 0) + 1);
        return;
      }
      const rate = pass_rate ?? (correct as number) / (n as number);
      if (rate > 1)
        fail(where, [{ code: 'custom', path: ['correct'], message: `more than n (${n})`, input: correct }]);
      for (const name of names) set(problem_id, name, rate, where, 'model');
    },
    finish() {
      return { rates, otherModels, rowsPerModel };
    },
  };
}

/** A spec model with no rows at all is almost always a misspelt model id: say which ids the table has. */
export function checkEveryModelSeen(
  spec: CurriculumSpec,
  index: PassRateIndex,
  file: string,
  used: string[],
): void {
  const unseen = used.filter((m) => (index.rowsPerModel.get(m) ?? 0) === 0);
  if (unseen.length === 0) return;
  const describe = (m: string) => {
    const source = spec.models[m];
    return source && 'model' in source ? `model "${source.model}" (spec model "${m}")` : `column for "${m}"`;
  };
  const others = [...index.otherModels.keys()].slice(0, 10).map((m) => `"${m}"`);
  throw new InputError(
    `${file}: no pass rates for ${unseen.map(describe).join(', ')}${others.length ? `; the table's other models are ${others.join(', ')}` : ''}`,
  );
}
