import { PageHeader } from '../components/PageHeader.tsx';

/** Placeholder until the page is written (replaced in this change). */
export function UserDetail(_props: { params: Record<string, string> }) {
  return <PageHeader title="UserDetail" />;
}
