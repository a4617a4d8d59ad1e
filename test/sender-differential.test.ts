// Differential tests: each scheme's verifier against its sender's own library, on thousands of
// seeded requests per scheme. Our side reads the request as the producer does (API Gateway's
// REST event, header names in any case, base64 bodies decoded) and verifies with node:crypto; the
// library gets the body as text and the headers as its receiver framework would.
import { readWebhookRequest } from '../functions/producer/http-event';
import { SCHEMES, SENDERS, type SchemeName } from '../functions/producer/senders';
import { restEvent } from './support/http-events';
import { familiesOf, senderCase, TOLERANCE_SECONDS, type SenderCase } from './support/sender-cases';
import { libraryVerdict } from './support/sender-libraries';
import { seededRandom } from './support/webhook-fuzz';

const SEED = Number(process.env.DIFF_SEED ?? 20261118);
const CASES = Number(process.env.DIFF_CASES ?? 2000);

function ourVerdict(testCase: SenderCase): boolean {
  const delivered = testCase.base64 ? Buffer.from(testCase.payload, 'utf8').toString('base64') : testCase.payload;
  const event = restEvent(delivered, testCase.headers, testCase.base64);
  // restEvent adds a Content-Type header: the request carries exactly the case's headers besides it.
  const read = readWebhookRequest(event);
  if (!read.ok) throw new Error(`the request could not be read: ${read.reason}`);
  return SENDERS[testCase.scheme].verify({ request: read.request, secrets: testCase.secrets, toleranceSeconds: TOLERANCE_SECONDS, nowMs: testCase.nowMs }).valid;
}

async function librarySays(testCase: SenderCase): Promise<boolean> {
  // standardwebhooks reads the clock itself.
  const clock = jest.spyOn(Date, 'now').mockReturnValue(testCase.nowMs);
  try {
    return await libraryVerdict[testCase.scheme]({ payload: testCase.payload, headers: testCase.headers, secrets: testCase.secrets, nowMs: testCase.nowMs });
  } finally {
    clock.mockRestore();
  }
}

/**
 * Where the sender's documentation asks for more than its library checks: Stripe's and Slack's
 * libraries refuse only a stale timestamp; ours also refuse one more than the tolerance in the
 * future (Slack's documentation: within five minutes of local time; Stripe: this project's rule
 * since 0.1). Counted, and reported, separately from disagreements.
 */
const futureBeyondTolerance = (testCase: SenderCase) =>
  (testCase.scheme === 'stripe' || testCase.scheme === 'slack') && testCase.timestamp !== undefined && testCase.timestamp > Math.floor(testCase.nowMs / 1000) + TOLERANCE_SECONDS;

interface Tally {
  cases: number;
  accepted: number;
  refused: number;
  libraryOnlyFuture: number;
  disagreements: string[];
  byFamily: Map<string, { accepted: number; refused: number }>;
}

describe(`each scheme verifies as its sender's library does (${CASES} seeded cases per scheme, seed ${SEED})`, () => {
  const tallies = new Map<SchemeName, Tally>();

  afterAll(() => {
    const rows = [...tallies].map(([scheme, t]) => `${scheme.padEnd(18)} ${String(t.cases).padStart(5)} cases: ${t.accepted} accepted, ${t.refused} refused, ${t.disagreements.length} disagreements, ${t.libraryOnlyFuture} future timestamps only the library accepts`);
    console.log(`differential (seed ${SEED}):\n${rows.join('\n')}`);
  });

  it.each(SCHEMES.map((scheme) => [scheme]))('%s: 0 disagreements, and every family gets the verdict it is built for', async (scheme) => {
    const random = seededRandom(SEED ^ scheme.length * 7919);
    const families = familiesOf(scheme);
    const tally: Tally = { cases: 0, accepted: 0, refused: 0, libraryOnlyFuture: 0, disagreements: [], byFamily: new Map() };
    tallies.set(scheme, tally);
    for (let i = 0; i < CASES; i++) {
      const family = families[i % families.length] as string;
      const testCase = await senderCase(scheme, family, random);
      const ours = ourVerdict(testCase);
      const library = await librarySays(testCase);
      const documentedFuture = futureBeyondTolerance(testCase);
      if (library && documentedFuture) tally.libraryOnlyFuture += 1;
      const expected = library && !documentedFuture;
      if (ours !== expected) tally.disagreements.push(`${family}: ours ${ours}, library ${library} ${JSON.stringify({ headers: testCase.headers, base64: testCase.base64, nowMs: testCase.nowMs, payload: testCase.payload.slice(0, 80) })}`);
      tally.cases += 1;
      tally[ours ? 'accepted' : 'refused'] += 1;
      const byFamily = tally.byFamily.get(family) ?? { accepted: 0, refused: 0 };
      byFamily[ours ? 'accepted' : 'refused'] += 1;
      tally.byFamily.set(family, byFamily);
    }
    expect(tally.disagreements.slice(0, 5)).toEqual([]);
    // The generator did build what each family names: a defect shared by both sides cannot hide behind an empty family.
    const verdicts = Object.fromEntries([...tally.byFamily].map(([family, { accepted, refused }]) => [family, accepted > 0 && refused === 0 ? 'all accepted' : refused > 0 && accepted === 0 ? 'all refused' : 'mixed']));
    const acceptedFamilies = ['valid', 'header casing', 'base64 body', 'rotation: several secrets, one right', 'at tolerance, past', 'at tolerance, future', 'several signatures, one valid'];
    const refusedFamilies = ['wrong secret', 'tampered body', 'missing signature', 'past tolerance, past', 'past tolerance, future', 'several signatures, none valid'];
    for (const family of families) {
      if (acceptedFamilies.includes(family)) expect({ family, verdict: verdicts[family] }).toEqual({ family, verdict: 'all accepted' });
      if (refusedFamilies.includes(family)) expect({ family, verdict: verdicts[family] }).toEqual({ family, verdict: 'all refused' });
    }
  });
});
