/*
 * The FlexiCharge charger is a Python program and accepts whatever Python's int() and float()
 * accept. JSON gives it int, float, str, bool or None; these mirror the outcomes for those.
 */

const DIGITS = String.raw`\d(?:_?\d)*`;
const INT_LITERAL = new RegExp(String.raw`^[+-]?${DIGITS}$`);
const FLOAT_LITERAL = new RegExp(String.raw`^[+-]?(?:(?:${DIGITS})?\.${DIGITS}|${DIGITS}\.?)(?:[eE][+-]?${DIGITS})?$|^[+-]?(?:inf|infinity|nan)$`, 'i');

/** Python's `int(value)`, or undefined where it raises. A float is truncated: int(1.5) == 1. */
export function pythonInt(value: unknown): number | undefined {
  if (typeof value === 'boolean') return value ? 1 : 0;
  if (typeof value === 'number') return Number.isFinite(value) ? Math.trunc(value) : undefined;
  if (typeof value !== 'string') return undefined;
  const text = value.trim();
  return INT_LITERAL.test(text) ? Number(text.replaceAll('_', '')) : undefined;
}

/** Python's `float(value)`, or undefined where it raises (as it does for None). */
export function pythonFloat(value: unknown): number | undefined {
  if (typeof value === 'boolean') return value ? 1 : 0;
  if (typeof value === 'number') return value;
  if (typeof value !== 'string') return undefined;
  const text = value.trim();
  if (!FLOAT_LITERAL.test(text)) return undefined;
  const word = text.replace(/^[+-]/, '').toLowerCase();
  if (word === 'nan') return Number.NaN;
  if (word.startsWith('inf')) return text.startsWith('-') ? -Infinity : Infinity;
  return Number(text.replaceAll('_', ''));
}
