import { describe, expect, it } from 'vitest';
import { checkLambdaPackage, checkTemplate } from '../../scripts/check-lambda-package.ts';
import { checkResponse } from '../../scripts/lambda/responses.ts';

const template = (
  fn: Record<string, unknown>,
  extra: string[] = ['AWS::Lambda::Url', 'AWS::ApiGatewayV2::Api', 'AWS::ApiGatewayV2::Route'],
) => ({
  Resources: {
    Fn: { Type: 'AWS::Lambda::Function', Properties: fn },
    ...Object.fromEntries(extra.map((type, i) => [`R${i}`, { Type: type }])),
  },
});
const goodFunction = {
  Handler: 'dist/lambda/lambda.handler',
  Runtime: 'nodejs24.x',
  Architectures: ['x86_64'],
  Environment: { Variables: { NODE_OPTIONS: '--no-node-snapshot' } },
};

describe('Lambda artifact check', () => {
  it('packages with osls offline; every ELF file fits AL2023; the unzipped handler, with the from-source isolated-vm, answers HTTP API and Function URL events (inline, pooled, without the native module)', async () => {
    const report = await checkLambdaPackage();
    expect(report.problems).toEqual([]);
    // Without isolated-vm's binary (no-native), math still works and a batch with code items gets 501.
    const expected = (mode: string) =>
      ['http-api', 'function-url'].flatMap((source) => [
        [`[${mode}] ${source} GET /healthz`, 200],
        [`[${mode}] ${source} POST /v1/reward`, mode === 'no-native' ? 501 : 200],
        [`[${mode}] ${source} POST /v1/math/verify`, 200],
        [`[${mode}] ${source} POST /v1/reward (invalid body)`, 400],
      ]);
    expect(report.invocations.map((i) => [i.name, i.statusCode])).toEqual(
      ['inline', 'pool', 'no-native'].flatMap(expected),
    );
    console.log(
      `lambda zip: ${(report.zipBytes / 2 ** 20).toFixed(1)} MiB, ${report.files} files; isolated-vm needs ${report.nativeRequires.join(', ')}`,
    );
    // Built from source with libstdc++ and libgcc static: only glibc, at most 2.34 (the rule checked it).
    expect(report.nativeRequires.every((v) => v.startsWith('GLIBC_'))).toBe(true);
    expect(report.elfFiles).toEqual([
      'dist/lambda/node_modules/@esbuild/linux-x64/bin/esbuild',
      'dist/lambda/node_modules/isolated-vm/build/Release/isolated_vm.node',
    ]);
  }, 300_000);

  it('accepts a good template and names each thing wrong in a bad one', () => {
    expect(checkTemplate(template(goodFunction), 'x86_64')).toEqual([]);
    expect(
      checkTemplate(template({ ...goodFunction, Handler: 'dist/other/handler.handler' }), 'x86_64'),
    ).toEqual(['the template has no AWS::Lambda::Function with handler dist/lambda/lambda.handler']);
    const problems = checkTemplate(
      template({ ...goodFunction, Runtime: 'nodejs22.x', Architectures: ['arm64'], Environment: {} }, [
        'AWS::Lambda::Url',
      ]),
      'x86_64',
    );
    expect(problems).toEqual([
      'runtime is nodejs22.x, not nodejs24.x',
      'the function is arm64 but the artifact was built for x86_64 (set LAMBDA_ARCH for both)',
      'NODE_OPTIONS lacks --no-node-snapshot (isolated-vm needs it)',
      'the template has no AWS::ApiGatewayV2::Api',
      'the template has no AWS::ApiGatewayV2::Route',
    ]);
  });

  it('flags a reward response whose Python item did not pass', () => {
    const results = [
      { id: 'math-right', score: 1, status: 'ok' },
      { id: 'math-wrong', score: 0, status: 'ok' },
      { id: 'python-right', score: 0, status: 'error' },
      { id: 'python-wrong', score: 0, status: 'ok' },
      { id: 'javascript-right', score: 1, status: 'ok' },
      { id: 'javascript-wrong', score: 0, status: 'ok' },
    ];
    const problems = checkResponse('inline', 'reward', 'http-api POST /v1/reward', {
      statusCode: 200,
      body: JSON.stringify({ results }),
    });
    expect(problems).toHaveLength(1);
    expect(problems[0]).toContain('item python-right should score 1 with status ok');
  });
});

describe('Lambda response checks', () => {
  it('without the native module, wants a 501 naming the sandboxes for a batch with code items', () => {
    const body = (message: string) => JSON.stringify({ error: { code: 'UNAVAILABLE', message } });
    const named = 'the code sandboxes could not be loaded on this Lambda: GLIBCXX_3.4.30 not found';
    expect(checkResponse('no-native', 'reward', 'r', { statusCode: 501, body: body(named) })).toEqual([]);
    expect(checkResponse('no-native', 'reward', 'r', { statusCode: 501, body: body('busy') })).toHaveLength(
      1,
    );
    expect(
      checkResponse('no-native', 'reward', 'r', { statusCode: 200, body: '{"results":[]}' }),
    ).toHaveLength(1);
  });
});
