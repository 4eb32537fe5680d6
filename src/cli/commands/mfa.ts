import { Command, InvalidArgumentError, Option } from 'commander';
import type { MfaPolicy } from '../../domain/mfa/mfa-policy';
import type { MfaPolicyChange } from '../../domain/mfa/mfa-policy-service';
import { print, withAccount } from '../context';

const onOff = (value: string): boolean => {
  if (value === 'on') return true;
  if (value === 'off') return false;
  throw new InvalidArgumentError('give on or off');
};

/** A comma-separated list; an empty string is the empty list. */
const list = (value: string): string[] =>
  value
    .split(',')
    .map((v) => v.trim())
    .filter(Boolean);

function describe(policy: MfaPolicy): string {
  return [
    `MFA required for everyone: ${policy.required ? 'yes' : 'no'}`,
    `MFA required for roles: ${policy.roleKeys.join(', ') || 'none'}`,
    `Accepted AuthnContextClassRef: ${policy.acceptedAuthnContextClassRefs.join(', ') || 'none'}`,
    `Accepted authentication methods: ${policy.acceptedAuthnMethods.join(', ') || 'none'}`,
    `TOTP step-up when the IdP did not prove MFA: ${policy.allowTotpStepUp ? 'allowed' : 'not allowed'}`,
  ].join('\n');
}

interface SetOptions {
  account: string;
  required?: boolean;
  roles?: string[];
  authnContextClassRefs?: string[];
  authnMethods?: string[];
  totpStepUp?: boolean;
  json?: boolean;
}

/** The account's MFA policy and users' own MFA flags, as an operator (audited as such). */
export function mfaCommand(): Command {
  const mfa = new Command('mfa').description("An account's MFA policy and users' MFA flags");
  mfa
    .command('show')
    .description('Who must prove MFA and which IdP values count as proof')
    .requiredOption('--account <id>', 'account id')
    .option('--json', 'print JSON')
    .action(async (options: { account: string; json?: boolean }) => {
      await withAccount(options.account, async (roster, actor) => {
        const policy = await roster.services.mfa.get(actor);
        print(options.json === true, policy, describe(policy));
      });
    });
  mfa
    .command('set')
    .description('Change the policy; options left out keep their value')
    .requiredOption('--account <id>', 'account id')
    .addOption(new Option('--required <on|off>', 'MFA for everyone in the account').argParser(onOff))
    .addOption(
      new Option('--roles <keys>', 'roles whose holders need MFA, comma-separated ("" for none)').argParser(
        list,
      ),
    )
    .addOption(
      new Option(
        '--authn-context-class-refs <values>',
        'accepted AuthnContextClassRef values, comma-separated',
      ).argParser(list),
    )
    .addOption(
      new Option(
        '--authn-methods <values>',
        'accepted authentication-method values, comma-separated',
      ).argParser(list),
    )
    .addOption(
      new Option('--totp-step-up <on|off>', "Roster's own TOTP when the IdP did not prove MFA").argParser(
        onOff,
      ),
    )
    .option('--json', 'print JSON')
    .action(async (options: SetOptions) => {
      const change: MfaPolicyChange = {
        ...(options.required !== undefined ? { required: options.required } : {}),
        ...(options.roles !== undefined ? { roleKeys: options.roles } : {}),
        ...(options.authnContextClassRefs !== undefined
          ? { acceptedAuthnContextClassRefs: options.authnContextClassRefs }
          : {}),
        ...(options.authnMethods !== undefined ? { acceptedAuthnMethods: options.authnMethods } : {}),
        ...(options.totpStepUp !== undefined ? { allowTotpStepUp: options.totpStepUp } : {}),
      };
      if (Object.keys(change).length === 0)
        throw new InvalidArgumentError('nothing to change: give at least one option');
      await withAccount(options.account, async (roster, actor) => {
        const policy = await roster.services.mfa.set(actor, change);
        print(options.json === true, policy, describe(policy));
      });
    });
  mfa
    .command('user')
    .description("Set or clear one user's own MFA flag (the IdP may set it too, through SCIM)")
    .requiredOption('--account <id>', 'account id')
    .requiredOption('--user <id>', 'user id or userName')
    .addOption(
      new Option('--required <state>', 'on, off, or unset')
        .choices(['on', 'off', 'unset'])
        .makeOptionMandatory(),
    )
    .option('--json', 'print JSON')
    .action(async (options: { account: string; user: string; required: string; json?: boolean }) => {
      const flag = options.required === 'unset' ? null : options.required === 'on';
      await withAccount(options.account, async (roster, actor) => {
        const result = await roster.services.mfa.setUserRequirement(actor, options.user, flag);
        const human = result.required
          ? `MFA is required (by the ${result.because} flag).`
          : 'MFA is not required.';
        print(options.json === true, { ...result, userFlag: flag }, human);
      });
    });
  mfa
    .command('reset-totp')
    .description("Forget a user's Roster TOTP and backup codes (lost phone): their next step-up enrols again")
    .requiredOption('--account <id>', 'account id')
    .requiredOption('--user <id>', 'user id or userName')
    .option('--json', 'print JSON')
    .action(async (options: { account: string; user: string; json?: boolean }) => {
      await withAccount(options.account, async (roster, actor) => {
        await roster.services.stepUp.reset(actor, options.user);
        print(
          options.json === true,
          { user: options.user, totpEnrolled: false },
          `TOTP reset for ${options.user}: they set up their authenticator again at their next sign-in.`,
        );
      });
    });
  return mfa;
}
