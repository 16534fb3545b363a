// Ending an HTTP answer correctly for GET and HEAD alike, on either transport.
import type { TransportResponse as HttpResponse } from './transport.js';

/**
 * Ends an answer: the body, or for a HEAD request its length alone. (On end() this
 * uWS build sends the body even to HEAD, which would corrupt a kept-alive connection,
 * and it aborts the process when endWithoutBody() is given any argument: the length
 * goes in a header of ours.) A HEAD request never has its body read, so `close` does
 * not apply to it.
 */
export function endAnswer(res: HttpResponse, body: string, close: boolean, head: boolean): void {
  if (head) res.writeHeader('content-length', String(Buffer.byteLength(body))).endWithoutBody();
  else res.end(body, close);
}
