import { isDdiPath } from '@ucupdates/ddi-protocol';
import { isPhonePath } from '../devices/lync/phone-paths';
import type { ListenerName } from './create-http-app';

/** Whose refusal a request gets: a phone's XML, DDI's JSON, or the admin API's JSON. */
export type RefusalShape = 'phone' | 'ddi' | 'admin';

/**
 * The shape of a refusal made before a route's filter can answer (Fastify's framework errors,
 * Node's parser refusals): DDI's on a DDI path, a phone's on a phone path and on anything the
 * external listener (phones only) refuses, the admin API's otherwise. `url` is null when the
 * request's path is not known.
 */
export function refusalShape(url: string | null, listener: ListenerName): RefusalShape {
  if (url !== null && isDdiPath(url)) return 'ddi';
  if (listener === 'external' || (url !== null && isPhonePath(url))) return 'phone';
  return 'admin';
}
