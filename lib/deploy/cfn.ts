/**
 * The slice of CloudFormation's template format the stack generator writes: plain JSON values plus the three
 * intrinsic functions it needs. Kept free of any SDK or serverless import so the generator stays pure.
 */

export type CfnValue = string | number | boolean | CfnValue[] | { [key: string]: CfnValue };

export interface CfnResource {
  Type: string;
  Properties: Record<string, CfnValue>;
  DependsOn?: string[];
  DeletionPolicy?: RetentionPolicy;
  UpdateReplacePolicy?: RetentionPolicy;
}

/** What CloudFormation does with a resource's physical resource when the stack deletes or replaces it. */
export type RetentionPolicy = 'Delete' | 'Retain';

export type CfnResources = Record<string, CfnResource>;

export interface CfnOutput {
  Description: string;
  Value: CfnValue;
}

export type CfnOutputs = Record<string, CfnOutput>;

/** `{ Ref }`: a resource's primary identifier (a name, an ARN or a URL, depending on the type). */
export function ref(logicalId: string): { Ref: string } {
  return { Ref: logicalId };
}

/** `{ Fn::GetAtt }`: an attribute of a resource, e.g. a queue's `Arn`. */
export function getAtt(logicalId: string, attribute: string): { 'Fn::GetAtt': [string, string] } {
  return { 'Fn::GetAtt': [logicalId, attribute] };
}

/**
 * `{ Fn::Sub }`: for ARNs of resources the stack does not own, built from a name and the partition, region
 * and account the stack is deployed to (`${AWS::Partition}` and friends).
 */
export function sub(template: string): { 'Fn::Sub': string } {
  return { 'Fn::Sub': template };
}

/** ARN of a resource in the stack's own partition, region and account (`service`, then the resource part). */
export function localArn(service: string, resource: string): { 'Fn::Sub': string } {
  return sub(`arn:\${AWS::Partition}:${service}:\${AWS::Region}:\${AWS::AccountId}:${resource}`);
}

/**
 * The serverless framework's normalization of a name into a logical-id part (`my-target` → `MyDashtarget`),
 * so ids computed here match the ones osls gives the functions and log groups it generates.
 */
export function normalizedName(name: string): string {
  const text = name.replace(/-/g, 'Dash').replace(/_/g, 'Underscore');
  return text ? `${text[0]!.toUpperCase()}${text.slice(1)}` : '';
}
