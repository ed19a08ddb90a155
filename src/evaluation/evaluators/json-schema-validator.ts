/*
 * A focused JSON Schema validator: the keywords answers are checked with in practice (types, enum/const,
 * object properties, arrays, string and number bounds, allOf/anyOf/oneOf/not, local $ref). A schema that
 * uses any other assertion keyword is refused when the evaluator is made, never silently passed.
 */

export interface SchemaProblem {
  /** JSON Pointer of the offending value, "" for the root. */
  readonly path: string;
  readonly message: string;
}

type Schema = boolean | { readonly [keyword: string]: unknown };

const ASSERTIONS = new Set([
  'type', 'enum', 'const', 'properties', 'required', 'additionalProperties', 'patternProperties', 'minProperties', 'maxProperties',
  'items', 'prefixItems', 'minItems', 'maxItems', 'uniqueItems', 'minLength', 'maxLength', 'pattern',
  'minimum', 'maximum', 'exclusiveMinimum', 'exclusiveMaximum', 'multipleOf', 'allOf', 'anyOf', 'oneOf', 'not', '$ref',
]);
const ANNOTATIONS = new Set(['$schema', '$id', '$comment', '$defs', 'definitions', 'title', 'description', 'default', 'examples', 'format', 'readOnly', 'writeOnly', 'deprecated']);
const SUBSCHEMA_MAPS = ['properties', 'patternProperties', '$defs', 'definitions'];
const SUBSCHEMA_LISTS = ['allOf', 'anyOf', 'oneOf', 'prefixItems'];
const SUBSCHEMAS = ['additionalProperties', 'items', 'not'];

const isObject = (value: unknown): value is Record<string, unknown> => typeof value === 'object' && value !== null && !Array.isArray(value);

/** Keywords in the schema (at any depth) this validator does not implement, as "path: keyword". */
export function unsupportedKeywords(schema: unknown, path = '#'): string[] {
  if (typeof schema === 'boolean') return [];
  if (!isObject(schema)) return [`${path}: not a schema`];
  const found: string[] = [];
  for (const [keyword, value] of Object.entries(schema)) {
    if (!ASSERTIONS.has(keyword) && !ANNOTATIONS.has(keyword)) found.push(`${path}: ${keyword}`);
    if (SUBSCHEMA_MAPS.includes(keyword) && isObject(value)) for (const [name, sub] of Object.entries(value)) found.push(...unsupportedKeywords(sub, `${path}/${keyword}/${name}`));
    if (SUBSCHEMA_LISTS.includes(keyword) && Array.isArray(value)) value.forEach((sub, index) => found.push(...unsupportedKeywords(sub, `${path}/${keyword}/${index}`)));
    if (SUBSCHEMAS.includes(keyword)) {
      if (Array.isArray(value)) value.forEach((sub, index) => found.push(...unsupportedKeywords(sub, `${path}/${keyword}/${index}`)));
      else found.push(...unsupportedKeywords(value, `${path}/${keyword}`));
    }
    if (keyword === '$ref' && (typeof value !== 'string' || !value.startsWith('#'))) found.push(`${path}: $ref ${JSON.stringify(value)} (only local references "#/…" are followed)`);
    for (const source of keyword === 'pattern' ? [value] : keyword === 'patternProperties' && isObject(value) ? Object.keys(value) : []) {
      try {
        new RegExp(String(source), 'u');
      } catch {
        found.push(`${path}: ${keyword} ${JSON.stringify(source)} is not a valid regular expression`);
      }
    }
  }
  return found;
}

function typeOf(value: unknown): string {
  if (value === null) return 'null';
  if (Array.isArray(value)) return 'array';
  return typeof value;
}

function hasType(value: unknown, type: string): boolean {
  switch (type) {
    case 'integer':
      return typeof value === 'number' && Number.isInteger(value);
    case 'number':
      return typeof value === 'number' && Number.isFinite(value);
    default:
      return typeOf(value) === type;
  }
}

/** Structural equality of JSON values (for enum, const, uniqueItems). */
export function jsonEqual(a: unknown, b: unknown): boolean {
  if (a === b) return true;
  if (Array.isArray(a) && Array.isArray(b)) return a.length === b.length && a.every((item, index) => jsonEqual(item, b[index]));
  if (isObject(a) && isObject(b)) {
    const keys = Object.keys(a);
    return keys.length === Object.keys(b).length && keys.every((key) => Object.hasOwn(b, key) && jsonEqual(a[key], b[key]));
  }
  return false;
}

const pointer = (path: string, key: string | number): string => `${path}/${String(key).replace(/~/g, '~0').replace(/\//g, '~1')}`;

