// One run at a time of an async pass (a venue reconciliation): a call while a run is in
// progress does not start a second one; it asks the current run for one more pass, so
// whatever prompted the call (a reconnect, a fill seen meanwhile) is covered by a pass
// that starts after it. Every caller gets the promise of the run that covers its call.

export class CoalescedRun<T> {
  private running: Promise<T> | null = null;
  private more = false;

  /** True while a run is in progress. */
  get busy(): boolean { return this.running !== null; }

  /** True when a call came in during the current pass (another pass follows). */
  get again(): boolean { return this.more; }

  /**
   * Runs `pass` now, or asks the run in progress for one more pass. Passes repeat while
   * calls came in during the last one and `goOn()` holds.
   */
  run(pass: () => Promise<T>, goOn: () => boolean = () => true): Promise<T> {
    if (this.running !== null) { this.more = true; return this.running; }
    const loop = async (): Promise<T> => {
      let r: T;
      do {
        this.more = false;
        r = await pass();
      } while (this.more && goOn());
      return r;
    };
    this.running = loop().finally(() => { this.running = null; });
    return this.running;
  }
}
