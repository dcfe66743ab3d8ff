import { sql, type RawBuilder } from 'kysely';

/**
 * Constants of the code (statuses) written into a statement as `('a', 'b')`, as a hand-written
 * literal list would be, rather than sent as parameters: the statement's text, and what the
 * planner sees in it (partial indexes name statuses), stay those of a literal. Never for input.
 */
export function literalList(values: readonly string[]): RawBuilder<unknown> {
  return sql`(${sql.join(values.map((value) => sql.lit(value)))})`;
}
