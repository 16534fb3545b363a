// The control API over fetch: same origin, JSON in and out, the bearer token (if the
// user gave one) from sessionStorage in the Authorization header, never in a URL.
// A non-2xx answer throws ApiError carrying the API's error code and message.

const TOKEN_KEY = 'spreadcore.token';

export function getToken() {
  try { return sessionStorage.getItem(TOKEN_KEY) || ''; } catch { return ''; }
}

export function setToken(token) {
  try {
    if (token) sessionStorage.setItem(TOKEN_KEY, token); else sessionStorage.removeItem(TOKEN_KEY);
  } catch { /* storage disabled: the token lives only as long as this call */ }
}

export class ApiError extends Error {
  constructor(status, code, message, detail) {
    super(message);
    this.name = 'ApiError';
    this.status = status;
    this.code = code;
    this.detail = detail;
  }
}

export function authHeaders() {
  const token = getToken();
  return token ? { authorization: `Bearer ${token}` } : {};
}

/** fetch a JSON route; body (an object) is sent as application/json. */
export async function api(method, path, body, timeoutMs = 8000) {
  const headers = { accept: 'application/json', ...authHeaders() };
  const init = { method, headers, cache: 'no-store', credentials: 'same-origin', signal: AbortSignal.timeout(timeoutMs) };
  if (body !== undefined) {
    headers['content-type'] = 'application/json';
    init.body = JSON.stringify(body);
  }
  let res;
  try {
    res = await fetch(path, init);
  } catch (e) {
    throw new ApiError(0, 'NETWORK', `the server did not answer (${e && e.name === 'TimeoutError' ? 'timeout' : 'connection failed'})`);
  }
  let json = null;
  try { json = await res.json(); } catch { /* not JSON */ }
  if (!res.ok) {
    const err = json && json.error;
    if (err && typeof err.code === 'string') throw new ApiError(res.status, err.code, String(err.message ?? ''), err.detail);
    throw new ApiError(res.status, `HTTP_${res.status}`, res.statusText || 'request failed');
  }
  return json;
}
