import { FlockDefinitionSchema, parseFlockDefinition, type FlockDefinition } from '@flock-ts/config';

import { flockSuperjson } from './superjson';

/**
 * The parts of a zod 4 schema this file reads (`schema._zod.def`, zod's
 * introspection surface). Kinds it does not know are left as they are, so
 * a schema change can only make the result less compact, never wrong.
 */
interface SchemaNode {
  _zod: { def: SchemaDef };
  safeParse?: (value: unknown) => { success: boolean };
}

interface SchemaDef {
  type: string;
  innerType?: SchemaNode;
  defaultValue?: unknown;
  shape?: Record<string, SchemaNode>;
  element?: SchemaNode;
  options?: readonly SchemaNode[];
  in?: SchemaNode;
}

/** Marks a value equal to its schema default: its key is left out. */
const OMIT: unique symbol = Symbol('omit');

/**
 * The definition without the values `parseFlockDefinition` fills in by
 * itself (`description: ''`, `tools: []`, `maxIterations: 20`,
 * `evaluator: { kind: 'code' }`, ...): what a memo stores, since
 * `parseFlockDefinition(compactFlockDefinition(def))` gives `def` back.
 * When it would not (a schema this code misreads), the definition is
 * returned whole.
 *
 * @example
 * compactFlockDefinition(parseFlockDefinition({ name: 'tiny' })); // { name: 'tiny' }
 */
export function compactFlockDefinition(def: FlockDefinition): Record<string, unknown> {
  const compact = withoutDefaults(FlockDefinitionSchema as unknown as SchemaNode, def);
  if (compact === OMIT || !isPlainObject(compact)) return def;
  return sameDefinition(parseFlockDefinition(compact), def) ? compact : def;
}

function withoutDefaults(schema: SchemaNode, value: unknown): unknown {
  const def = schema._zod.def;
  switch (def.type) {
    case 'default':
      if (isPlainEqual(value, def.defaultValue)) return OMIT;
      return def.innerType ? withoutDefaults(def.innerType, value) : value;
    case 'optional':
    case 'nullable':
      return value === undefined || value === null || !def.innerType ? value : withoutDefaults(def.innerType, value);
    case 'pipe':
      return def.in ? withoutDefaults(def.in, value) : value;
    case 'object':
      return isPlainObject(value) && def.shape ? objectWithoutDefaults(def.shape, value) : value;
    case 'array':
      return Array.isArray(value) && def.element ? value.map((item) => keep(withoutDefaults(def.element as SchemaNode, item), item)) : value;
    case 'union': {
      const option = def.options?.find((candidate) => candidate.safeParse?.(value).success);
      return option ? keep(withoutDefaults(option, value), value) : value;
    }
    default:
      return value;
  }
}

function objectWithoutDefaults(shape: Record<string, SchemaNode>, value: Record<string, unknown>): Record<string, unknown> {
  const result: Record<string, unknown> = {};
  for (const [key, item] of Object.entries(value)) {
    const field = Object.hasOwn(shape, key) ? shape[key] : undefined;
    const compact = field ? withoutDefaults(field, item) : item;
    if (compact !== OMIT) result[key] = compact;
  }
  return result;
}

/** An array item or union member equal to a default is still needed: only object keys are left out. */
function keep(compact: unknown, original: unknown): unknown {
  return compact === OMIT ? original : compact;
}

/** Deep equality of plain data (objects, arrays, primitives); anything richer (Date, Map, ...) is never equal. */
function isPlainEqual(a: unknown, b: unknown): boolean {
  if (Object.is(a, b)) return true;
  if (Array.isArray(a) && Array.isArray(b)) return a.length === b.length && a.every((item, index) => isPlainEqual(item, b[index]));
  if (!isPlainObject(a) || !isPlainObject(b)) return false;
  const keys = Object.keys(a);
  return keys.length === Object.keys(b).length && keys.every((key) => Object.hasOwn(b, key) && isPlainEqual(a[key], b[key]));
}

function isPlainObject(value: unknown): value is Record<string, unknown> {
  if (typeof value !== 'object' || value === null) return false;
  const proto = Object.getPrototypeOf(value) as unknown;
  return proto === Object.prototype || proto === null;
}

/** Both are `parseFlockDefinition` outputs, so their keys come in the schema's order: superjson's text compares them, rich values included. */
function sameDefinition(a: FlockDefinition, b: FlockDefinition): boolean {
  const text = (value: FlockDefinition) => JSON.stringify(flockSuperjson.serialize(value as unknown as Parameters<typeof flockSuperjson.serialize>[0]));
  return text(a) === text(b);
}
