import { spawnSync } from 'node:child_process';
import { chmod, mkdtemp, readFile, rm, stat, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

const root = fileURLToPath(new URL('../..', import.meta.url));
const entrypoint = join(root, 'batch/entrypoint.sh');
const dockerfile = join(root, 'batch/Dockerfile');

function which(tool: string): string | undefined {
  const found = spawnSync('sh', ['-c', `command -v ${tool}`], { encoding: 'utf8' });
  return found.status === 0 ? found.stdout.trim() : undefined;
}

describe('trainer container files', () => {
  // shellcheck comes from apt (`apt-get install -y shellcheck`); without it there is nothing to run.
  it.skipIf(!which('shellcheck'))('entrypoint.sh passes shellcheck', () => {
    const out = spawnSync('shellcheck', ['--severity=style', entrypoint], { encoding: 'utf8' });
    expect(out.stdout + out.stderr).toBe('');
    expect(out.status).toBe(0);
  });

  // hadolint is not packaged for Debian; the check runs where its binary is on PATH.
  it.skipIf(!which('hadolint'))('Dockerfile passes hadolint', () => {
    const out = spawnSync('hadolint', [dockerfile], { encoding: 'utf8' });
    expect(out.stdout + out.stderr).toBe('');
  });

  it('Dockerfile pins its base images by tag, copies files that exist and starts the entrypoint', async () => {
    const text = await readFile(dockerfile, 'utf8');
    const args = Object.fromEntries([...text.matchAll(/^ARG (\w+)=(\S+)$/gm)].map((m) => [m[1], m[2]]));
    expect(args.VERL_IMAGE).toMatch(/^verlai\/verl:app-verl0\.5-[\w.-]+$/);
    expect(args.NODE_IMAGE).toMatch(/^node:24\.\d+\.\d+-/);
    for (const image of [args.VERL_IMAGE, args.NODE_IMAGE]) expect(image).not.toMatch(/:latest$/);
    for (const [, from] of text.matchAll(/^COPY (?!--from)(\S+)/gm)) {
      await expect(stat(join(root, from as string)), `COPY ${from}`).resolves.toBeDefined();
    }
    expect(text).toMatch(/^ENTRYPOINT \["\/opt\/gradus\/batch\/entrypoint\.sh"\]$/m);
    expect((await stat(entrypoint)).mode & 0o111).not.toBe(0);
  });
});

describe('entrypoint.sh with stand-in ray, nvidia-smi and node', () => {
  let bin: string;
  let calls: string;
  beforeAll(async () => {
    bin = await mkdtemp(join(tmpdir(), 'gradus-entry-'));
    calls = join(bin, 'calls.log');
    const stub = async (name: string, body: string) => {
      await writeFile(join(bin, name), `#!/bin/sh\n${body}\n`);
      await chmod(join(bin, name), 0o755);
    };
    await stub('nvidia-smi', 'printf "GPU 0: A\\nGPU 1: B\\n"');
    // `ray status` succeeds once per file "head-up" written: after that the head is gone.
    await stub(
      'ray',
      `echo "ray $*" >> "${calls}"; if [ "$1" = status ]; then [ -e "${bin}/head-up" ] || exit 1; rm "${bin}/head-up"; fi; exit 0`,
    );
    await stub('python3', 'cat > /dev/null; echo 4');
    await stub(
      'node',
      `echo "node $* trainer=[$GRADUS_TRAINER_COMMAND] gpus=$GRADUS_GPUS_PER_NODE" >> "${calls}"; exit "\${NODE_EXIT:-0}"`,
    );
  });
  afterAll(async () => {
    await rm(bin, { recursive: true, force: true });
  });

  function run(env: Record<string, string>) {
    const result = spawnSync('bash', [entrypoint], {
      encoding: 'utf8',
      env: {
        PATH: `${bin}:/usr/bin:/bin`,
        GRADUS_HOME: '/opt/gradus',
        GRADUS_WORK_DIR: join(bin, 'work'),
        GRADUS_RAY_GPU_WAIT_S: '0',
        GRADUS_RAY_POLL_S: '0',
        ...env,
      },
    });
    return result;
  }

  const job = { GRADUS_STORAGE_URL: 's3://b', GRADUS_RUN_ID: 'r1', GRADUS_STAGE: '2' };

  it('the main node starts a Ray head, waits for the GPUs, then runs gradus stage exec with verl', async () => {
    await writeFile(calls, '');
    const result = run({
      ...job,
      AWS_BATCH_JOB_NUM_NODES: '2',
      AWS_BATCH_JOB_NODE_INDEX: '0',
      AWS_BATCH_JOB_MAIN_NODE_INDEX: '0',
    });
    expect(result.status).toBe(0);
    const lines = (await readFile(calls, 'utf8')).trim().split('\n');
    expect(lines[0]).toBe('ray start --head --port=6379 --num-gpus=2 --dashboard-host=0.0.0.0');
    expect(lines[1]).toBe(
      'node /opt/gradus/functions/cli/gradus.ts stage exec trainer=[python3 -m gradus_verl.main_ppo --config-path "$GRADUS_CONFIG_DIR" --config-name "$GRADUS_CONFIG_NAME"] gpus=2',
    );
    expect(lines[2]).toBe('ray stop --force');
  });

  it('a failing stage exec fails the job (and still stops Ray)', async () => {
    await writeFile(calls, '');
    const result = run({ ...job, NODE_EXIT: '1' });
    expect(result.status).toBe(1);
    expect(await readFile(calls, 'utf8')).toContain('ray stop --force');
  });

  it("another node joins the head at the main node's address and leaves when it goes away", async () => {
    await writeFile(calls, '');
    await writeFile(join(bin, 'head-up'), '');
    const result = run({
      ...job,
      AWS_BATCH_JOB_NUM_NODES: '2',
      AWS_BATCH_JOB_NODE_INDEX: '1',
      AWS_BATCH_JOB_MAIN_NODE_INDEX: '0',
      AWS_BATCH_JOB_MAIN_NODE_PRIVATE_IPV4_ADDRESS: '10.0.3.7',
    });
    const lines = (await readFile(calls, 'utf8')).trim().split('\n');
    expect(lines[0]).toBe('ray start --address=10.0.3.7:6379 --num-gpus=2');
    expect(lines.slice(1)).toEqual([
      'ray status --address=10.0.3.7:6379',
      'ray status --address=10.0.3.7:6379',
    ]);
    expect(lines.join('\n')).not.toContain('node ');
    expect(result.status).toBe(0);
  });

  it('says which variable is missing', () => {
    const result = run({ GRADUS_STORAGE_URL: 's3://b', GRADUS_STAGE: '1' });
    expect(result.status).not.toBe(0);
    expect(result.stderr).toContain('GRADUS_RUN_ID is not set');
  });
});
