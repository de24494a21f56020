// Offline CloudFormation check, on the CDK's resource database (@aws-cdk/aws-service-spec): resource
// types exist; property names (recursively), required properties, scalar types and enumerated values
// match the spec; Ref, Fn::GetAtt, Fn::Sub and DependsOn point at things the template defines.
//
//   npm run check:cfn      # bundles, runs `osls package`, then checks the template it wrote
//   node scripts/validate-cfn.ts .serverless/cloudformation-template-update-stack.json
import { readFile } from 'node:fs/promises';
import { loadAwsServiceSpec } from '@aws-cdk/aws-service-spec';

type PropertyType =
  | { type: 'string'; allowedValues?: string[] }
  | { type: 'integer'; allowedValues?: number[] }
  | { type: 'number' | 'boolean' | 'json' | 'date-time' | 'null' | 'tag' }
  | { type: 'ref'; reference: { $ref: string } }
  | { type: 'array' | 'map'; element: PropertyType }
  | { type: 'union'; types: PropertyType[] };
type Properties = Record<string, { required?: boolean; type: PropertyType }>;
interface ResourceSpec {
  properties: Properties;
  attributes: Record<string, unknown>;
}

/** The two questions the checker asks of the spec database. */
export interface Spec {
  resource(cloudFormationType: string): ResourceSpec | undefined;
  typeDefinition(ref: string): { name: string; properties: Properties };
}

export async function loadSpec(): Promise<Spec> {
  const db = (await loadAwsServiceSpec()) as unknown as {
    lookup(entity: 'resource', key: 'cloudFormationType', op: 'equals', value: string): ResourceSpec[];
    get(entity: 'typeDefinition', ref: string): { name: string; properties: Properties };
  };
  return {
    resource: (type) => db.lookup('resource', 'cloudFormationType', 'equals', type)[0],
    typeDefinition: (ref) => db.get('typeDefinition', ref),
  };
}

export interface Template {
  Parameters?: Record<string, unknown>;
  Conditions?: Record<string, unknown>;
  Resources?: Record<string, { Type: string; Properties?: unknown; DependsOn?: string | string[] }>;
  Outputs?: Record<string, unknown>;
}

const PSEUDO = new Set([
  'AWS::AccountId',
  'AWS::NotificationARNs',
  'AWS::NoValue',
  'AWS::Partition',
  'AWS::Region',
  'AWS::StackId',
  'AWS::StackName',
  'AWS::URLSuffix',
]);

type Obj = Record<string, unknown>;
const isObject = (v: unknown): v is Obj => typeof v === 'object' && v !== null && !Array.isArray(v);
/** `{Ref: ...}` or `{"Fn::...": ...}`: its value is only known at deploy time. */
const isIntrinsic = (v: unknown) =>
  isObject(v) && Object.keys(v).length === 1 && /^(Ref|Fn::\w+|Condition)$/.test(Object.keys(v)[0] as string);

