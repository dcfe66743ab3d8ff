import { t } from '../../i18n/index.ts';
import { Field } from './Field.tsx';

interface Props {
  label: string;
  connectors: number[];
  value: string;
  onChange: (value: string) => void;
  /** The first option, for "no connector" or "the whole charger" (value ""), when the command allows one. */
  emptyLabel?: string;
}

/** A select of the charger's connectors. */
export function ConnectorSelect({ label, connectors, value, onChange, emptyLabel }: Props) {
  return (
    <Field label={label}>{(id) => (
      <select id={id} value={value} onChange={(e) => onChange(e.currentTarget.value)}>
        {emptyLabel !== undefined && <option value="">{emptyLabel}</option>}
        {connectors.map((c) => <option key={c} value={String(c)}>{t('charger.commands.connectorN', { n: c })}</option>)}
      </select>
    )}</Field>
  );
}
