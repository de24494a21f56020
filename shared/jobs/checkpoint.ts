import { createHash } from 'node:crypto';
import { createReadStream } from 'node:fs';
import { mkdir, readdir, stat } from 'node:fs/promises';
import { dirname, join, relative, sep } from 'node:path';
import {
  CHECKPOINT_MANIFEST_NAME,
  type CheckpointFile,
  CheckpointManifest,
} from '../formats/run-contract.ts';
import type { Storage } from '../storage/types.ts';
import type { CompleteCheckpoint } from './contract.ts';
import { runKeys } from './contract.ts';

export async function sha256File(path: string): Promise<string> {
  const hash = createHash('sha256');
  for await (const chunk of createReadStream(path)) hash.update(chunk as Buffer);
  return hash.digest('hex');
}

async function filesUnder(dir: string): Promise<string[]> {
  const entries = await readdir(dir, { recursive: true, withFileTypes: true });
  return entries
    .filter((e) => e.isFile())
    .map((e) => relative(dir, join(e.parentPath, e.name)).split(sep).join('/'))
    .filter((p) => p !== CHECKPOINT_MANIFEST_NAME)
    .sort();
}

export interface SealOptions {
  storage: Storage;
  runId: string;
  stage: number;
  step: number;
  /** The local checkpoint folder (verl's `global_step_<n>/`). */
  localDir: string;
  /** Folder inside the checkpoint with the model in HF format, when there is one. */
  hfModelPath?: string;
}

/**
 * Uploads a local checkpoint folder to `stages/<k>/checkpoints/<step>/`, then writes its checkpoint
 * manifest, last: until that write lands, readers treat the checkpoint as incomplete.
 */
export async function sealCheckpoint(options: SealOptions): Promise<CheckpointManifest> {
  const { storage, runId, stage, step, localDir } = options;
  const prefix = runKeys.checkpoint(runId, stage, step);
  const files: CheckpointFile[] = [];
  for (const path of await filesUnder(localDir)) {
    const local = join(localDir, ...path.split('/'));
    const [info, sha256] = await Promise.all([stat(local), sha256File(local)]);
    await storage.uploadFile(prefix + path, local);
    files.push({ path, bytes: info.size, sha256 });
  }
  if (files.length === 0) throw new Error(`checkpoint folder ${localDir} is empty`);
  const manifest = CheckpointManifest.parse({
    version: 1,
    run_id: runId,
    stage,
    step,
    created_at: new Date().toISOString(),
    hf_model_path: options.hfModelPath,
    files,
  });
  await storage.put(runKeys.checkpointManifest(runId, stage, step), `${JSON.stringify(manifest, null, 2)}\n`);
  return manifest;
}

/** Downloads a complete checkpoint into `localDir`, checking each file's sha256 against its manifest. */
export async function downloadCheckpoint(
  storage: Storage,
  checkpoint: CompleteCheckpoint,
  localDir: string,
): Promise<void> {
  for (const file of checkpoint.manifest.files) {
    const local = join(localDir, ...file.path.split('/'));
    await mkdir(dirname(local), { recursive: true });
    await storage.downloadFile(checkpoint.prefix + file.path, local);
    const sha256 = await sha256File(local);
    if (sha256 !== file.sha256) {
      throw new Error(
        `${checkpoint.prefix}${file.path}: sha256 ${sha256} does not match its manifest (${file.sha256})`,
      );
    }
  }
}
