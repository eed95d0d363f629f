/**
 * undici's Client and its `request`, alone. The package's main entry loads all of undici (fetch,
 * WebSocket, caches, mocks: about 110 modules, some 8 MiB more resident memory in every scheduler
 * and executor, and half of an executor bundle); the call and event-stream connections need only
 * a Client and `request`, which stand on their own. The main entry mixes `request` into every
 * dispatcher's prototype; here it is called on the client instead, leaving undici's classes as
 * they are.
 */
import type { Client as UndiciClient, Dispatcher } from 'undici';
import ClientImpl from 'undici/lib/dispatcher/client.js';
import apiRequest from 'undici/lib/api/api-request.js';

/** undici's `Client` class (a dispatcher for one origin), typed as undici declares it. */
export const Client: typeof UndiciClient = ClientImpl;
/** An instance of Client. */
export type Client = UndiciClient;

/** `client.request(options)` of undici's API: resolves at the response headers, rejects as undici does. */
export function request(client: Client, options: Dispatcher.RequestOptions): Promise<Dispatcher.ResponseData> {
  return apiRequest.call(client, options);
}
