import { describe, expect, it } from 'vitest';
import { checkLambdaPackage, checkResponse, checkTemplate } from '../../scripts/check-lambda-package.ts';

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
  it('packages with osls offline; the unzipped handler answers HTTP API and Function URL events, inline and pooled', async () => {
    const report = await checkLambdaPackage();
    expect(report.problems).toEqual([]);
    const cases = [
      ['http-api GET /healthz', 200],
      ['http-api POST /v1/reward', 200],
      ['http-api POST /v1/reward (invalid body)', 400],
      ['function-url GET /healthz', 200],
      ['function-url POST /v1/reward', 200],
      ['function-url POST /v1/reward (invalid body)', 400],
    ];
    expect(report.invocations.map((i) => [i.name, i.statusCode])).toEqual(
      ['inline', 'pool'].flatMap((mode) => cases.map(([name, status]) => [`[${mode}] ${name}`, status])),
    );
    console.log(`lambda zip: ${(report.zipBytes / 2 ** 20).toFixed(1)} MiB, ${report.files} files`);
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
    ];
    const problems = checkResponse('http-api POST /v1/reward', {
      statusCode: 200,
      body: JSON.stringify({ results }),
    });
    expect(problems).toHaveLength(1);
    expect(problems[0]).toContain('item python-right should score 1 with status ok');
  });
});
