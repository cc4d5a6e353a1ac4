/**
 * Checks a CloudFormation template against CloudFormation's published resource schemas, as compiled into the
 * AWS CDK's service spec database (`@aws-cdk/aws-service-spec`): resource types, property names, required
 * properties, value types down to nested property types, `Ref`/`Fn::GetAtt`/`Fn::Sub` targets and attribute
 * names. A typo in a property name or a string where CloudFormation wants an integer fails here, not in a deploy.
 */
import { loadAwsServiceSpec } from '@aws-cdk/aws-service-spec';

/** The parts of the spec database's types this checker reads. */
type PropertyType =
  | { type: 'string' | 'number' | 'integer' | 'boolean' | 'json' | 'date-time' | 'null' | 'tag' }
  | { type: 'ref'; reference: { $ref: string } }
  | { type: 'array' | 'map'; element: PropertyType }
  | { type: 'union'; types: PropertyType[] };
interface Property {
  type: PropertyType;
  previousTypes?: PropertyType[];
  required?: boolean;
}
interface Shape {
  properties: Record<string, Property>;
}
interface ResourceSpec extends Shape {
  cloudFormationType: string;
  attributes: Record<string, unknown>;
}

export interface CfnSpec {
  resource(type: string): ResourceSpec | undefined;
  typeDefinition(id: string): Shape;
}

export async function loadCfnSpec(): Promise<CfnSpec> {
  const db = await loadAwsServiceSpec();
  return {
    resource: (type) =>
      db.lookup('resource', 'cloudFormationType', 'equals', type)[0] as unknown as ResourceSpec | undefined,
    typeDefinition: (id) => db.get('typeDefinition', id) as unknown as Shape,
  };
}

interface Template {
  Resources: Record<string, { Type: string; Properties?: Record<string, unknown>; DependsOn?: string[] }>;
  Outputs?: Record<string, { Value: unknown }>;
}

const PSEUDO_PARAMETERS = new Set([
  'AWS::AccountId',
  'AWS::NotificationARNs',
  'AWS::NoValue',
  'AWS::Partition',
  'AWS::Region',
  'AWS::StackId',
  'AWS::StackName',
  'AWS::URLSuffix',
]);

