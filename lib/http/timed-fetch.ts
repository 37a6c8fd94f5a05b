/** `fetch` that gives up after `timeout` ms unless the caller brought its own signal. */
export function timedFetch(timeout: number): typeof fetch {
  return (input, init) => fetch(input, { ...init, signal: init?.signal ?? AbortSignal.timeout(timeout) });
}
