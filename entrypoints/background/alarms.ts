/** Alarm names: the 30-s watchdog that wakes a stopped worker, and the outbox's next retry. */
export const WATCHDOG_ALARM = 'watchdog';
export const OUTBOX_ALARM = 'outbox';
