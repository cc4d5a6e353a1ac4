/**
 * CloudFormation already orders a resource after every resource its properties reference (`Ref`,
 * `Fn::GetAtt`, `Fn::Sub`), so a `DependsOn` naming one of them says nothing more. osls writes such entries
 * (each function `DependsOn` its role beside `Role: Fn::GetAtt [role, Arn]`); cfn-lint reports them (W3005), and
 * moto, which validates templates with cfn-lint, refuses to deploy a template with any finding.
 */

/** A template resource as far as this module looks at it. */
export interface TemplateResourceShape {
  Properties?: unknown;
  DependsOn?: string | string[];
}

/** `${Name}` or `${Name.Attribute}` in a `Fn::Sub` string; `${!Literal}` is an escaped literal. */
const SUB_REFERENCE = /\$\{([^!}][^}]*)\}/g;

/** Logical ids (and pseudo parameters) that a value references through `Ref`, `Fn::GetAtt` or `Fn::Sub`. */
export function referencedIds(value: unknown, into: Set<string> = new Set()): Set<string> {
  if (Array.isArray(value)) {
    for (const item of value) referencedIds(item, into);
    return into;
  }
  if (value === null || typeof value !== 'object') return into;
  for (const [key, inner] of Object.entries(value)) {
    if (key === 'Ref' && typeof inner === 'string') into.add(inner);
    else if (key === 'Fn::GetAtt') addGetAtt(inner, into);
    else if (key === 'Fn::Sub') addSub(inner, into);
    else referencedIds(inner, into);
  }
  return into;
}

function addGetAtt(value: unknown, into: Set<string>): void {
  if (typeof value === 'string') into.add(value.split('.')[0] ?? value);
  else if (Array.isArray(value) && typeof value[0] === 'string') into.add(value[0]);
  else referencedIds(value, into);
}

function addSub(value: unknown, into: Set<string>): void {
  const [text, variables] = Array.isArray(value) ? value : [value, undefined];
  // Names defined in the variables map are local to this Sub, not resources.
  const local = variables && typeof variables === 'object' ? Object.keys(variables) : [];
  if (typeof text === 'string') {
    for (const match of text.matchAll(SUB_REFERENCE)) {
      const name = (match[1] ?? '').split('.')[0] ?? '';
      if (!local.includes(name)) into.add(name);
    }
  }
  if (variables) referencedIds(variables, into);
}

/**
 * Removes from each resource's `DependsOn` the ids its properties already reference; a `DependsOn` left empty
 * is removed. Changes the resources in place (osls's compiled template) and returns the entries it removed, as
 * `<resource> -> <dependency>`.
 */
export function dropImpliedDependsOn(resources: Record<string, TemplateResourceShape>): string[] {
  const dropped: string[] = [];
  for (const [id, resource] of Object.entries(resources)) {
    if (resource.DependsOn === undefined) continue;
    const implied = referencedIds(resource.Properties);
    const listed = Array.isArray(resource.DependsOn) ? resource.DependsOn : [resource.DependsOn];
    const kept = listed.filter((dependency) => !implied.has(dependency));
    for (const dependency of listed) if (implied.has(dependency)) dropped.push(`${id} -> ${dependency}`);
    if (kept.length === 0) delete resource.DependsOn;
    else resource.DependsOn = kept;
  }
  return dropped;
}
