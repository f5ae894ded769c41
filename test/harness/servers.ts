import type { Server } from 'node:http';

/** Stop a test server now: drop its open (keep-alive) connections, then wait for it to close. */
export function closeServer(server: Server): Promise<void> {
  return new Promise<void>((resolve) => {
    server.closeAllConnections();
    server.close(() => {
      resolve();
    });
  });
}
