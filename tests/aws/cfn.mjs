// SPDX-License-Identifier: MIT
// Reads a CloudFormation template as CloudFormation does: YAML with the short-form intrinsic
// tags (!Ref, !GetAtt, !Sub, ...) turned into their long forms; and lists references that point
// nowhere.
import { parse } from 'yaml';

const FUNCTIONS = ['Base64', 'Cidr', 'FindInMap', 'GetAZs', 'ImportValue', 'Join', 'Select', 'Split', 'Sub', 'Transform',
  'And', 'Equals', 'If', 'Not', 'Or'];
const tag = (name, resolveAs) => ['scalar', 'seq', 'map'].map((collection) => ({
  tag: `!${name}`,
  collection: collection === 'scalar' ? undefined : collection,
  resolve: (value) => resolveAs(collection === 'scalar' ? value : value.toJSON()),
}));

export const customTags = [
  ...tag('Ref', (v) => ({ Ref: v })),
  ...tag('Condition', (v) => ({ Condition: v })),
  // !GetAtt A.B (scalar) or [A, B]
  ...tag('GetAtt', (v) => ({ 'Fn::GetAtt': typeof v === 'string' ? [v.slice(0, v.indexOf('.')), v.slice(v.indexOf('.') + 1)] : v })),
  ...FUNCTIONS.flatMap((name) => tag(name, (v) => ({ [`Fn::${name}`]: v }))),
].map((t) => (t.collection ? t : { tag: t.tag, resolve: t.resolve }));

export const parseTemplate = (text) => parse(text, { customTags });

const PSEUDO = new Set(['AWS::AccountId', 'AWS::NotificationARNs', 'AWS::NoValue', 'AWS::Partition', 'AWS::Region',
  'AWS::StackId', 'AWS::StackName', 'AWS::URLSuffix']);

/** Every Ref, GetAtt and Sub variable that names neither a parameter, a resource nor a pseudo parameter. */
export function danglingReferences(template) {
  const names = new Set([...Object.keys(template.Parameters ?? {}), ...Object.keys(template.Resources ?? {}), ...PSEUDO]);
  const resources = new Set(Object.keys(template.Resources ?? {}));
  const problems = [];
  const seen = { Ref: 0, GetAtt: 0, Sub: 0 };
  const visit = (node, where) => {
    if (Array.isArray(node)) return node.forEach((n, i) => visit(n, `${where}[${i}]`));
    if (!node || typeof node !== 'object') return;
    for (const [key, value] of Object.entries(node)) {
      if (key === 'Ref') {
        seen.Ref++;
        if (!names.has(value)) problems.push(`${where}: !Ref ${value} names nothing`);
      } else if (key === 'Fn::GetAtt') {
        seen.GetAtt++;
        if (!resources.has(value[0])) problems.push(`${where}: !GetAtt ${value.join('.')} names no resource`);
      } else if (key === 'Fn::Sub') {
        seen.Sub++;
        const [text, vars = {}] = Array.isArray(value) ? value : [value];
        for (const [, ref] of String(text).matchAll(/\$\{([^!}][^}]*)\}/g)) {
          const base = ref.includes('.') && !ref.startsWith('AWS::') ? ref.slice(0, ref.indexOf('.')) : ref;
          if (!(ref in vars) && !names.has(base)) problems.push(`${where}: \${${ref}} in !Sub names nothing`);
          if (ref.includes('.') && !ref.startsWith('AWS::') && !resources.has(base)) problems.push(`${where}: \${${ref}} is not an attribute of a resource`);
        }
        visit(vars, `${where}.Sub`);
        continue;
      }
      visit(value, `${where}.${key}`);
    }
  };
  visit(template.Resources, 'Resources');
  visit(template.Outputs, 'Outputs');
  return { problems, seen };
}
