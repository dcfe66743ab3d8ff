import type { ComponentChildren } from 'preact';
import { useId } from 'preact/hooks';

/**
 * A label and its control, tied by id rather than by nesting: a control inside its label
 * would add its own value (a select's option) to its accessible name.
 */
export function Field({ label, children }: { label: string; children: (id: string) => ComponentChildren }) {
  const id = useId();
  return (
    <div class="field">
      <label for={id}>{label}</label>
      {children(id)}
    </div>
  );
}
