import { describe, expect, it } from 'vitest';
import { loadSpec } from '../../shared/curriculum/load-spec.ts';
import { type Condition, evaluate, evaluateTagged } from '../../shared/curriculum/rules.ts';
import { CurriculumSpec } from '../../shared/curriculum/spec.ts';
import { type LeveledProblem, mixTargets, selectStages } from '../../shared/curriculum/stages.ts';

const facts = (rates: Record<string, number>, ability = 'math', id = 'x') => ({
  id,
  ability,
  passRates: new Map(Object.entries(rates)),
});
const ctx = { seed: 0, salt: 'L' };

describe('rule conditions', () => {
  it('tells open, closed and half-open ranges apart at their ends', () => {
    const at = (op: string, p: number) =>
      evaluate({ model: 'm', op, range: [0, 1] } as Condition, facts({ m: p }), ctx);
    expect([0, 0.5, 1].map((p) => at('in_open', p))).toEqual([false, true, false]);
    expect([0, 0.5, 1].map((p) => at('in_closed', p))).toEqual([true, true, true]);
    expect([0, 0.5, 1].map((p) => at('in_open_closed', p))).toEqual([false, true, true]);
    expect([0, 0.5, 1].map((p) => at('in_closed_open', p))).toEqual([true, true, false]);
  });

  it('combines comparisons with all, any and not', () => {
    const rule: Condition = {
      any: [
        {
          all: [
            { model: 'a', op: 'eq', value: 0 },
            { model: 'b', op: 'gte', value: 0.5 },
          ],
        },
        { not: { model: 'a', op: 'lte', value: 0.75 } },
      ],
    };
    expect(evaluate(rule, facts({ a: 0, b: 0.5 }), ctx)).toBe(true);
    expect(evaluate(rule, facts({ a: 0, b: 0.25 }), ctx)).toBe(false);
    expect(evaluate(rule, facts({ a: 0.875, b: 0 }), ctx)).toBe(true);
    expect(evaluate(rule, facts({ a: 0.5, b: 1 }), ctx)).toBe(false);
  });

  it('reports the tags of every branch that held, none from under a not', () => {
    const rule: Condition = {
      tag: 'level',
      any: [
        { tag: 'low', model: 'a', op: 'lt', value: 0.5 },
        { tag: 'some', model: 'a', op: 'in_open', range: [0, 1] },
        { not: { tag: 'hidden', model: 'a', op: 'eq', value: 1 } },
      ],
    };
    expect(evaluateTagged(rule, facts({ a: 0.25 }), ctx)).toEqual({
      holds: true,
      tags: ['low', 'some', 'level'],
    });
    expect(evaluateTagged(rule, facts({ a: 0.75 }), ctx)).toEqual({ holds: true, tags: ['some', 'level'] });
    expect(evaluateTagged(rule, facts({ a: 1 }), ctx)).toEqual({ holds: false, tags: [] });
    const all: Condition = {
      all: [
        { tag: 'x', model: 'a', op: 'gt', value: 0 },
        { model: 'a', op: 'lt', value: 0.5 },
      ],
    };
    expect(evaluateTagged(all, facts({ a: 0.75 }), ctx)).toEqual({ holds: false, tags: [] });
  });

  it('keeps a sample share per ability, the same problems on every call, others by salt', () => {
    const rule: Condition = { sample: { math: 0.3, default: 0 } };
    const ids = Array.from({ length: 4000 }, (_, i) => `q${i}`);
    const kept = ids.filter((id) => evaluate(rule, facts({}, 'math', id), ctx));
    expect(kept.length / ids.length).toBeGreaterThan(0.27);
    expect(kept.length / ids.length).toBeLessThan(0.33);
    expect(ids.filter((id) => evaluate(rule, facts({}, 'math', id), ctx))).toEqual(kept);
    expect(ids.filter((id) => evaluate(rule, facts({}, 'code', id), ctx))).toEqual([]);
    const otherSalt = ids.filter((id) => evaluate(rule, facts({}, 'math', id), { seed: 0, salt: 'M' }));
    expect(otherSalt).not.toEqual(kept);
  });
});

function problems(spec: Record<string, [number, string, string[]]>): LeveledProblem[] {
  return Object.entries(spec).map(([id, [row, ability, levels]]) => ({ id, row, ability, levels }));
}

describe('stage selection', () => {
  it('takes a problem in two of a stage’s levels once, in dataset order', () => {
    const spec = CurriculumSpec.parse({
      name: 't',
      models: { m: { model: 'm' } },
      levels: {
        A: { when: { model: 'm', op: 'gt', value: 0 } },
        B: { when: { model: 'm', op: 'lt', value: 1 } },
      },
      stages: [{ name: 's', levels: ['B', 'A'], settings: { max_response_length: 1 } }],
    });
    const [sel] = selectStages(
      spec,
      problems({ p3: [3, 'math', ['A', 'B']], p1: [1, 'code', ['B']], p2: [2, 'math', ['C']] }),
    );
    expect(sel?.rows).toEqual([1, 3]);
    expect(sel?.perLevel).toEqual({ A: 1, B: 2 });
    expect(sel?.perAbility).toEqual({ code: 1, math: 1 });
  });

  it('computes mix targets that follow the weights and keep the scarcer side whole', () => {
    expect(mixTargets({ math: 5000, code: 1000 }, { math: 2.1, code: 1 })).toEqual({
      math: 2100,
      code: 1000,
    });
    expect(mixTargets({ math: 1000, code: 5000 }, { math: 2.1, code: 1 })).toEqual({ math: 1000, code: 476 });
    expect(mixTargets({ math: 10 }, { math: 2.1, code: 1 })).toEqual({ math: 0, code: 0 });
  });

  it('mixes math L1 and code L3 about 2.1:1 with the paper-mixed preset', async () => {
    const { spec } = await loadSpec('paper-mixed');
    const pool: LeveledProblem[] = [];
    for (let i = 0; i < 9000; i++) {
      const ability = i % 3 === 0 ? 'code' : 'math';
      const levels = i % 2 === 0 ? ['L1', 'L3'] : i % 5 === 0 ? ['L3'] : ['L1'];
      pool.push({ id: `p${i}`, row: i, ability, levels });
    }
    const [sel] = selectStages(spec, pool);
    const { math = 0, code = 0 } = sel?.perAbility ?? {};
    // Only math problems in L1 and code problems in L3 qualify.
    const mathL1 = pool.filter((p) => p.ability === 'math' && p.levels.includes('L1')).length;
    const codeL3 = pool.filter((p) => p.ability === 'code' && p.levels.includes('L3')).length;
    expect(Math.min(mathL1, codeL3 * 2.1)).toBeGreaterThan(0);
    expect(math / code).toBeCloseTo(2.1, 1);
    expect(math).toBeLessThanOrEqual(mathL1);
    expect(code).toBeLessThanOrEqual(codeL3);
    expect(math === mathL1 || code === codeL3).toBe(true);
    const rows = new Set(sel?.rows);
    for (const p of pool) {
      if (!rows.has(p.row)) continue;
      expect(p.ability === 'math' ? p.levels.includes('L1') : p.levels.includes('L3')).toBe(true);
    }
    expect(selectStages(spec, pool)[0]?.rows).toEqual(sel?.rows);
  });
});
