/**
 * The renderer's only door to the app: `window.api` when the Electron preload provides it,
 * otherwise the web-mode client over HTTP + WebSocket. Views never know which.
 */
import type { Api } from '../../../shared/api';
import { createWebApi } from './web-transport';

declare global {
  interface Window {
    api?: Api;
  }
}

export const api: Api = window.api ?? createWebApi(window);
