/**
 * Content negotiation on the v1 HTTP APIs (docs/protocol.md, "Headers"; docs/protobuf.md):
 * a request body is JSON or protobuf as its `Content-Type` says, compared byte for byte; a
 * stream is JSON when `Accept` allows it (missing, `*\/*`, `application/*` included), else
 * protobuf when `Accept` allows that, else the request is refused (406).
 */

/** The two record encodings Mesos speaks on its v1 HTTP APIs. */
export type ContentType = 'json' | 'protobuf';

/**
 * The drivers' encoding when none is chosen: the one that measured faster in `npm run bench`
 * (relay rows, both encodings side by side; docs/protobuf.md, "Which encoding").
 */
export const DEFAULT_CONTENT_TYPE: ContentType = 'json';

/** Media type of each encoding. */
export const MEDIA_TYPES: Readonly<Record<ContentType, string>> = {
  json: 'application/json',
  protobuf: 'application/x-protobuf',
};

/** The encoding a `Content-Type` names; parameters (`; charset=utf-8`) make it unknown, as in Mesos. */
export function contentTypeOf(mediaType: string | undefined): ContentType | undefined {
  if (mediaType === MEDIA_TYPES.json) return 'json';
  if (mediaType === MEDIA_TYPES.protobuf) return 'protobuf';
  return undefined;
}

/** The stream encoding an `Accept` header allows, JSON first as Mesos prefers it; undefined ⇒ 406. */
export function acceptedContentType(accept: string | undefined): ContentType | undefined {
  if (accept === undefined || accept.trim() === '') return 'json';
  if (accepts(accept, MEDIA_TYPES.json)) return 'json';
  if (accepts(accept, MEDIA_TYPES.protobuf)) return 'protobuf';
  return undefined;
}

/** True when some range of `accept` matches `mediaType` with q > 0. */
function accepts(accept: string, mediaType: string): boolean {
  const [major] = mediaType.split('/');
  return accept.split(',').some((part) => {
    const [range = '', ...params] = part.split(';').map((s) => s.trim().toLowerCase());
    const q = params.find((p) => /^q\s*=/.test(p));
    if (q !== undefined && !(Number(q.slice(q.indexOf('=') + 1)) > 0)) return false;
    return range === mediaType || range === `${major}/*` || range === '*/*';
  });
}
