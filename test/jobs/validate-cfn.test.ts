// biome-ignore-all lint/suspicious/noTemplateCurlyInString: CloudFormation Fn::Sub and osls variables, not JavaScript templates
import { readFile } from 'node:fs/promises';
import { beforeAll, describe, expect, it } from 'vitest';
import { parse, type Tags } from 'yaml';
import { loadSpec, type Spec, type Template, validateTemplate } from '../../scripts/validate-cfn.ts';

// Templates are free-form JSON; the assertions below read deep into them.
// biome-ignore lint/suspicious/noExplicitAny: template JSON
type Json = any;

let spec: Spec;
beforeAll(async () => {
  spec = await loadSpec();
});

// CloudFormation's short tags, as osls reads them from YAML.
const cfnTags: Tags = ['Ref', 'GetAtt', 'Sub', 'Split', 'Join', 'If', 'Equals', 'Select'].flatMap((name) => {
  const key = name === 'Ref' ? 'Ref' : `Fn::${name}`;
  const resolve = (value: unknown) => ({
    [key]: name === 'GetAtt' && typeof value === 'string' ? value.split('.') : value,
  });
  return [
    { tag: `!${name}`, resolve },
    {
      tag: `!${name}`,
      collection: 'seq' as const,
      resolve: (v: { toJSON(): unknown }) => resolve(v.toJSON()),
    },
  ];
}) as Tags;

/** Reads an infra/*.yml fragment the way osls would, with its `${...}` variables at their defaults. */
async function fragment(name: string): Promise<Template> {
  const text = (await readFile(new URL(`../../infra/${name}`, import.meta.url), 'utf8'))
    .replaceAll('${self:service}', 'gradus')
    .replaceAll('${sls:stage}', 'dev')
    .replace(/\$\{env:\w+, '([^']*)'\}/g, '$1');
  return parse(text, { customTags: cfnTags }) as Template;
}

async function stageTemplate(): Promise<Template> {
  const parts = await Promise.all(
    ['stage-bucket.yml', 'batch-compute.yml', 'batch-jobs.yml', 'stage-trigger.yml'].map(fragment),
  );
  return {
    Resources: Object.assign({}, ...parts.map((p) => p.Resources)),
    Outputs: Object.assign({}, ...parts.map((p) => p.Outputs ?? {})),
  };
}

describe('validate-cfn', () => {
  it('finds planted mistakes, each named with its path', () => {
    const template: Template = {
      Resources: {
        Queue: {
          Type: 'AWS::Batch::JobQueue',
          Properties: { State: 'ENABLED', ComputeEnvironmentOrder: [] },
        },
        Env: {
          Type: 'AWS::Batch::ComputeEnvironment',
          Properties: {
            Type: 'MANAGED',
            ComputeResources: {
              Type: 'EC2',
              MaxvCpus: { nope: 1 },
              Subnets: [],
              InstanceRole: { 'Fn::GetAtt': ['Queue', 'Nope'] },
            },
          },
        },
        Def: {
          Type: 'AWS::Batch::JobDefinition',
          Properties: { Type: 'container', ContainerProperties: { Image: 'x', ResourceRequirement: [] } },
          DependsOn: 'Missing',
        },
        Typo: { Type: 'AWS::Batch::JobQueu', Properties: {} },
        Bucket: {
          Type: 'AWS::S3::Bucket',
          Properties: { BucketName: { 'Fn::Sub': '${Unknown}-${AWS::Region}' } },
        },
      },
      Outputs: { Q: { Value: { Ref: 'Queue2' } } },
    };
    const problems = validateTemplate(template, spec);
    expect(problems).toEqual(
      expect.arrayContaining([
        "Queue.Properties: missing required 'Priority' of AWS::Batch::JobQueue",
        'Env.Properties.ComputeResources.MaxvCpus: expected a number',
        expect.stringMatching(
          /^Resources\.Env\.Properties\.ComputeResources\.InstanceRole: AWS::Batch::JobQueue has no attribute 'Nope'/,
        ),
        "Def.Properties.ContainerProperties: unknown property 'ResourceRequirement' for ContainerProperties",
        "Def: DependsOn unknown 'Missing'",
        'Typo: unknown resource type AWS::Batch::JobQueu',
        "Resources.Bucket.Properties.BucketName: Sub references unknown 'Unknown'",
        "Outputs.Q.Value: Ref to unknown 'Queue2'",
      ]),
    );
  });

  it('checks enumerated values where the spec lists them', () => {
    const queue = (State: string): Template => ({
      Resources: {
        Q: { Type: 'AWS::Batch::JobQueue', Properties: { State, Priority: 1, ComputeEnvironmentOrder: [] } },
      },
    });
    expect(validateTemplate(queue('ENABLED'), spec)).toEqual([]);
    expect(validateTemplate(queue('ON'), spec)).toEqual([
      "Q.Properties.State: 'ON' is not one of DISABLED, ENABLED",
    ]);
  });
});

