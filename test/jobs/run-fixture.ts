import { createHash } from 'node:crypto';
import type { StageManifest, StageSettings } from '../../shared/formats/stage-manifest.ts';
import { runKeys } from '../../shared/jobs/contract.ts';
import type { Storage } from '../../shared/storage/types.ts';

export interface FixtureStage {
  rows?: number;
  total_steps?: number;
  save_every_steps?: number;
  nodes?: number;
  gpus_per_node?: number;
  until?: StageSettings['until'];
  checkpoint?: StageSettings['checkpoint'];
}

/** Writes `rows` data lines per stage under `runs/<run>/stages/<k>/data/` and returns a manifest for them. */
export async function writeRunData(
  storage: Storage,
  runId: string,
  stages: FixtureStage[] = [{}, {}],
): Promise<StageManifest> {
  const manifestStages: StageManifest['stages'] = [];
  for (const [i, s] of stages.entries()) {
    const index = i + 1;
    const rows = s.rows ?? 4;
    const text = Array.from({ length: rows }, (_, r) => JSON.stringify({ problem: `s${index}-p${r}` })).join(
      '\n',
    );
    const path = `stages/${index}/data/train.jsonl`;
    await storage.put(runKeys.data(runId, path), text);
    manifestStages.push({
      index,
      name: `stage${index}`,
      levels: [`L${index + 1}`],
      data: [
        {
          path,
          rows,
          bytes: Buffer.byteLength(text),
          sha256: createHash('sha256').update(text).digest('hex'),
        },
      ],
      settings: {
        max_response_length: index === 1 ? 16384 : 24576,
        entropy_coef: index === 1 ? 0.001 : 0,
        ...(index > 1 ? { mask_truncated: true } : {}),
        total_steps: s.total_steps ?? 4,
        save_every_steps: s.save_every_steps ?? 1,
        ...(s.until ? { until: s.until } : {}),
        ...(s.checkpoint ? { checkpoint: s.checkpoint } : {}),
      },
      ...(s.nodes || s.gpus_per_node
        ? { resources: { nodes: s.nodes, gpus_per_node: s.gpus_per_node } }
        : {}),
    });
  }
  return {
    version: 1,
    curriculum: 'test',
    created_at: '2026-01-01T00:00:00.000Z',
    seed: 0,
    base_model: 'stand-in/base',
    stages: manifestStages,
  };
}

export async function writeManifest(storage: Storage, runId: string, manifest: unknown): Promise<void> {
  await storage.put(runKeys.manifest(runId), `${JSON.stringify(manifest, null, 2)}\n`);
}