export function validateTemplate(template: Template, spec: Spec): string[] {
  const problems: string[] = [];
  const resources = template.Resources ?? {};
  const names = new Set([...Object.keys(resources), ...Object.keys(template.Parameters ?? {})]);

  function checkAttribute(path: string, resource: string, attribute: string): void {
    const target = resources[resource];
    if (!target) {
      problems.push(`${path}: GetAtt of unknown resource '${resource}'`);
      return;
    }
    const attributes = spec.resource(target.Type)?.attributes;
    if (attributes && !(attribute in attributes)) {
      problems.push(
        `${path}: ${target.Type} has no attribute '${attribute}' (has ${Object.keys(attributes).join(', ')})`,
      );
    }
  }

  function checkSub(path: string, value: unknown): void {
    const [text, vars] = Array.isArray(value) ? [value[0], value[1]] : [value, undefined];
    const local = new Set(Object.keys(isObject(vars) ? vars : {}));
    for (const [, ref] of String(text).matchAll(/\$\{([^!}][^}]*)\}/g)) {
      const name = ref as string;
      if (PSEUDO.has(name) || local.has(name) || names.has(name)) continue;
      const dot = name.indexOf('.');
      if (dot > 0 && resources[name.slice(0, dot)])
        checkAttribute(path, name.slice(0, dot), name.slice(dot + 1));
      else problems.push(`${path}: Sub references unknown '${name}'`);
    }
  }

  function checkIntrinsics(value: unknown, path: string): void {
    if (Array.isArray(value)) {
      for (const [i, v] of value.entries()) checkIntrinsics(v, `${path}[${i}]`);
      return;
    }
    if (!isObject(value)) return;
    for (const [key, v] of Object.entries(value)) {
      if (key === 'Ref' && typeof v === 'string' && !names.has(v) && !PSEUDO.has(v)) {
        problems.push(`${path}: Ref to unknown '${v}'`);
      } else if (key === 'Fn::GetAtt') {
        const [resource, attribute] = Array.isArray(v) ? v : String(v).split(/\.(.*)/);
        if (typeof attribute === 'string') checkAttribute(path, String(resource), attribute);
      } else if (key === 'Fn::Sub') {
        checkSub(path, v);
      }
      checkIntrinsics(v, `${path}.${key}`);
    }
  }

  function checkValue(type: PropertyType, value: unknown, path: string): void {
    if (isIntrinsic(value)) return;
    switch (type.type) {
      case 'ref': {
        const definition = spec.typeDefinition(type.reference.$ref);
        checkProperties(definition.properties, value, path, definition.name);
        return;
      }
      case 'array':
        if (!Array.isArray(value)) {
          problems.push(`${path}: expected a list`);
          return;
        }
        for (const [i, v] of value.entries()) checkValue(type.element, v, `${path}[${i}]`);
        return;
      case 'map':
        if (!isObject(value)) {
          problems.push(`${path}: expected a map`);
          return;
        }
        for (const [k, v] of Object.entries(value)) checkValue(type.element, v, `${path}.${k}`);
        return;
      case 'string':
        if (typeof value === 'object') {
          problems.push(`${path}: expected a string`);
          return;
        }
        if (type.allowedValues && !type.allowedValues.includes(String(value))) {
          problems.push(`${path}: '${value}' is not one of ${type.allowedValues.join(', ')}`);
        }
        return;
      case 'integer':
      case 'number':
        if (typeof value === 'object' || Number.isNaN(Number(value)))
          problems.push(`${path}: expected a number`);
        return;
      case 'boolean':
        if (typeof value === 'object' || !/^(true|false)$/i.test(String(value)))
          problems.push(`${path}: expected a boolean`);
        return;
      default:
        return; // json, tags, unions, dates: not checked further
    }
  }

  function checkProperties(properties: Properties, value: unknown, path: string, typeName: string): void {
    if (isIntrinsic(value)) return;
    if (!isObject(value)) {
      problems.push(`${path}: expected an object (${typeName})`);
      return;
    }
    for (const [key, v] of Object.entries(value)) {
      const property = properties[key];
      if (property) checkValue(property.type, v, `${path}.${key}`);
      else problems.push(`${path}: unknown property '${key}' for ${typeName}`);
    }
    for (const [key, property] of Object.entries(properties)) {
      if (property.required && !(key in value))
        problems.push(`${path}: missing required '${key}' of ${typeName}`);
    }
  }

  for (const [name, resource] of Object.entries(resources)) {
    const resourceSpec = spec.resource(resource.Type);
    if (!resourceSpec) {
      if (!resource.Type.startsWith('Custom::'))
        problems.push(`${name}: unknown resource type ${resource.Type}`);
      continue;
    }
    checkProperties(resourceSpec.properties, resource.Properties ?? {}, `${name}.Properties`, resource.Type);
    for (const dependency of [resource.DependsOn ?? []].flat()) {
      if (!resources[dependency]) problems.push(`${name}: DependsOn unknown '${dependency}'`);
    }
  }
  checkIntrinsics(template.Resources, 'Resources');
  checkIntrinsics(template.Outputs, 'Outputs');
  return problems;
}

if (import.meta.main) {
  const file = process.argv[2];
  if (!file) {
    console.error('usage: node scripts/validate-cfn.ts <cloudformation template .json>');
    process.exit(2);
  }
  const template = JSON.parse(await readFile(file, 'utf8')) as Template;
  const problems = validateTemplate(template, await loadSpec());
  console.log(
    `${file}: ${Object.keys(template.Resources ?? {}).length} resources checked, ${problems.length} problem(s)`,
  );
  for (const problem of problems) console.log(`  - ${problem}`);
  process.exitCode = problems.length > 0 ? 1 : 0;
}
