import { startMoto, type MotoServer } from '../../local-runtime/moto';

declare global {
  var __MOTO__: MotoServer | undefined;
}

/** One emulator for the whole run; each test uses its own uniquely named queues and tables. */
export default async function globalSetup(): Promise<void> {
  const moto = await startMoto();
  globalThis.__MOTO__ = moto;
  process.env.MOTO_ENDPOINT = moto.endpoint;
}