function resolveRef(root: Schema, ref: string): Schema {
  if (ref === '#') return root;
  let node: unknown = root;
  for (const part of ref.replace(/^#\/?/, '').split('/')) {
    const key = decodeURIComponent(part).replace(/~1/g, '/').replace(/~0/g, '~');
    node = isObject(node) ? node[key] : undefined;
  }
  if (typeof node !== 'boolean' && !isObject(node)) throw new Error(`$ref ${ref} points at nothing`);
  return node as Schema;
}

/** Every problem of `value` against `schema` (empty when it validates). */
export function validateJsonSchema(schema: Schema, value: unknown, root: Schema = schema, path = '', depth = 0): SchemaProblem[] {
  if (depth > 64) return [{ path, message: 'schema nests $ref too deeply' }];
  if (schema === true) return [];
  if (schema === false) return [{ path, message: 'no value is allowed here' }];
  const problems: SchemaProblem[] = [];
  const at = (message: string, where = path) => problems.push({ path: where, message });
  const sub = (child: unknown, childValue: unknown, childPath: string) => validateJsonSchema(child as Schema, childValue, root, childPath, depth + 1);

  if (typeof schema.$ref === 'string') problems.push(...validateJsonSchema(resolveRef(root, schema.$ref), value, root, path, depth + 1));
  if (schema.type !== undefined) {
    const types = Array.isArray(schema.type) ? (schema.type as string[]) : [schema.type as string];
    if (!types.some((type) => hasType(value, type))) return [...problems, { path, message: `expected ${types.join(' or ')}, got ${typeOf(value)}` }];
  }
  if (Array.isArray(schema.enum) && !schema.enum.some((option) => jsonEqual(option, value))) at(`must be one of ${JSON.stringify(schema.enum)}`);
  if ('const' in schema && !jsonEqual(schema.const, value)) at(`must be ${JSON.stringify(schema.const)}`);

  if (typeof value === 'number') {
    const n = (keyword: string) => (typeof schema[keyword] === 'number' ? (schema[keyword] as number) : undefined);
    const min = n('minimum'), max = n('maximum'), exMin = n('exclusiveMinimum'), exMax = n('exclusiveMaximum'), step = n('multipleOf');
    if (min !== undefined && value < min) at(`must be ≥ ${min}`);
    if (max !== undefined && value > max) at(`must be ≤ ${max}`);
    if (exMin !== undefined && value <= exMin) at(`must be > ${exMin}`);
    if (exMax !== undefined && value >= exMax) at(`must be < ${exMax}`);
    if (step !== undefined && step > 0 && Math.abs(value / step - Math.round(value / step)) > 1e-9) at(`must be a multiple of ${step}`);
  }
  if (typeof value === 'string') {
    const length = Array.from(value).length;
    if (typeof schema.minLength === 'number' && length < schema.minLength) at(`must have at least ${schema.minLength} characters`);
    if (typeof schema.maxLength === 'number' && length > schema.maxLength) at(`must have at most ${schema.maxLength} characters`);
    if (typeof schema.pattern === 'string' && !new RegExp(schema.pattern, 'u').test(value)) at(`must match /${schema.pattern}/`);
  }
  if (Array.isArray(value)) {
    if (typeof schema.minItems === 'number' && value.length < schema.minItems) at(`must have at least ${schema.minItems} items`);
    if (typeof schema.maxItems === 'number' && value.length > schema.maxItems) at(`must have at most ${schema.maxItems} items`);
    if (schema.uniqueItems === true && value.some((item, index) => value.findIndex((other) => jsonEqual(other, item)) !== index)) at('items must be unique');
    // Draft 2020-12 `prefixItems`, and the older tuple form `items: [...]`.
    const prefix = Array.isArray(schema.prefixItems) ? schema.prefixItems : Array.isArray(schema.items) ? schema.items : [];
    prefix.forEach((child, index) => {
      if (index < value.length) problems.push(...sub(child, value[index], pointer(path, index)));
    });
    if (schema.items !== undefined && !Array.isArray(schema.items)) {
      for (let index = prefix.length; index < value.length; index += 1) problems.push(...sub(schema.items, value[index], pointer(path, index)));
    }
  }
  if (isObject(value)) {
    const keys = Object.keys(value);
    if (typeof schema.minProperties === 'number' && keys.length < schema.minProperties) at(`must have at least ${schema.minProperties} properties`);
    if (typeof schema.maxProperties === 'number' && keys.length > schema.maxProperties) at(`must have at most ${schema.maxProperties} properties`);
    if (Array.isArray(schema.required)) for (const name of schema.required as string[]) if (!Object.hasOwn(value, name)) at(`missing required property "${name}"`);
    const properties = isObject(schema.properties) ? schema.properties : {};
    const patterns = isObject(schema.patternProperties) ? Object.entries(schema.patternProperties).map(([source, child]) => [new RegExp(source, 'u'), child] as const) : [];
    for (const key of keys) {
      let matched = false;
      if (Object.hasOwn(properties, key)) {
        matched = true;
        problems.push(...sub(properties[key], value[key], pointer(path, key)));
      }
      for (const [regex, child] of patterns) {
        if (!regex.test(key)) continue;
        matched = true;
        problems.push(...sub(child, value[key], pointer(path, key)));
      }
      if (!matched && schema.additionalProperties !== undefined) {
        if (schema.additionalProperties === false) at(`unexpected property "${key}"`, pointer(path, key));
        else problems.push(...sub(schema.additionalProperties, value[key], pointer(path, key)));
      }
    }
  }
  if (Array.isArray(schema.allOf)) for (const child of schema.allOf) problems.push(...sub(child, value, path));
  if (Array.isArray(schema.anyOf) && !schema.anyOf.some((child) => sub(child, value, path).length === 0)) at('matches none of anyOf');
  if (Array.isArray(schema.oneOf)) {
    const matches = schema.oneOf.filter((child) => sub(child, value, path).length === 0).length;
    if (matches !== 1) at(`must match exactly one of oneOf, matches ${matches}`);
  }
  if (schema.not !== undefined && sub(schema.not, value, path).length === 0) at('must not match the "not" schema');
  return problems;
}