describe('infra fragments for staged training', () => {
  it('pass the check', async () => {
    expect(validateTemplate(await stageTemplate(), spec)).toEqual([]);
  });

  it('hold the stage bucket with EventBridge on, on-demand and Spot GPU capacity, queues and both job definitions', async () => {
    const { Resources = {} } = await stageTemplate();
    const props = (name: string) => Resources[name]?.Properties as Json;
    expect(props('StageBucket').NotificationConfiguration.EventBridgeConfiguration.EventBridgeEnabled).toBe(
      true,
    );
    expect(props('OnDemandGpuEnvironment').ComputeResources.Type).toBe('EC2');
    expect(props('SpotGpuEnvironment').ComputeResources.Type).toBe('SPOT');
    expect(props('StageJobQueue').ComputeEnvironmentOrder).toEqual([
      { Order: 1, ComputeEnvironment: { Ref: 'OnDemandGpuEnvironment' } },
    ]);
    expect(props('StageJobDefinition').Type).toBe('container');
    expect(props('StageJobDefinition').ContainerProperties.ResourceRequirements).toContainEqual({
      Type: 'GPU',
      Value: '1',
    });
    const mnp = props('StageMultiNodeJobDefinition');
    expect(mnp.Type).toBe('multinode');
    expect(mnp.NodeProperties.NodeRangeProperties[0].Container.ResourceRequirements).toContainEqual({
      Type: 'GPU',
      Value: '4',
    });
  });

  it('grant least privilege: the trigger writes only claims and errors, the trainers only under stages/', async () => {
    const { Resources = {} } = await stageTemplate();
    const statements = (role: string) =>
      (Resources[role] as Json).Properties.Policies.flatMap(
        (p: Json) => p.PolicyDocument.Statement,
      ) as Array<{
        Action: string | string[];
        Resource: unknown;
      }>;
    const actions = (s: { Action: string | string[] }) => [s.Action].flat();
    for (const role of ['StageTriggerRole', 'TrainerJobRole']) {
      for (const s of statements(role)) for (const a of actions(s)) expect(a).not.toMatch(/\*$/);
    }
    const triggerWrites = statements('StageTriggerRole').filter((s) => actions(s).includes('s3:PutObject'));
    expect(JSON.stringify(triggerWrites.map((s) => s.Resource))).toBe(
      JSON.stringify([
        [
          { 'Fn::Sub': '${StageBucket.Arn}/runs/*/stages/*/status.json' },
          { 'Fn::Sub': '${StageBucket.Arn}/runs/*/error.json' },
        ],
      ]),
    );
    const trainerWrites = statements('TrainerJobRole').filter((s) => actions(s).includes('s3:PutObject'));
    expect(trainerWrites.map((s) => s.Resource)).toEqual([
      { 'Fn::Sub': '${StageBucket.Arn}/runs/*/stages/*' },
    ]);
    const batchResources = statements('StageTriggerRole').find((s) =>
      actions(s).includes('batch:SubmitJob'),
    )?.Resource;
    expect(batchResources).not.toContain('*');
  });
});
