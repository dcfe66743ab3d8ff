import { PageHeader } from '../components/PageHeader.tsx';

/** Placeholder until the page is written (replaced in this change). */
export function ChargerPage(_props: { params: Record<string, string> }) {
  return <PageHeader title="ChargerPage" />;
}
