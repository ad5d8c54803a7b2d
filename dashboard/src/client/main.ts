/** The client's entry: boots the view the server named in the page's data block. */
import type { ListView, Viewer } from '../ui/model.ts';
import { bootList } from './list-view.ts';

const block = document.getElementById('page-data');
const root = document.getElementById('root');
if (block && root) {
  const page = JSON.parse(block.textContent ?? '{}') as {
    view: string;
    viewer: Viewer;
    data: unknown;
  };
  if (page.view === 'list') bootList(root, page.data as ListView, page.viewer);
}
