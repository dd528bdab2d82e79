/**
 * The one rule for joining an account's `base_url` with an API path. Users write base URLs with and without the
 * version segment (`http://localhost:11434`, `http://localhost:11434/v1`, `https://…/v1beta/openai`); all of them
 * must reach the right endpoint, never a doubled `/v1/v1`.
 *
 * - A base URL with no path (`http://host:port`) is a server root: the version segment (`/v1` by default) is added.
 * - A base URL with a path is the API root as given (`/v1`, `/api/v1`, `/v1beta/openai`, `/inference`).
 * - A base URL that already ends with the endpoint path (a full endpoint URL pasted by mistake) is used as is.
 * - Trailing slashes are ignored; a query string (e.g. Azure's `api-version`) is kept after the path.
 */
export function joinUpstreamUrl(baseUrl: string, path: string, options: {versionSegment?: string | null} = {}): string {
  const versionSegment = options.versionSegment === undefined ? '/v1' : options.versionSegment
  const url = new URL(baseUrl)
  const endpoint = '/' + path.replace(/^\/+/, '')
  let root = url.pathname.replace(/\/+$/, '')
  if (root === '' && versionSegment) root = '/' + versionSegment.replace(/^\/+|\/+$/g, '')
  url.pathname = root.endsWith(endpoint) ? root : root + endpoint
  return url.toString()
}
