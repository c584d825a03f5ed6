import { PageHeading } from '../components/page-heading';
import { usePageTitle } from '../hooks/use-page-title';

export function NotFoundPage() {
  usePageTitle('Not found');
  return (
    <div class="narrow">
      <PageHeading>Page not found</PageHeading>
      <p>
        <a href="#/feed">Go to your feed</a>
      </p>
    </div>
  );
}
