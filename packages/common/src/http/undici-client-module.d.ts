// undici ships types for its main entry only; these are the deep modules undici-client.ts imports.
declare module 'undici/lib/dispatcher/client.js' {
  import type { Client } from 'undici';
  const ClientImpl: typeof Client;
  export default ClientImpl;
}
declare module 'undici/lib/api/api-request.js' {
  import type { Dispatcher } from 'undici';
  function request(this: Dispatcher, options: Dispatcher.RequestOptions): Promise<Dispatcher.ResponseData>;
  export default request;
}
