/*
 * The monotonic clock in milliseconds, for deadlines and polling.
 */
#ifndef KHP_CLOCK_H
#define KHP_CLOCK_H

/* Milliseconds on the monotonic clock. */
long long now_ms(void);

/* Sleep ms milliseconds; a signal that interrupts the sleep does not
 * shorten it. */
void sleep_ms(long long ms);

/* Sleep at most ms milliseconds: a signal ends the nap early, so that a
 * loop that waits for a child sees its handler's flag at once. */
void nap_ms(long long ms);

#endif
