import { createRouter, fallbackQueue, fixedTarget, leastBusy, type Router, roundRobin } from '@baton/core';

/** Who works where on the portal: the ids your portal gives its employees and open lines. */
export interface Staff {
  /** The sales team, in the order round-robin and least-busy try them. */
  readonly sales: readonly number[];
  /** The open line (its queue) that handles invoices and refunds. */
  readonly billingQueueId: number;
  /** The line every hand-over ends in when nobody answered before. */
  readonly generalQueueId: number;
}

/**
 * The routing of this example. A `transfer.request` without a `plan` is resolved here; its
 * `reason` carries what the client wrote. The first rule that applies gives the plan's leading
 * steps, and the fallback is appended to every plan (and is the whole plan when no rule applies).
 */
export function createSupportRouter(staff: Staff): Router {
  return createRouter({
    rules: [
      {
        name: 'billing keyword → billing queue',
        when: ({ event }) => /invoice|refund|billing/i.test(event.reason ?? ''),
        use: fixedTarget({ kind: 'queue', queueId: staff.billingQueueId }),
      },
      {
        // Every worker shares one rotation through the store: chats are spread evenly.
        name: 'sales keyword → round-robin over sales, two of them',
        when: ({ event }) => /price|buy|order/i.test(event.reason ?? ''),
        use: roundRobin(staff.sales, { attempts: 2 }),
      },
    ],
    // Anything else: the sales operator holding the fewest chats now; then the general queue.
    fallback: [leastBusy(staff.sales, { attempts: 1 }), fallbackQueue(staff.generalQueueId)],
  });
}
