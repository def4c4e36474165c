/**
 * The "URL plus sorted form parameters" content that Twilio and Mandrill sign (HMAC-SHA1, base64):
 * the URL exactly as the provider called it, then every POST parameter sorted by name, each as
 * `name + value` with no separator. The body is not signed as bytes, so it is parsed first.
 */
import { type Bytes, fromUtf8 } from './crypto';
import type { InboundRequest } from './types';

/** The parameters of an `application/x-www-form-urlencoded` body, decoded as the providers decode them. */
export function formParams(body: Bytes): URLSearchParams {
  return new URLSearchParams(fromUtf8(body));
}

/** True when the body can be read as form parameters: form-encoded, or empty. */
export function isFormBody(request: InboundRequest): boolean {
  if (request.body.byteLength === 0) return true;
  const type = request.headers.get('content-type')?.toLowerCase() ?? '';
  return type.startsWith('application/x-www-form-urlencoded');
}

/**
 * `url` followed by each parameter sorted by name (UTF-16 code-unit order, as JavaScript sorts);
 * a repeated name contributes each distinct value once, sorted, as Twilio's SDK does.
 */
export function formSignedContent(url: string, params: URLSearchParams): string {
  let content = url;
  for (const name of [...new Set(params.keys())].sort()) {
    for (const value of [...new Set(params.getAll(name))].sort()) content += name + value;
  }
  return content;
}

/**
 * The URL without its port, and with the scheme's default port when it had none: Twilio signs
 * whichever form it called, and a proxy or runtime may add or drop a default port on the way.
 */
export function portVariants(url: string): string[] {
  const match = /^([a-z][a-z0-9+.-]*:\/\/)([^/?#]*)(.*)$/is.exec(url);
  if (!match) return [url];
  const [, scheme = '', authority = '', rest = ''] = match;
  const userInfoEnd = authority.lastIndexOf('@') + 1;
  const userInfo = authority.slice(0, userInfoEnd);
  const hostAndPort = authority.slice(userInfoEnd);
  const portStart = hostAndPort.indexOf(':', hostAndPort.lastIndexOf(']') + 1);
  const host = portStart < 0 ? hostAndPort : hostAndPort.slice(0, portStart);
  const withoutPort = scheme + userInfo + host + rest;
  const defaultPort = scheme.toLowerCase() === 'https://' ? ':443' : ':80';
  const withPort = portStart < 0 ? scheme + userInfo + host + defaultPort + rest : url;
  return withoutPort === withPort ? [url] : [withoutPort, withPort];
}
