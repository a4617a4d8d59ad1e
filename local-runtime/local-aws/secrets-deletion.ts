import type { ErrorShape } from './error-answers';
import type { SecretFacts } from './policy-store';

/**
 * A deleted secret keeps its name for its recovery window: CreateSecret with that name fails until
 * the window ends. moto_server refuses too, but as ResourceExistsException ("already exists");
 * AWS answers InvalidRequestException with its own sentence, which is what callers (Terraform, a
 * re-apply after destroy) see and must handle.
 */
export async function scheduledForDeletionRefusal(
  emulatorAnswer: { status: number; body: string },
  secretName: string,
  describe: (name: string) => Promise<SecretFacts | undefined>,
): Promise<ErrorShape | undefined> {
  if (emulatorAnswer.status < 400 || !emulatorAnswer.body.includes('ResourceExistsException')) return undefined;
  const existing = await describe(secretName);
  if (!existing?.deleted) return undefined;
  return { code: 'InvalidRequestException', status: 400, message: "You can't create this secret because a secret with this name is already scheduled for deletion." };
}
