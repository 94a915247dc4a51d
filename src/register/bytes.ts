/**
 * "1 MB", "512 KB", "37 bytes": sizes in messages, in powers of 1024 (the default limit,
 * 1,048,576 bytes, reads "1 MB").
 */
export function formatBytes(n: number): string {
  if (n < 1024) return `${n.toLocaleString('en-US')} byte${n === 1 ? '' : 's'}`;
  if (n < 1024 * 1024) return `${trim(n / 1024)} KB`;
  return `${trim(n / (1024 * 1024))} MB`;
}

function trim(x: number): string {
  return x >= 10 ? Math.round(x).toLocaleString('en-US') : String(Math.round(x * 10) / 10);
}
