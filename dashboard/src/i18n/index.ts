import { en, type Catalog } from './en.ts';

/** The translations; the browser's first language that has one is used, English otherwise. */
const catalogs: Record<string, Catalog> = { en };

function pickLanguage(): string {
  for (const tag of navigator.languages ?? [navigator.language]) {
    const language = tag.toLowerCase().split('-')[0] ?? '';
    if (language in catalogs) return language;
  }
  return 'en';
}

export const language = pickLanguage();
const catalog: Catalog = catalogs[language] ?? en;

/** Dotted paths to the strings of the catalog: `'signIn.email'`. */
type Paths<T, Prefix extends string = ''> = {
  [K in keyof T & string]: T[K] extends string ? `${Prefix}${K}` : Paths<T[K], `${Prefix}${K}.`>;
}[keyof T & string];
export type StringKey = Paths<Catalog>;

/** The string at `key`, with `{name}` replaced by `params.name`. */
export function t(key: StringKey, params?: Record<string, string | number>): string {
  let value: unknown = catalog;
  for (const part of key.split('.')) value = (value as Record<string, unknown>)[part];
  const text = typeof value === 'string' ? value : key;
  return params ? text.replace(/\{(\w+)\}/g, (whole, name: string) => (name in params ? String(params[name]) : whole)) : text;
}
