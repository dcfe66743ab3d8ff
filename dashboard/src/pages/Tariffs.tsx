import { PageHeader } from '../components/PageHeader.tsx';

/** Placeholder until the page is written (replaced in this change). */
export function Tariffs(_props: { params: Record<string, string> }) {
  return <PageHeader title="Tariffs" />;
}
