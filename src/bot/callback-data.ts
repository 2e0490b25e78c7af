/**
 * Typed, namespaced callback data: `ns:field1:field2`, parsed back with zod. Telegram allows
 * 64 bytes, so fields are short ids and enums.
 */
import { z } from 'zod';

export interface CallbackCodec<T extends z.ZodRawShape> {
  readonly ns: string;
  readonly filter: RegExp;
  pack(value: z.input<z.ZodObject<T>>): string;
  parse(data: string | undefined): z.output<z.ZodObject<T>> | null;
}

export function defineCallback<T extends z.ZodRawShape>(ns: string, shape: T): CallbackCodec<T> {
  const schema = z.object(shape);
  const keys = Object.keys(shape);
  return {
    ns,
    filter: new RegExp(`^${ns}(?::|$)`),
    pack(value) {
      const data = [ns, ...keys.map((k) => String((value as Record<string, unknown>)[k]))].join(':');
      if (Buffer.byteLength(data) > 64) throw new Error(`callback data over 64 bytes: ${ns}`);
      return data;
    },
    parse(data) {
      if (!data) return null;
      const [head, ...parts] = data.split(':');
      if (head !== ns || parts.length !== keys.length) return null;
      const result = schema.safeParse(Object.fromEntries(keys.map((k, i) => [k, parts[i]])));
      return result.success ? result.data : null;
    },
  };
}
