/**
 * `Content-Disposition: inline` with a filename any client can save: the order id reduced to
 * `[A-Za-z0-9._-]` (everything else becomes `_`), so no quote, slash or control character reaches the header
 * or a file system. The schema bounds the id to 64 characters.
 */
export function receiptDisposition(orderId: string): string {
  const safe = orderId.replace(/[^A-Za-z0-9._-]/g, "_");
  return `inline; filename="receipt-${safe}.pdf"`;
}
