/**
 * Connection to the Redis server behind the job queue: parses `redis://[[user]:password@]host[:port][/db]`
 * and `rediss://...` (TLS), applies `--queue-password` / `--queue-tls` / `$REDIS_PASSWORD`, and
 * checks that the server answers before anything else happens (QUEUE_UNREACHABLE otherwise).
 * Messages name the URL without its password.
 */
import { Redis, type RedisOptions } from 'ioredis';
import { PreimageError } from '../errors.js';

/** Where the queue lives. */
export interface QueueConnection {
  host: string;
  port: number;
  db: number;
  username?: string;
  password?: string;
  tls: boolean;
  /** The URL without the password, for messages and progress lines. */
  display: string;
}

/** Connection options a user can give beside the URL. */
export interface QueueConnectionOptions {
  /** Overrides a password in the URL (and $REDIS_PASSWORD). */
  password?: string;
  /** TLS even for a redis:// URL. */
  tls?: boolean;
  /** Environment to read REDIS_PASSWORD from (default process.env). */
  env?: Record<string, string | undefined>;
}

/**
 * Parses a queue URL. Password precedence: the `password` option, then the URL's, then
 * $REDIS_PASSWORD (the way that keeps it out of `ps` and shell history).
 * @throws PreimageError BAD_QUEUE_URL
 */
export function parseQueueUrl(url: string, opts: QueueConnectionOptions = {}): QueueConnection {
  const bad = (why: string) => new PreimageError('BAD_QUEUE_URL', `expected --queue redis://[[user]:password@]host[:port][/db] or rediss://..., found ${JSON.stringify(redact(url))} (${why})`);
  let u: URL;
  try {
    u = new URL(url);
  } catch {
    throw bad('not a URL');
  }
  if (u.protocol !== 'redis:' && u.protocol !== 'rediss:') throw bad(`scheme ${u.protocol.replace(/:$/, '')}`);
  const host = u.hostname.replace(/^\[(.*)\]$/, '$1');
  if (!host) throw bad('no host');
  const port = u.port === '' ? 6379 : Number(u.port);
  if (!Number.isInteger(port) || port < 1 || port > 65535) throw bad('bad port');
  const path = u.pathname.replace(/^\//, '');
  const db = path === '' ? 0 : Number(path);
  if (!/^\d*$/.test(path) || !Number.isInteger(db) || db < 0 || db > 15) throw bad('the database must be a number 0..15');
  if (u.search || u.hash) throw bad('no query or fragment expected');
  const env = opts.env ?? process.env;
  const urlPassword = u.password ? decodeURIComponent(u.password) : undefined;
  const password = opts.password ?? urlPassword ?? (env.REDIS_PASSWORD || undefined);
  const username = u.username ? decodeURIComponent(u.username) : undefined;
  const tls = u.protocol === 'rediss:' || !!opts.tls;
  const hostText = host.includes(':') ? `[${host}]` : host;
  const display = `${tls ? 'rediss' : 'redis'}://${username ? `${username}@` : ''}${hostText}:${port}/${db}`;
  return { host, port, db, username, password, tls, display };
}

/** The URL with any password replaced by `***` (for error messages about a URL that did not parse). */
export function redact(url: string): string {
  return url.replace(/^([a-z]+:\/\/[^:@/]*:)[^@/]*@/i, '$1***@');
}

/** The options both ioredis and BullMQ accept. */
export interface BasicRedisOptions {
  host: string;
  port: number;
  db: number;
  username?: string;
  password?: string;
  tls?: { servername: string };
  maxRetriesPerRequest: null;
}

/**
 * ioredis options for a connection. `maxRetriesPerRequest: null` is what BullMQ requires of the
 * connections its workers block on.
 */
export function redisOptions(c: QueueConnection): BasicRedisOptions;
export function redisOptions(c: QueueConnection, extra: RedisOptions): RedisOptions;
export function redisOptions(c: QueueConnection, extra: RedisOptions = {}): RedisOptions {
  return {
    host: c.host,
    port: c.port,
    db: c.db,
    ...(c.username ? { username: c.username } : {}),
    ...(c.password !== undefined ? { password: c.password } : {}),
    ...(c.tls ? { tls: { servername: c.host } } : {}),
    maxRetriesPerRequest: null,
    ...extra,
  };
}

/**
 * Opens a plain client and checks that the server answers (PING), within `timeoutMs`.
 * @throws PreimageError QUEUE_UNREACHABLE (refused, timed out, wrong password), naming the URL without its password
 */
export async function connectRedis(c: QueueConnection, timeoutMs = 5000): Promise<Redis> {
  const client = new Redis(redisOptions(c, {
    lazyConnect: true,
    connectTimeout: timeoutMs,
    enableOfflineQueue: false,
    maxRetriesPerRequest: 0,
    retryStrategy: () => null,
  }));
  let lastError: Error | undefined;
  client.on('error', (e: Error) => { lastError = e; });
  try {
    await client.connect();
    await client.ping();
  } catch (e) {
    client.disconnect();
    const why = (lastError ?? (e as Error)).message.split('\n')[0];
    throw new PreimageError('QUEUE_UNREACHABLE', `expected a Redis server at ${c.display}, found none that answers (${why})`);
  }
  // from here on the client may reconnect (a long run survives a short network hiccup)
  client.options.retryStrategy = (times: number) => Math.min(100 * times, 2000);
  client.options.maxRetriesPerRequest = 20;
  client.options.enableOfflineQueue = true;
  return client;
}
