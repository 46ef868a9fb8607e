import type { Category } from './categorize';

export type PriorityTier = 'CRITICAL' | 'HIGH' | 'MEDIUM' | 'LOW';

export interface CriticalityRule {
  name: string;
  /** Every condition given must hold; a rule with no condition matches nothing (no accidental catch-all). */
  when: { tag?: { key: string; value: string }; transactionPrefix?: string; category?: Category };
  effect: 'critical' | 'low';
}

export const DEFAULT_CRITICALITY_RULES: CriticalityRule[] = [
  { name: 'checkout-path', when: { transactionPrefix: '/checkout' }, effect: 'critical' },
  { name: 'payments-api', when: { transactionPrefix: '/api/payments' }, effect: 'critical' },
  { name: 'login-path', when: { transactionPrefix: '/login' }, effect: 'critical' },
  { name: 'analytics-retry-job', when: { tag: { key: 'job', value: 'analytics-retry' } }, effect: 'low' },
  { name: 'health-checks', when: { transactionPrefix: '/healthz' }, effect: 'low' },
];

export interface ImpactInput {
  affectedUsers: number;
  events: number;
  windowHours: number;
  category: Category;
  /** A sample of the events' tags. */
  tags: Record<string, string>[];
  transactions: string[];
}

export interface Priority {
  /** 0..100. */
  impactScore: number;
  eventsPerHour: number;
  tier: PriorityTier;
  critical: boolean;
  matchedRule: string | null;
}

/** How much a crash of each category tends to hurt, all else equal (a crash loop or OOM takes the process down). */
const CATEGORY_SEVERITY: Record<Category, number> = {
  stack_overflow: 1,
  memory: 1,
  null_reference: 0.9,
  database: 0.9,
  resource_exhaustion: 0.9,
  concurrency: 0.85,
  type_error: 0.85,
  assertion: 0.8,
  configuration: 0.8,
  unknown: 0.8,
  timeout: 0.75,
  permission: 0.7,
  network: 0.65,
};

// Reach saturates: beyond these, more users or events do not make a crash more urgent.
const USERS_AT_FULL_IMPACT = 10_000;
const EVENTS_PER_HOUR_AT_FULL_IMPACT = 1_000;
const USERS_SHARE = 0.65;
/** A window shorter than a minute would turn one event into a huge rate. */
const MIN_WINDOW_HOURS = 1 / 60;

const TIER_FLOORS: ReadonlyArray<readonly [PriorityTier, number]> = [
  ['CRITICAL', 70],
  ['HIGH', 45],
  ['MEDIUM', 20],
];

/**
 * Impact from reach (users, log-scaled), rate (events per hour, log-scaled) and category, then the
 * rules: a matching `critical` rule makes the tier CRITICAL, otherwise a matching `low` rule makes it
 * LOW. Critical rules win over low ones (never hide a checkout crash); within an effect, list order decides.
 */
export function priorityOf(input: ImpactInput, rules: CriticalityRule[] = DEFAULT_CRITICALITY_RULES): Priority {
  const eventsPerHour = Math.max(0, input.events) / Math.max(input.windowHours, MIN_WINDOW_HOURS);
  const rate = Math.min(1, Math.log10(1 + eventsPerHour) / Math.log10(1 + EVENTS_PER_HOUR_AT_FULL_IMPACT));
  // No user ids at all (many backends): the event rate stands in for reach.
  const reach = input.affectedUsers > 0 ? Math.min(1, Math.log10(1 + input.affectedUsers) / Math.log10(1 + USERS_AT_FULL_IMPACT)) : rate;
  const impactScore = round1(100 * (USERS_SHARE * reach + (1 - USERS_SHARE) * rate) * CATEGORY_SEVERITY[input.category]);
  const byImpact: PriorityTier = TIER_FLOORS.find(([, floor]) => impactScore >= floor)?.[0] ?? 'LOW';

  const critical = rules.find((r) => r.effect === 'critical' && ruleMatches(r, input));
  if (critical) return { impactScore, eventsPerHour: round1(eventsPerHour), tier: 'CRITICAL', critical: true, matchedRule: critical.name };
  const low = rules.find((r) => r.effect === 'low' && ruleMatches(r, input));
  if (low) return { impactScore, eventsPerHour: round1(eventsPerHour), tier: 'LOW', critical: false, matchedRule: low.name };
  return { impactScore, eventsPerHour: round1(eventsPerHour), tier: byImpact, critical: false, matchedRule: null };
}

function ruleMatches(rule: CriticalityRule, input: ImpactInput): boolean {
  const { tag, transactionPrefix, category } = rule.when;
  if (tag === undefined && transactionPrefix === undefined && category === undefined) return false;
  if (tag && !input.tags.some((t) => t[tag.key] === tag.value)) return false;
  if (transactionPrefix !== undefined && !input.transactions.some((t) => stripMethod(t).startsWith(transactionPrefix))) return false;
  if (category !== undefined && input.category !== category) return false;
  return true;
}

/** Server transactions are often named `POST /checkout`; the rule is about the path. */
function stripMethod(transaction: string): string {
  return transaction.replace(/^(GET|POST|PUT|PATCH|DELETE|HEAD|OPTIONS)\s+/i, '');
}

function round1(x: number): number {
  return Math.round(x * 10) / 10;
}
