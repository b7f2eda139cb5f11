import { render } from 'preact';
import { ROUTES } from '@ucupdates/admin-api';
import { prefetch } from './api';
import { App } from './app';
import './styles.css';

// Opened on the Inventory page (a bookmark, a reload): its summary is asked for at once, beside the
// session request, rather than after it (api.ts prefetch).
if (/^#\/?inventory$/.test(location.hash)) {
  prefetch(ROUTES.devicesSummary);
}

render(<App />, document.getElementById('app')!);