/** Every problem of the template, as `path: what is wrong`; empty when the template conforms. */
export function checkTemplate(spec: CfnSpec, template: Template): string[] {
  const ids = new Set(Object.keys(template.Resources));

  /** An intrinsic function stands for a value of any type: check what it points at instead. */
  const intrinsic = (value: unknown, path: string, out: string[]): boolean => {
    if (value === null || typeof value !== 'object' || Array.isArray(value)) return false;
    const keys = Object.keys(value);
    const key = keys[0];
    if (keys.length !== 1 || !key || (key !== 'Ref' && !key.startsWith('Fn::'))) return false;
    const arg = (value as Record<string, unknown>)[key];
    if (key === 'Ref' && (typeof arg !== 'string' || (!ids.has(arg) && !PSEUDO_PARAMETERS.has(arg)))) {
      out.push(`${path}: Ref to unknown resource ${JSON.stringify(arg)}`);
    }
    if (key === 'Fn::GetAtt') {
      const [id, attribute] = Array.isArray(arg) ? arg : String(arg).split('.');
      const target = template.Resources[String(id)];
      const attributes = target && spec.resource(target.Type)?.attributes;
      if (!target) out.push(`${path}: Fn::GetAtt of unknown resource ${JSON.stringify(id)}`);
      else if (attributes && !(String(attribute) in attributes)) {
        out.push(`${path}: ${target.Type} has no attribute ${JSON.stringify(attribute)}`);
      }
    }
    if (key === 'Fn::Sub' && typeof arg === 'string') {
      for (const [, name = ''] of arg.matchAll(/\$\{([^}!]+)\}/g)) {
        if (!ids.has(name.split('.')[0]!) && !PSEUDO_PARAMETERS.has(name)) {
          out.push(`${path}: Fn::Sub refers to unknown ${JSON.stringify(name)}`);
        }
      }
    }
    return true;
  };

  const isObject = (value: unknown): value is Record<string, unknown> =>
    value !== null && typeof value === 'object' && !Array.isArray(value);

  /** Checks `value` against `type`, pushing each problem to `out`. */
  const check = (type: PropertyType, value: unknown, path: string, out: string[]): void => {
    if (intrinsic(value, path, out)) return;
    const fail = (expected: string): void => {
      out.push(`${path}: expected ${expected}, got ${JSON.stringify(value)}`);
    };
    switch (type.type) {
      case 'string':
      case 'date-time':
        if (typeof value !== 'string') fail('a string');
        return;
      case 'integer':
        if (!Number.isInteger(value)) fail('an integer');
        return;
      case 'number':
        if (typeof value !== 'number') fail('a number');
        return;
      case 'boolean':
        if (typeof value !== 'boolean') fail('a boolean');
        return;
      case 'json':
        return;
      case 'null':
        if (value !== null) fail('null');
        return;
      case 'tag':
        checkShape({ properties: TAG_PROPERTIES }, value, path, out);
        return;
      case 'ref':
        checkShape(spec.typeDefinition(type.reference.$ref), value, path, out);
        return;
      case 'array':
        if (!Array.isArray(value)) {
          fail('a list');
          return;
        }
        value.forEach((element, i) => {
          check(type.element, element, `${path}[${i}]`, out);
        });
        return;
      case 'map':
        if (!isObject(value)) {
          fail('a map');
          return;
        }
        for (const [k, v] of Object.entries(value)) check(type.element, v, `${path}.${k}`, out);
        return;
      case 'union': {
        // `json` beside a typed form is an escape hatch: a list or an object must fit the typed form.
        const typed = type.types.filter((t) => t.type !== 'json' && shapeOfType(t) === shapeOfValue(value));
        const candidates = typed.length > 0 ? typed : type.types;
        if (candidates.length === 1) {
          check(candidates[0]!, value, path, out);
        } else if (!candidates.some((alternative) => fits(alternative, value, path))) {
          fail(candidates.map((t) => t.type).join(' or '));
        }
        return;
      }
    }
  };

  const fits = (type: PropertyType, value: unknown, path: string): boolean => {
    const probe: string[] = [];
    check(type, value, path, probe);
    return probe.length === 0;
  };

  /** An object against a property shape: no unknown keys, required keys present, values of their types. */
  const checkShape = (shape: Shape, value: unknown, path: string, out: string[]): void => {
    if (!isObject(value)) {
      out.push(`${path}: expected an object, got ${JSON.stringify(value)}`);
      return;
    }
    for (const [name, property] of Object.entries(shape.properties)) {
      if (property.required && !(name in value)) out.push(`${path}: required property ${name} is missing`);
    }
    for (const [name, v] of Object.entries(value)) {
      const property = shape.properties[name];
      if (!property) {
        out.push(`${path}.${name}: unknown property (known: ${Object.keys(shape.properties).join(', ')})`);
        continue;
      }
      // CloudFormation still accepts a property's earlier types.
      const earlier = property.previousTypes ?? [];
      if (!earlier.some((t) => fits(t, v, `${path}.${name}`)))
        check(property.type, v, `${path}.${name}`, out);
    }
  };

  const problems: string[] = [];
  for (const [id, resource] of Object.entries(template.Resources)) {
    const path = `Resources.${id}`;
    const resourceSpec = spec.resource(resource.Type);
    if (!resourceSpec) {
      problems.push(`${path}: unknown resource type ${resource.Type}`);
      continue;
    }
    for (const dependency of resource.DependsOn ?? []) {
      if (!ids.has(dependency)) problems.push(`${path}.DependsOn: unknown resource ${dependency}`);
    }
    checkShape(resourceSpec, resource.Properties ?? {}, `${path}.Properties`, problems);
  }
  for (const [id, output] of Object.entries(template.Outputs ?? {})) {
    intrinsic(output.Value, `Outputs.${id}.Value`, problems);
  }
  return problems;
}

type Shape3 = 'list' | 'object' | 'scalar' | 'any';

function shapeOfType(type: PropertyType): Shape3 {
  if (type.type === 'array') return 'list';
  if (type.type === 'ref' || type.type === 'map' || type.type === 'tag') return 'object';
  return type.type === 'json' || type.type === 'union' ? 'any' : 'scalar';
}

function shapeOfValue(value: unknown): Shape3 {
  if (Array.isArray(value)) return 'list';
  return value !== null && typeof value === 'object' ? 'object' : 'scalar';
}

const TAG_PROPERTIES: Record<string, Property> = {
  Key: { type: { type: 'string' }, required: true },
  Value: { type: { type: 'string' }, required: true },
};
